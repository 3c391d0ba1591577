/**
 * Evaluating the rules for a pupil: facts are derived once in TypeScript, then each rule in
 * force, compiled into plain functions, is run against each subject of its scope, and every
 * rule that fires becomes a trigger explained from the conditions that held.
 */
import { OutsideCalendarError, type SchoolCalendar } from './calendar/schoolCalendar.js';
import { WORDS, formatNumber, type Scope, type Subject, type Subjects } from './factCatalog.js';
import { compileRule, Uncompilable, type CompiledRule, type HeldCondition } from './compiledRules.js';
import { derivePupilFacts, type PupilFacts } from './facts.js';
import { ReferenceEvaluator } from './referenceEvaluator.js';
import { MOVEMENT_SCOPES, movementId, movementSubjects, type MovementScope } from './pupilMovement.js';
import { defaultRulePack, type Rule, type RulePack, type RuleSource } from './rulePack.js';
import type { IsoDate } from './dates.js';
import type { TriggerId } from './generated/ruleFiles.js';
import type { PupilRecord } from './pupilRecord.js';

/** A rule that fired for a pupil: what must or should happen, why, and by when. */
export interface Trigger {
  readonly pupilId: string;
  readonly schoolId: string;
  /**
   * The public trigger id, e.g. `peap.required`. Stable across versions. One of the package's
   * (`TriggerId`, offered as you type), or a custom rule's own.
   */
  readonly trigger: TriggerId | (string & {});
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly title: string;
  readonly source: RuleSource;
  /** What it is about: an exclusion id, a half-term (`2025/26 autumn-1`) or an academic year. */
  readonly period: string;
  /** Stable per pupil, trigger and period: evaluating the same data twice gives the same keys. */
  readonly key: string;
  /** The names of the conditions that held, e.g. `repeated-suspensions` or `at-risk`. */
  readonly grounds: readonly string[];
  readonly exclusionIds?: readonly string[];
  readonly dueDate?: IsoDate;
  /** Plain English naming the facts and thresholds. */
  readonly explanation: string;
}

export interface EvaluateOptions {
  /** The evaluation date: exclusions starting and marks recorded after it are ignored. */
  readonly asOf: IsoDate;
  /** The rules; the built-in pack by default. */
  readonly rules?: RulePack;
}

/**
 * Evaluates rule packs against pupils. Keep one per pack and reuse it: each rule version is
 * compiled once into plain functions ({@link compileRule}), and the rules in force are looked
 * up once per scope and date. A pack using a construct the compiler does not handle is run
 * through json-rules-engine instead ({@link ReferenceEvaluator}), with the same results.
 */
export class RulesEvaluator {
  readonly rules: RulePack;
  readonly #inForce = new Map<string, CompiledRule[]>();
  /** Set when some rule in the pack cannot be compiled: the whole pack runs on the reference engine. */
  readonly #reference: ReferenceEvaluator | undefined;

  /**
   * @param options.engine — `reference` runs json-rules-engine itself (slower; for checking the
   *   compiled rules against it); `compiled` (the default) falls back to it only when it must.
   */
  constructor(rules: RulePack = defaultRulePack(), options: { readonly engine?: 'compiled' | 'reference' } = {}) {
    this.rules = rules;
    if (options.engine === 'reference') {
      this.#reference = new ReferenceEvaluator(rules);
      return;
    }
    try {
      for (const rule of rules.rules) compileRule(rule);
    } catch (error) {
      if (!(error instanceof Uncompilable)) throw error;
      this.#reference = new ReferenceEvaluator(rules);
    }
  }

  /** Whether evaluation is synchronous ({@link evaluateSync}): every rule in the pack compiled. */
  get compiled(): boolean {
    return this.#reference === undefined;
  }

  /** The triggers for one pupil on one date, in a stable order. */
  async evaluate(record: PupilRecord, calendar: SchoolCalendar, asOf: IsoDate): Promise<Trigger[]> {
    return this.evaluateFacts(derivePupilFacts(record, calendar, asOf));
  }

  /** The triggers for facts already derived. */
  async evaluateFacts(pupil: PupilFacts): Promise<Trigger[]> {
    return this.#reference ? this.#reference.evaluateFacts(pupil) : this.triggersFor(pupil);
  }

  /**
   * The triggers for one pupil on one date, synchronously.
   * @throws Error when the pack holds a rule only the reference engine runs (see {@link compiled}).
   */
  evaluateSync(record: PupilRecord, calendar: SchoolCalendar, asOf: IsoDate): Trigger[] {
    return this.triggersFor(derivePupilFacts(record, calendar, asOf));
  }

  /** The triggers for facts already derived, synchronously (see {@link evaluateSync}). */
  triggersFor(pupil: PupilFacts): Trigger[] {
    if (this.#reference) throw new Error(`rule pack "${this.rules.name}" holds a rule the compiler does not handle: use evaluate() (async)`);
    const triggers: Trigger[] = [];
    forEachSubject(pupil, (scope, subject, date) => {
      for (const compiled of this.#rulesFor(scope, date)) {
        if (compiled.fires(subject)) triggers.push(toTrigger(compiled.rule, scope, subject, compiled.held(subject)));
      }
    });
    return triggers;
  }

  #rulesFor(scope: Scope, date: IsoDate): CompiledRule[] {
    const key = `${scope}|${date}`;
    let rules = this.#inForce.get(key);
    if (!rules) {
      // The order json-rules-engine's results are sorted into: by rule id.
      rules = this.rules.inForce(date, scope).sort((a, b) => (a.id < b.id ? -1 : 1)).map(compileRule);
      this.#inForce.set(key, rules);
    }
    return rules;
  }
}

