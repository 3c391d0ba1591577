/**
 * Rules compiled into plain synchronous functions. The rule files stay portable
 * json-rules-engine JSON; this turns a rule's resolved conditions (all/any/not, the engine's
 * operators, fact params, a fact named as the value) into closures once per rule version, so
 * evaluating a pupil is a few function calls instead of an async engine run with deep clones.
 *
 * json-rules-engine remains the reference ({@link ReferenceEvaluator}): the differential test
 * holds the two to the same triggers, due dates and explanations. What the compiler does not
 * know (a JSONPath `path`, condition `priority`, shared `condition` references) makes the rule
 * {@link Uncompilable}, and the evaluator then runs that pack through the reference engine.
 */
import type { FactCatalog } from './customFacts.js';
import type { Subject } from './factCatalog.js';
import type { Rule } from './rulePack.js';

/** A leaf condition that held, as the explanation reads it (json-rules-engine's result shape). */
export interface HeldCondition {
  readonly name?: string;
  readonly factResult: unknown;
  /** What the fact was compared with, as the rule wrote it (after parameters were resolved). */
  readonly value: unknown;
}

/** A rule as two functions: whether it fires, and (only once it has) which leaves held. */
export interface CompiledRule {
  readonly rule: Rule;
  fires(subject: Subject): boolean;
  /** The leaf conditions that made it fire: those in branches that held, outside any `not`. */
  held(subject: Subject): HeldCondition[];
}

/** Thrown for a rule using a construct the compiler does not handle; the reference engine runs it instead. */
export class Uncompilable extends Error {}

type Read = (subject: Subject) => unknown;
type Test = (subject: Subject) => boolean;

interface Node {
  /** Whether the condition holds, short-circuiting. */
  readonly holds: Test;
  /** Pushes the leaves that held; called only where `holds` is true. */
  readonly collect: (subject: Subject, out: HeldCondition[]) => void;
}

/** json-rules-engine 7's default operators, with their fact-value validators (a failing validator is false). */
const isNumber = (v: unknown) => Number.parseFloat(v as string).toString() !== 'NaN';
const OPERATORS: Readonly<Record<string, (a: unknown, b: unknown) => boolean>> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => isNumber(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => isNumber(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => isNumber(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => isNumber(a) && (a as number) >= (b as number),
};

const compiled = new WeakMap<Rule, CompiledRule>();

/**
 * The rule as functions, compiled once per rule version (parameters are already resolved in
 * `rule.resolvedConditions`, so a pack's overrides give a different `Rule` and a new compilation).
 * @throws Uncompilable for a construct only the reference engine runs.
 */
export function compileRule(rule: Rule): CompiledRule {
  const known = compiled.get(rule);
  if (known) return known;
  const root = compileNode(rule.resolvedConditions, rule.facts, `${rule.file} conditions`);
  const result: CompiledRule = {
    rule,
    fires: root.holds,
    held(subject) {
      const out: HeldCondition[] = [];
      if (root.holds(subject)) root.collect(subject, out);
      return out;
    },
  };
  compiled.set(rule, result);
  return result;
}

function compileNode(node: unknown, facts: FactCatalog, where: string): Node {
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw new Uncompilable(`${where}: not a condition object`);
  const c = node as Record<string, unknown>;
  if ('priority' in c) throw new Uncompilable(`${where}: condition priorities change which conditions the engine evaluates`);
  if ('condition' in c) throw new Uncompilable(`${where}: shared condition references`);
  if (Array.isArray(c.all)) {
    const children = c.all.map((child, i) => compileNode(child, facts, `${where}.all[${i}]`));
    return {
      holds: (s) => children.every((n) => n.holds(s)),
      collect: (s, out) => children.forEach((n) => n.collect(s, out)),
    };
  }
  if (Array.isArray(c.any)) {
    const children = c.any.map((child, i) => compileNode(child, facts, `${where}.any[${i}]`));
    return {
      holds: (s) => children.some((n) => n.holds(s)),
      collect: (s, out) => children.forEach((n) => n.holds(s) && n.collect(s, out)),
    };
  }
  if ('not' in c) {
    const child = compileNode(c.not, facts, `${where}.not`);
    // Nothing under a `not` explains why a rule fired.
    return { holds: (s) => !child.holds(s), collect: () => undefined };
  }
  return compileLeaf(c, facts, where);
}

function compileLeaf(c: Record<string, unknown>, facts: FactCatalog, where: string): Node {
  const operator = typeof c.operator === 'string' ? OPERATORS[c.operator] : undefined;
  if (!operator) throw new Uncompilable(`${where}: operator ${String(c.operator)}`);
  const fact = readFact(c, facts, where);
  const value = c.value;
  // A value naming a fact is that fact's value, as json-rules-engine's almanac resolves it.
  const compared: Read = value && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, 'fact') ? readFact(value as Record<string, unknown>, facts, where) : () => value;
  const name = typeof c.name === 'string' ? c.name : undefined;
  return {
    holds: (s) => operator(fact(s), compared(s)),
    collect: (s, out) => out.push({ ...(name === undefined ? {} : { name }), factResult: fact(s), value }),
  };
}

/** `facts`: the rule's own catalogue (the built-in facts of its scope and its pack's custom facts). */
function readFact(c: Record<string, unknown>, facts: FactCatalog, where: string): Read {
  if ('path' in c) throw new Uncompilable(`${where}: fact paths`);
  const definition = Object.hasOwn(facts, String(c.fact)) ? facts[String(c.fact)] : undefined;
  if (!definition) throw new Uncompilable(`${where}: unknown fact ${String(c.fact)}`);
  const params = (c.params ?? {}) as Readonly<Record<string, unknown>>;
  return (s) => definition.value(s, params);
}
