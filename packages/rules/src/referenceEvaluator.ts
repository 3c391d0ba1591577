/**
 * The reference evaluation: the rule files run as they are written, through json-rules-engine.
 * The product evaluates compiled rules ({@link RulesEvaluator}); this is what they are held to
 * (the differential test), and what runs a pack holding a construct the compiler does not know.
 */
import { Engine } from 'json-rules-engine';
import type { HeldCondition } from './compiledRules.js';
import { forEachSubject, toTrigger, type Trigger } from './evaluate.js';
import { FACTS, type Scope, type Subject } from './factCatalog.js';
import type { PupilFacts } from './facts.js';
import type { Rule, RulePack } from './rulePack.js';
import type { IsoDate } from './dates.js';

/** json-rules-engine's per-condition result tree. */
interface ConditionResult {
  name?: string;
  result?: boolean;
  factResult?: unknown;
  value?: unknown;
  all?: ConditionResult[];
  any?: ConditionResult[];
  not?: ConditionResult;
}

interface Engines {
  readonly engine: Engine;
  readonly rules: Map<string, Rule>;
}

/** Evaluates a rule pack with json-rules-engine, one engine per scope and set of rule versions in force. */
export class ReferenceEvaluator {
  readonly rules: RulePack;
  readonly #engines = new Map<string, Engines>();
  readonly #enginesByDate = new Map<string, Engines>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(rules: RulePack) {
    this.rules = rules;
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
    const runs: { scope: Scope; subject: Subject; date: IsoDate }[] = [];
    forEachSubject(pupil, (scope, subject, date) => runs.push({ scope, subject, date }));
    const triggers: Trigger[] = [];
    for (const { scope, subject, date } of runs) {
      const { engine, rules } = this.#engineFor(scope, date);
      if (rules.size === 0) continue;
      const { results } = await engine.run({ subject });
      const fired = results.map((result) => ({ result, rule: rules.get(result.name)! })).sort((a, b) => (a.rule.id < b.rule.id ? -1 : 1));
      for (const { result, rule } of fired) triggers.push(toTrigger(rule, scope, subject, conditionsHeld(result.conditions as ConditionResult)));
    }
    return triggers;
  }

  #engineFor(scope: Scope, date: IsoDate): Engines {
    const byDate = `${scope}|${date}`;
    const known = this.#enginesByDate.get(byDate);
    if (known) return known;
    const inForce = this.rules.inForce(date, scope);
    const cacheKey = `${scope}|${inForce.map((r) => `${r.id}@${r.version}`).join(',')}`;
    let cached = this.#engines.get(cacheKey);
    if (!cached) {
      const engine = new Engine([], { allowUndefinedFacts: false });
      // The built-in facts, and the custom facts of the pack's rules in force (each rule carries its catalogue).
      for (const [name, fact] of Object.entries(Object.assign({}, FACTS[scope], ...inForce.map((r) => r.facts)) as Record<string, (typeof FACTS)[Scope][string]>)) {
        // Facts are cheap reads of derived data: caching them would cost more (hashing params) than it saves.
        engine.addFact(name, async (params, almanac) => fact.value((await almanac.factValue('subject')) as never, params ?? {}), { cache: false });
      }
      for (const rule of inForce) engine.addRule({ name: rule.id, conditions: rule.resolvedConditions as never, event: { type: rule.trigger } });
      cached = { engine, rules: new Map(inForce.map((r) => [r.id, r])) };
      this.#engines.set(cacheKey, cached);
    }
    this.#enginesByDate.set(byDate, cached);
    return cached;
  }
}

/** The leaf conditions that made the rule fire: those in branches that held, outside any `not`. */
function conditionsHeld(node: ConditionResult): HeldCondition[] {
  if (node.all) return holds(node) ? node.all.flatMap(conditionsHeld) : [];
  if (node.any) return node.any.filter(holds).flatMap(conditionsHeld);
  if (node.not) return [];
  return node.result ? [{ ...(node.name === undefined ? {} : { name: node.name }), factResult: node.factResult, value: node.value }] : [];
}

/** Whether a condition held, worked out from its leaves (nested groups may carry no result). */
function holds(node: ConditionResult): boolean {
  if (node.all) return node.all.every(holds);
  if (node.any) return node.any.some(holds);
  if (node.not) return !holds(node.not);
  return node.result === true;
}