/**
 * Each subject the rules are evaluated against, with the date that picks the rules in force:
 * the pupil (on `asOf`), each half-term that can fire (on its last day, or `asOf` within it),
 * and each counted exclusion (on its first day).
 */
export function forEachSubject(pupil: PupilFacts, visit: <K extends Scope>(scope: K, subject: Subjects[K], date: IsoDate) => void): void {
  visit('pupil', { pupil }, pupil.asOf);
  for (const halfTerm of pupil.halfTerms) {
    // Only half-terms with suspensions, and the current one (for the at-risk flag), can fire.
    if (halfTerm.suspensions.length === 0 && !halfTerm.isCurrent) continue;
    visit('half-term', { pupil, halfTerm }, pupil.asOf < halfTerm.halfTerm.end ? pupil.asOf : halfTerm.halfTerm.end);
  }
  for (const exclusion of pupil.exclusions) visit('exclusion', { pupil, exclusion }, exclusion.startDate);
  for (const m of movementSubjects(pupil)) visit(m.scope, m.subject, m.date);
}

/**
 * The triggers for one pupil on one date.
 * @example
 * const triggers = await evaluatePupil(record, calendar, { asOf: '2025-10-20' });
 * // [{ trigger: 'peap.required', explanation: '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2', … }, …]
 */
export async function evaluatePupil(record: PupilRecord, calendar: SchoolCalendar, options: EvaluateOptions): Promise<Trigger[]> {
  return new RulesEvaluator(options.rules).evaluate(record, calendar, options.asOf);
}

/** A rule that fired, as a trigger: explained from the leaf conditions that held, with its due date. */
export function toTrigger(rule: Rule, scope: Scope, subject: Subject, conditionsHeld: readonly HeldCondition[]): Trigger {
  const { pupil } = subject;
  const params = { ...rule.values, ...paramsOfFacts(rule) };
  const words: Record<string, string> = {
    ...Object.fromEntries(Object.entries(rule.values).map(([k, v]) => [k, String(v)])),
    ...(WORDS[scope].of as (s: Subject, p: Record<string, unknown>) => Record<string, string>)(subject, params),
  };
  const held = conditionsHeld.filter((c) => c.name && c.name in rule.explain);
  const clauses = held.map((c) =>
    fill(rule.explain[c.name!]!, { ...words, result: show(c.factResult), threshold: show(c.value) }),
  );

  const fact = (name: string) => rule.facts[name]!.value(subject, params);
  const exclusionIds = rule.concerns ? (fact(rule.concerns) as string[]) : undefined;
  let dueDate: IsoDate | undefined;
  if (rule.dueDate) {
    const from = fact(rule.dueDate.from) as IsoDate | undefined;
    try {
      if (from === undefined) clauses.push(`the due date falls after the end of the ${pupil.calendar.academicYear} calendar`);
      else dueDate = pupil.calendar.addSchoolDays(from, rule.dueDate.schoolDays);
    } catch (error) {
      if (!(error instanceof OutsideCalendarError)) throw error;
      clauses.push(`due ${rule.dueDate.schoolDays} school days after ${from}, which is past the end of the ${pupil.calendar.academicYear} calendar: count the rest on the next year's calendar`);
    }
  }
  const period = periodOf(rule, subject, scope);
  return {
    pupilId: pupil.record.id,
    schoolId: pupil.record.schoolId,
    trigger: rule.trigger,
    ruleId: rule.id,
    ruleVersion: rule.version,
    title: rule.title,
    source: rule.source,
    period,
    key: `${pupil.record.id}/${rule.trigger}/${period}`,
    grounds: held.map((c) => c.name!),
    ...(exclusionIds ? { exclusionIds } : {}),
    ...(dueDate ? { dueDate } : {}),
    explanation: clauses.join('; '),
  };
}

const factParams = new WeakMap<Rule, Record<string, unknown>>();

/** Facts' own params (e.g. a window length) named in the rule, so explanations can use them. */
function paramsOfFacts(rule: Rule): Record<string, unknown> {
  const known = factParams.get(rule);
  if (known) return known;
  const out: Record<string, unknown> = {};
  factParams.set(rule, out);
  JSON.stringify(rule.resolvedConditions, (key, value: unknown) => {
    if (key === 'params' && value && typeof value === 'object') Object.assign(out, value);
    return value;
  });
  return out;
}

function periodOf(rule: Rule, subject: Subject, scope: Scope): string {
  const year = subject.pupil.calendar.academicYear;
  if (scope === 'exclusion') return (subject as Subjects['exclusion']).exclusion.id;
  // A movement's triggers are about that movement: a direction, move, separation, timetable or cancellation.
  if (MOVEMENT_SCOPES.includes(scope as MovementScope)) return movementId(subject as Subjects[MovementScope]);
  if (scope === 'half-term') return `${year} ${(subject as Subjects['half-term']).halfTerm.halfTerm.name}`;
  if (rule.period === 'half-term') return `${year} ${subject.pupil.currentHalfTerm?.name ?? 'before term'}`;
  return year;
}

function fill(template: string, words: Readonly<Record<string, string>>): string {
  return template.replace(/\{([^}]+)\}/g, (_, word: string) => words[word] ?? `{${word}}`);
}

function show(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}
