/**
 * Custom facts: an embedder's own facts for rules to name, registered on a rule pack
 * ({@link RulePack.extend}) — never on the global built-in catalogue, so two packs in one
 * process cannot see each other's facts. A custom fact is typed (what it yields), described
 * (`rules explain` shows the description) and computed from the facts the package derives.
 */
import { FACTS, SCOPES, type FactDefinition, type Scope, type Subject, type Subjects } from './factCatalog.js';
import type { IsoDate } from './dates.js';
import { quoted, type Problem } from './problems.js';

/** What a fact yields; a rule compares it with `equal`, `greaterThan`, `contains`, …. */
export interface FactTypes {
  number: number | undefined;
  boolean: boolean;
  string: string | undefined;
  date: IsoDate | undefined;
  list: readonly string[];
}
export type FactType = keyof FactTypes;
const FACT_TYPES: readonly FactType[] = ['number', 'boolean', 'string', 'date', 'list'];

/** A fact an embedder adds. */
export interface CustomFact<K extends Scope = Scope, T extends FactType = FactType> {
  /** The name rules use (`"fact": "suspensionsThisTerm"`): letters and digits, starting with a lower-case letter; not a built-in fact's. */
  readonly name: string;
  /** What a rule naming it is evaluated once for: the pupil, each half-term, each exclusion, …. */
  readonly scope: K;
  readonly type: T;
  /** Plain English, shown by `rules explain` and `describeRule`. */
  readonly description: string;
  /** Parameters a condition may pass (`"params": { … }`), with what each means. */
  readonly params?: Readonly<Record<string, string>>;
  /** The value for one subject: derived data only (no I/O, no clock: the evaluation date is `subject.pupil.asOf`). */
  readonly value: (subject: Subjects[K], params: Readonly<Record<string, unknown>>) => FactTypes[T];
}

/** Any custom fact, of any scope and type (a union, so a fact of one scope is one of them). */
export type AnyCustomFact = { [K in Scope]: { [T in FactType]: CustomFact<K, T> }[FactType] }[Scope];

/**
 * A custom fact, typed: `value` must return what `type` says.
 * @example
 * const suspensionsThisTerm = defineFact({
 *   name: 'suspensionsThisTerm', scope: 'pupil', type: 'number',
 *   description: 'suspensions, not cancelled, that started this term',
 *   value: ({ pupil }) => pupil.exclusions.filter((e) => e.isSuspension && pupil.calendar.termOf(e.startDate) === pupil.calendar.termOf(pupil.asOf)).length,
 * });
 */
export function defineFact<K extends Scope, T extends FactType>(fact: CustomFact<K, T>): CustomFact<K, T> {
  return fact;
}

/** A fact's definition as the evaluators read it, whatever its scope. */
export type AnyFactDefinition = FactDefinition<Subject> & { readonly type?: FactType };
/** The facts a rule may name, by name. */
export type FactCatalog = Readonly<Record<string, AnyFactDefinition>>;

/** The built-in facts of a scope (the same object every time: rules share it). */
export function builtInFacts(scope: Scope): FactCatalog {
  return FACTS[scope] as unknown as FactCatalog;
}

/**
 * The facts a rule of `scope` may name: the built-in ones plus the custom facts for that scope.
 * Without custom facts for the scope, the built-in catalogue itself.
 */
export function factCatalog(scope: Scope, custom: readonly AnyCustomFact[]): FactCatalog {
  const mine = custom.filter((f) => f.scope === scope);
  if (mine.length === 0) return builtInFacts(scope);
  return { ...builtInFacts(scope), ...Object.fromEntries(mine.map((f) => [f.name, f as unknown as AnyFactDefinition])) };
}

/** What is wrong with custom fact definitions: names taken by built-in facts or given twice, unknown scopes or types, no description. */
export function checkCustomFacts(custom: readonly AnyCustomFact[], file: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  custom.forEach((f, i) => {
    const field = `facts[${i}]`;
    if (typeof f.name !== 'string' || !/^[a-z][A-Za-z0-9]{0,63}$/.test(f.name)) {
      problems.push({ code: 'fact.invalid', file, field: `${field}.name`, message: `${typeof f.name === 'string' ? quoted(f.name) : 'nothing'} is not a fact name; expected letters and digits starting with a lower-case letter, such as suspensionsThisTerm` });
      return;
    }
    if (!SCOPES.includes(f.scope)) {
      problems.push({ code: 'fact.invalid', file, field: `${field}.scope`, message: `fact ${f.name}: ${quoted(String(f.scope))} is not a scope; accepted: ${SCOPES.join(', ')}` });
      return;
    }
    if (f.name in builtInFacts(f.scope)) {
      problems.push({ code: 'fact.reserved', file, field: `${field}.name`, message: `"${f.name}" is a built-in ${f.scope} fact; give the custom fact a name of its own` });
    }
    const key = `${f.scope}/${f.name}`;
    if (seen.has(key)) problems.push({ code: 'fact.invalid', file, field: `${field}.name`, message: `the ${f.scope} fact "${f.name}" is defined twice` });
    seen.add(key);
    if (!FACT_TYPES.includes(f.type)) problems.push({ code: 'fact.invalid', file, field: `${field}.type`, message: `fact ${f.name}: ${quoted(String(f.type))} is not a type; accepted: ${FACT_TYPES.join(', ')}` });
    if (typeof f.description !== 'string' || f.description.trim() === '') {
      problems.push({ code: 'fact.invalid', file, field: `${field}.description`, message: `fact ${f.name} needs a description (rules explain shows it)` });
    }
    if (typeof f.value !== 'function') problems.push({ code: 'fact.invalid', file, field: `${field}.value`, message: `fact ${f.name} needs a value function` });
  });
  return problems;
}
