/**
 * Evaluating the rules for a pupil: facts are derived once in TypeScript, then each rule in
 * force is run through json-rules-engine against each subject of its scope, and every rule
 * that fires becomes a trigger explained from the engine's per-condition results.
 */
import { Engine, type RuleResult } from 'json-rules-engine';
import { OutsideCalendarError, type SchoolCalendar } from './calendar/schoolCalendar.js';
import { FACTS, WORDS, formatNumber, type Scope, type Subject, type Subjects } from './factCatalog.js';
import { derivePupilFacts, type PupilFacts } from './facts.js';
import { defaultRulePack, type Rule, type RulePack, type RuleSource } from './rulePack.js';
import type { IsoDate } from './dates.js';
import type { PupilRecord } from './pupilRecord.js';

/** A rule that fired for a pupil: what must or should happen, why, and by when. */
export interface Trigger {
  readonly pupilId: string;
  readonly schoolId: string;
  /** The public trigger id, e.g. `peap.required`. Stable across versions. */
  readonly trigger: string;
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

interface ConditionResult {
  name?: string;
  fact?: string;
  result?: boolean;
  factResult?: unknown;
  value?: unknown;
  all?: ConditionResult[];
  any?: ConditionResult[];
  not?: ConditionResult;
}

/**
 * Evaluates rule packs against pupils. Keep one per pack and reuse it: it caches one
 * json-rules-engine per scope and set of rule versions in force.
 */
export class RulesEvaluator {
  readonly rules: RulePack;
  /** One engine per scope and set of rule versions in force, and the same looked up by date. */
  readonly #engines = new Map<string, { engine: Engine; rules: Map<string, Rule> }>();
  readonly #enginesByDate = new Map<string, { engine: Engine; rules: Map<string, Rule> }>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(rules: RulePack = defaultRulePack()) {
    this.rules = rules;
  }

  /** The triggers for one pupil on one date, in a stable order. */
  async evaluate(record: PupilRecord, calendar: SchoolCalendar, asOf: IsoDate): Promise<Trigger[]> {
    return this.evaluateFacts(derivePupilFacts(record, calendar, asOf));
  }

  /**
   * The triggers for facts already derived. Calls are queued: json-rules-engine keeps one run
   * status per engine, so overlapping runs of a shared engine could skip each other's rules.
   */
  evaluateFacts(pupil: PupilFacts): Promise<Trigger[]> {
    const result = this.#queue.then(() => this.#evaluateNow(pupil));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #evaluateNow(pupil: PupilFacts): Promise<Trigger[]> {
    const triggers: Trigger[] = [];
    await this.#run('pupil', { pupil }, pupil.asOf, triggers);
    for (const halfTerm of pupil.halfTerms) {
      // Only half-terms with suspensions, and the current one (for the at-risk flag), can fire.
      if (halfTerm.suspensions.length === 0 && !halfTerm.isCurrent) continue;
      const date = pupil.asOf < halfTerm.halfTerm.end ? pupil.asOf : halfTerm.halfTerm.end;
      await this.#run('half-term', { pupil, halfTerm }, date, triggers);
    }
    for (const exclusion of pupil.exclusions) await this.#run('exclusion', { pupil, exclusion }, exclusion.startDate, triggers);
    return triggers;
  }

  async #run<K extends Scope>(scope: K, subject: Subjects[K], date: IsoDate, out: Trigger[]): Promise<void> {
    const { engine, rules } = this.#engineFor(scope, date);
    if (rules.size === 0) return;
    const { results } = await engine.run({ subject });
    const fired = results
      .map((result) => ({ result, rule: rules.get(result.name)! }))
      .sort((a, b) => (a.rule.id < b.rule.id ? -1 : 1));
    for (const { result, rule } of fired) out.push(toTrigger(rule, scope, subject, result));
  }

  #engineFor(scope: Scope, date: IsoDate) {
    const byDate = `${scope}|${date}`;
    const known = this.#enginesByDate.get(byDate);
    if (known) return known;
    const inForce = this.rules.inForce(date, scope);
    const cacheKey = `${scope}|${inForce.map((r) => `${r.id}@${r.version}`).join(',')}`;
    let cached = this.#engines.get(cacheKey);
    if (!cached) {
      const engine = new Engine([], { allowUndefinedFacts: false });
      for (const [name, fact] of Object.entries(FACTS[scope])) {
        // Facts are cheap reads of derived data: caching them would cost more (hashing params) than it saves.
        engine.addFact(name, async (params, almanac) => fact.value((await almanac.factValue('subject')) as never, params ?? {}), { cache: false });
      }
      for (const rule of inForce) {
        engine.addRule({ name: rule.id, conditions: rule.resolvedConditions as never, event: { type: rule.trigger } });
      }
      cached = { engine, rules: new Map(inForce.map((r) => [r.id, r])) };
      this.#engines.set(cacheKey, cached);
    }
    this.#enginesByDate.set(byDate, cached);
    return cached;
  }
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

function toTrigger(rule: Rule, scope: Scope, subject: Subject, result: RuleResult): Trigger {
  const { pupil } = subject;
  const params = { ...rule.values, ...paramsOfFacts(rule) };
  const words: Record<string, string> = {
    ...Object.fromEntries(Object.entries(rule.values).map(([k, v]) => [k, String(v)])),
    ...(WORDS[scope].of as (s: Subject, p: Record<string, unknown>) => Record<string, string>)(subject, params),
  };
  const held = conditionsHeld(result.conditions as ConditionResult).filter((c) => c.name && c.name in rule.explain);
  const clauses = held.map((c) =>
    fill(rule.explain[c.name!]!, { ...words, result: show(c.factResult), threshold: show(c.value) }),
  );

  const fact = (name: string) => (FACTS[scope] as Record<string, { value: (s: Subject, p: Record<string, unknown>) => unknown }>)[name]!.value(subject, params);
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
  if (scope === 'half-term') return `${year} ${(subject as Subjects['half-term']).halfTerm.halfTerm.name}`;
  if (rule.period === 'half-term') return `${year} ${subject.pupil.currentHalfTerm?.name ?? 'before term'}`;
  return year;
}

/** The leaf conditions that made the rule fire: those in branches that held, outside any `not`. */
function conditionsHeld(node: ConditionResult): ConditionResult[] {
  if (node.all) return holds(node) ? node.all.flatMap(conditionsHeld) : [];
  if (node.any) return node.any.filter(holds).flatMap(conditionsHeld);
  if (node.not) return [];
  return node.result ? [node] : [];
}

/** Whether a condition held, worked out from its leaves (nested groups may carry no result). */
function holds(node: ConditionResult): boolean {
  if (node.all) return node.all.every(holds);
  if (node.any) return node.any.some(holds);
  if (node.not) return !holds(node.not);
  return node.result === true;
}

function fill(template: string, words: Readonly<Record<string, string>>): string {
  return template.replace(/\{([^}]+)\}/g, (_, word: string) => words[word] ?? `{${word}}`);
}

function show(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}
