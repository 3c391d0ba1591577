/**
 * Rules as data: each rule is a JSON file in json-rules-engine form plus metadata — id,
 * version, the dates it is in force, its source, and parameters with defaults. A rule pack is
 * the set of rules in use; a trust or council may override parameters, within their bounds.
 */
import { z } from 'zod';
import { isIsoDate, notARealDate, type IsoDate } from './dates.js';
import { checkCustomFacts, factCatalog, type AnyCustomFact, type FactCatalog } from './customFacts.js';
import { SCOPES, WORDS, type Scope } from './factCatalog.js';
import { RULE_FILES, TRIGGER_IDS } from './generated/ruleFiles.js';
import { parseJsonText } from './jsonText.js';
import { described, fieldPath, InputError, issueCode, issueMessage, quoted, type Problem } from './problems.js';

const OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive', 'in', 'notIn', 'contains', 'doesNotContain'];
const isoDate = z.string().refine(isIsoDate, { error: (issue) => notARealDate(issue.input), params: { code: 'date.not-real' } });

const parameterSchema = z.strictObject({
  type: z.enum(['integer', 'number', 'boolean']),
  default: z.union([z.number(), z.boolean()]),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  description: z.string(),
});

export const ruleSourceSchema = z.strictObject({
  kind: z.enum(['law', 'guidance', 'seed', 'setting']),
  citation: z.string().min(1),
  reference: z.string().optional(),
  url: z.string().optional(),
});

/** A rule file, as written. */
export const ruleFileSchema = z.strictObject({
  $schema: z.string().optional(),
  id: z.string().regex(/^[a-z][a-z-]*(\.[a-z0-9-]+)+$/, 'expected a dotted id such as peap.required'),
  trigger: z.string().min(1),
  version: z.int().min(1),
  title: z.string().min(1),
  description: z.string().optional(),
  scope: z.enum(SCOPES as [Scope, ...Scope[]]),
  /** Pupil-scope rules fire once per academic year unless they say once per half-term. */
  period: z.enum(['academic-year', 'half-term']).optional(),
  effectiveFrom: isoDate,
  /** The last day in force; open-ended when omitted. */
  effectiveTo: isoDate.optional(),
  source: ruleSourceSchema,
  parameters: z.record(z.string(), parameterSchema).default({}),
  conditions: z.record(z.string(), z.unknown()),
  /** The fact naming the exclusions a trigger concerns. */
  concerns: z.string().optional(),
  /** A due date: `schoolDays` school days after the date fact `from`. */
  dueDate: z.strictObject({ from: z.string(), schoolDays: z.int().min(0) }).optional(),
  /** Explanation templates, by condition name. */
  explain: z.record(z.string(), z.string()),
});

export type RuleSource = z.output<typeof ruleSourceSchema>;
export type ParameterDefinition = z.output<typeof parameterSchema>;
type RuleFile = z.output<typeof ruleFileSchema>;

/** A rule ready to evaluate: its parameters resolved into its conditions. */
export interface Rule extends Omit<RuleFile, '$schema'> {
  /** Parameter values in force (defaults, then the pack's overrides). */
  readonly values: Readonly<Record<string, number | boolean>>;
  /** The conditions with every `{ "param": … }` replaced by its value. */
  readonly resolvedConditions: Record<string, unknown>;
  /** The file it was read from. */
  readonly file: string;
  /** The facts it may name: the built-in ones for its scope, and its pack's custom facts. */
  readonly facts: FactCatalog;
}

/** A statutory rule encodes the law (`source.kind` is `law`): no pack may remove or replace it. */
/**
 * "No rule X", with the pack's rules of the same family (what comes before the first dot:
 * `peap.requird` → `peap.required`), or where to see them all — never the whole list, which
 * grows with every rule a pack adds.
 */
export function noRule(id: string, ids: readonly string[]): string {
  const family = ids.filter((r) => r.split('.')[0] === id.split('.')[0]);
  return `no rule ${quoted(id)}; ${family.length ? `rules: ${family.join(', ')}` : `the pack's ${ids.length} rules are listed by "rules explain"`}`;
}

export function isStatutory(rule: Pick<Rule, 'source'>): boolean {
  return rule.source.kind === 'law';
}

const rulePackShape = {
  format: z.literal('rule-pack/1', { error: 'expected "rule-pack/1"' }),
  name: z.string().min(1).max(200, 'expected a name of at most 200 characters'),
  description: z.string().max(2000, 'expected a description of at most 2,000 characters').optional(),
};

/** A rule-pack file: a trust's or council's parameter overrides (as documented; its JSON Schema). */
export const rulePackFileSchema = z.strictObject({
  ...rulePackShape,
  parameters: z.record(z.string(), z.record(z.string(), z.union([z.number(), z.boolean()]))).default({}),
});
export type RulePackOverrides = z.input<typeof rulePackFileSchema>;

/** The same, read leniently where values are concerned: each wrong value is its own problem, not one "invalid input" hiding the rest. */
const rulePackReadSchema = z.strictObject({ ...rulePackShape, parameters: z.record(z.string(), z.record(z.string(), z.unknown())).default({}) });

/** Custom facts and rules added to a pack ({@link RulePack.extend}). */
export interface RulePackExtension {
  /** The new pack's name (shown in output and `rules explain`). */
  readonly name: string;
  /** Facts the custom rules may name, besides the built-in ones. */
  readonly facts?: readonly AnyCustomFact[];
  /** Rule files' JSON, as written (the format of `rules/*.json`; `rules schema rule`). */
  readonly rules?: readonly unknown[];
  /** Names the extension in problems. */
  readonly file?: string;
}

/** The rules in use, with the pack's name. */
export class RulePack {
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly #byId = new Map<string, Rule[]>();

  /** The facts this pack adds to the built-in ones (none in the default pack). */
  readonly customFacts: readonly AnyCustomFact[];

  constructor(name: string, rules: readonly Rule[], customFacts: readonly AnyCustomFact[] = []) {
    this.name = name;
    this.rules = rules;
    this.customFacts = customFacts;
    for (const rule of rules) this.#byId.set(rule.id, [...(this.#byId.get(rule.id) ?? []), rule]);
  }

  /** The rules in force on `date`: at most one version of each. */
  inForce(date: IsoDate, scope?: Scope): Rule[] {
    return this.rules.filter(
      (r) => r.effectiveFrom <= date && (r.effectiveTo === undefined || date <= r.effectiveTo) && (scope === undefined || r.scope === scope),
    );
  }

  /** Every version of a rule, oldest first. */
  versionsOf(id: string): readonly Rule[] {
    return this.#byId.get(id) ?? [];
  }

  /**
   * A number the law sets, read from the rule that encodes it as in force on `date` — the one
   * home of statutory numbers: `pack.statutoryNumber('statutory.annual-limit-exceeded', 'over-limit', date)`
   * is the 45-day annual limit. The value is a condition's (`value`), or the rule's due date's `schoolDays`
   * when `condition` is `dueDate`.
   * @throws Error when no version of the rule is in force then, or it has no such number.
   */
  statutoryNumber(ruleId: string, condition: string, date: IsoDate): { value: number; rule: Rule } {
    const rule = this.versionsOf(ruleId).find((r) => r.effectiveFrom <= date && (r.effectiveTo === undefined || date <= r.effectiveTo));
    if (!rule) throw new Error(`no version of rule ${ruleId} is in force on ${date}`);
    const value = condition === 'dueDate' ? rule.dueDate?.schoolDays : findCondition(rule.resolvedConditions, condition);
    if (typeof value !== 'number') throw new Error(`rule ${ruleId} v${rule.version} has no number "${condition}"`);
    return { value, rule };
  }

  /** Suspensions may not total more than this many school days in a school year (the rule pack's annual limit on `date`). */
  annualSuspensionLimit(date: IsoDate): number {
    return this.statutoryNumber('statutory.annual-limit-exceeded', 'over-limit', date).value;
  }

  /** The ids of the rules in the pack. */
  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  /**
   * A copy of this pack with a trust's or council's parameter overrides, validated.
   * @throws InputError naming each unknown rule, unknown parameter or value out of bounds.
   */
  withOverrides(overrides: RulePackOverrides, file = 'rule pack'): RulePack {
    const parsed = rulePackReadSchema.safeParse(overrides);
    if (!parsed.success) {
      throw new InputError(`${file} is not a valid rule pack`, parsed.error.issues.map((i) => ({ code: issueCode(i), file, field: fieldPath(i.path), message: issueMessage(i) })));
    }
    const problems: Problem[] = [];
    for (const [id, values] of Object.entries(parsed.data.parameters)) {
      const versions = this.versionsOf(id);
      if (versions.length === 0) {
        problems.push({ code: 'pack.unknown-rule', file, field: fieldPath(['parameters', id]), message: noRule(id, this.ids) });
        continue;
      }
      for (const [name, value] of Object.entries(values)) {
        const declared = versions.map((r) => r.parameters[name]).find((p) => p !== undefined);
        if (!declared) {
          const settable = [...new Set(versions.flatMap((r) => Object.keys(r.parameters)))];
          problems.push({
            code: 'pack.unknown-parameter',
            file,
            field: fieldPath(['parameters', id, name]),
            message: settable.length ? `"${id}" has no parameter ${quoted(name)}; settable: ${settable.join(', ')}` : `"${id}" has no settable parameters (its numbers are statutory)`,
          });
          continue;
        }
        const message = checkParameterValue(declared, value);
        if (message) problems.push({ code: 'pack.parameter-value', file, field: fieldPath(['parameters', id, name]), message });
      }
    }
    if (problems.length > 0) throw new InputError(`${file} cannot be applied`, problems);
    const rules = this.rules.map((rule) => {
      const values = { ...rule.values };
      // Every value was checked above: a number or a boolean as its parameter declares.
      for (const [name, value] of Object.entries(parsed.data.parameters[rule.id] ?? {})) if (name in rule.parameters) values[name] = value as number | boolean;
      return { ...rule, values, resolvedConditions: resolveParams(rule.conditions, values) as Record<string, unknown> };
    });
    return new RulePack(parsed.data.name, rules, this.customFacts);
  }

  /**
   * A copy of this pack with custom facts and rules added. A custom rule may name the built-in
   * facts and these; it may not take the id of a rule in the pack or one the package ships, nor
   * a trigger id the package defines ({@link TRIGGER_IDS}) — so a custom rule can add to the
   * statutory duties, never stand in for one.
   * @example
   * const pack = defaultRulePack().extend({ name: 'our trust', facts: [suspensionsThisTerm], rules: [ourRuleJson] });
   * @throws InputError listing every problem in every fact and rule (codes `fact.*`, `rule.*`, `pack.*`).
   */
  extend(extension: RulePackExtension): RulePack {
    const file = extension.file ?? extension.name;
    const facts = [...this.customFacts, ...(extension.facts ?? [])];
    const problems: Problem[] = checkCustomFacts(facts, file);
    if (problems.length > 0) throw new InputError(`${file}: the custom facts cannot be added`, problems);
    const shipped = new Set(RULE_FILES.map(([, json]) => (json as { id?: unknown }).id));
    const added: Rule[] = [];
    (extension.rules ?? []).forEach((json, i) => {
      const where = `${file} rules[${i}]`;
      let rule: Rule;
      try {
        rule = parseRule(json, where, { facts });
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        problems.push(...error.problems);
        return;
      }
      if (this.versionsOf(rule.id).length > 0 || shipped.has(rule.id)) {
        const statutory = this.versionsOf(rule.id).some(isStatutory);
        problems.push({
          code: statutory ? 'pack.statutory-rule' : 'pack.rule-exists',
          file: where,
          field: 'id',
          message: `"${rule.id}" is ${statutory ? 'a statutory rule: it cannot be replaced' : 'a rule the package ships'}; give a custom rule an id of its own (such as trust.${rule.id.split('.').pop()}), and change a built-in rule's settings with a rule pack's parameters`,
        });
      }
      if ((TRIGGER_IDS as readonly string[]).includes(rule.trigger)) {
        problems.push({ code: 'pack.reserved-trigger', file: where, field: 'trigger', message: `"${rule.trigger}" is a trigger id the package defines; a custom rule needs a trigger id of its own` });
      }
      added.push(rule);
    });
    if (problems.length > 0) throw new InputError(`${file} cannot be added to rule pack "${this.name}"`, problems);
    // Custom facts reach the rules already in the pack too, so a later extension's rules and these share one catalogue.
    const rules = [...this.rules, ...added].map((r) => ({ ...r, facts: factCatalog(r.scope, facts) }));
    return buildRulePack(extension.name, rules, facts);
  }

  /**
   * A copy of this pack without the named rules (every version), e.g. a trust that does not
   * want the attendance triggers. Statutory rules cannot be removed.
   * @throws InputError (codes `pack.unknown-rule`, `pack.statutory-rule`) naming each refused id.
   */
  withoutRules(ids: readonly string[], file = 'rule pack'): RulePack {
    const problems: Problem[] = [];
    ids.forEach((id, i) => {
      const versions = this.versionsOf(id);
      if (versions.length === 0) problems.push({ code: 'pack.unknown-rule', file, field: `without[${i}]`, message: noRule(id, this.ids) });
      else if (versions.some(isStatutory)) {
        problems.push({ code: 'pack.statutory-rule', file, field: `without[${i}]`, message: `"${id}" is statutory (${versions[0]!.source.citation}): it cannot be removed` });
      }
    });
    if (problems.length > 0) throw new InputError(`${file}: rules cannot be removed from rule pack "${this.name}"`, problems);
    return new RulePack(this.name, this.rules.filter((r) => !ids.includes(r.id)), this.customFacts);
  }
}

function checkParameterValue(p: ParameterDefinition, value: unknown): string | undefined {
  if (p.type === 'boolean') return typeof value === 'boolean' ? undefined : `expected true or false, found ${described(value)}`;
  if (typeof value !== 'number') return `expected a number, found ${described(value)}${typeof value === 'string' ? ' (a string: write the number without quotes)' : ''}`;
  if (p.type === 'integer' && !Number.isInteger(value)) return `expected a whole number, found ${value}`;
  if (p.minimum !== undefined && value < p.minimum) return `${value} is below the minimum ${p.minimum} (${p.description})`;
  if (p.maximum !== undefined && value > p.maximum) return `${value} is above the maximum ${p.maximum} (${p.description})`;
  return undefined;
}

/** The `value` of the condition called `name` anywhere in a condition tree. */
function findCondition(node: unknown, name: string): unknown {
  if (Array.isArray(node)) {
    for (const n of node) {
      const found = findCondition(n, name);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.name === name && 'value' in record) return record.value;
    return findCondition(Object.values(record), name);
  }
  return undefined;
}

/** Replaces `{ "param": name }` anywhere in a condition tree with the parameter's value. */
function resolveParams(node: unknown, values: Readonly<Record<string, number | boolean>>): unknown {
  if (Array.isArray(node)) return node.map((n) => resolveParams(n, values));
  if (node && typeof node === 'object') {
    const entries = Object.entries(node);
    if (entries.length === 1 && entries[0]![0] === 'param') return values[String(entries[0]![1])];
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveParams(v, values)]));
  }
  return node;
}

/**
 * Validates one rule file: its shape, then that every fact, operator, parameter and
 * explanation placeholder it names exists. `facts`: custom facts it may name besides the built-in ones.
 */
export function parseRule(json: unknown, file: string, options: { readonly facts?: readonly AnyCustomFact[] } = {}): Rule {
  const parsed = ruleFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`${file} is not a valid rule`, parsed.error.issues.map((i) => ({ code: issueCode(i), file, field: fieldPath(i.path), message: issueMessage(i) })));
  }
  const { $schema: _schema, ...rule } = parsed.data;
  const problems: Problem[] = [];
  const facts = factCatalog(rule.scope, options.facts ?? []);
  const factNames = Object.keys(facts);
  const named: string[] = [];

  const walk = (node: unknown, path: string) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) {
      problems.push({ code: 'rule.condition', file, field: path, message: 'expected a condition object' });
      return;
    }
    const c = node as Record<string, unknown>;
    for (const op of ['all', 'any'] as const) {
      if (op in c) {
        if (!Array.isArray(c[op])) problems.push({ code: 'rule.condition', file, field: `${path}.${op}`, message: 'expected an array of conditions' });
        else c[op].forEach((child, i) => walk(child, `${path}.${op}[${i}]`));
        return;
      }
    }
    if ('not' in c) return walk(c.not, `${path}.not`);
    if (typeof c.fact !== 'string' || !(c.fact in facts)) {
      problems.push({ code: 'rule.unknown-fact', file, field: `${path}.fact`, message: `unknown fact ${JSON.stringify(c.fact)} for scope ${rule.scope}; facts: ${factNames.join(', ')}` });
    }
    if (typeof c.operator !== 'string' || !OPERATORS.includes(c.operator)) {
      problems.push({ code: 'rule.unknown-operator', file, field: `${path}.operator`, message: `unknown operator ${JSON.stringify(c.operator)}; accepted: ${OPERATORS.join(', ')}` });
    }
    if (!('value' in c)) problems.push({ code: 'rule.condition', file, field: `${path}.value`, message: 'a condition needs a value to compare with' });
    if (typeof c.name !== 'string') problems.push({ code: 'rule.condition', file, field: `${path}.name`, message: 'every condition needs a name (explanations and grounds refer to it)' });
    else named.push(c.name);
    JSON.stringify(c, (key, value: unknown) => {
      if (key === 'param' && !(String(value) in rule.parameters)) {
        problems.push({ code: 'rule.unknown-parameter', file, field: path, message: `parameter "${String(value)}" is not declared; declared: ${Object.keys(rule.parameters).join(', ') || 'none'}` });
      }
      return value;
    });
  };
  walk(rule.conditions, 'conditions');

  const words = new Set(['result', 'threshold', ...Object.keys(rule.parameters), ...WORDS[rule.scope].names]);
  for (const [name, template] of Object.entries(rule.explain)) {
    if (!named.includes(name)) problems.push({ code: 'rule.condition', file, field: fieldPath(['explain', name]), message: `no condition is named "${name}"; conditions: ${named.join(', ')}` });
    for (const [, word] of template.matchAll(/\{([^}]+)\}/g)) {
      if (!words.has(word!)) problems.push({ code: 'rule.unknown-placeholder', file, field: fieldPath(['explain', name]), message: `unknown placeholder {${word}}; accepted: ${[...words].map((w) => `{${w}}`).join(', ')}` });
    }
  }
  if (Object.keys(rule.explain).length === 0) problems.push({ file, field: 'explain', message: 'explain at least one condition' });
  for (const [field, fact] of [['concerns', rule.concerns], ['dueDate.from', rule.dueDate?.from]] as const) {
    if (fact !== undefined && !(fact in facts)) problems.push({ code: 'rule.unknown-fact', file, field, message: `unknown fact "${fact}" for scope ${rule.scope}; facts: ${factNames.join(', ')}` });
  }
  for (const [name, p] of Object.entries(rule.parameters)) {
    const message = checkParameterValue(p, p.default);
    if (message) problems.push({ code: 'pack.parameter-value', file, field: fieldPath(['parameters', name, 'default']), message });
  }
  if (rule.effectiveTo !== undefined && rule.effectiveTo < rule.effectiveFrom) {
    problems.push({ file, field: 'effectiveTo', message: `${rule.effectiveTo} is before effectiveFrom ${rule.effectiveFrom}` });
  }
  if (rule.period && rule.scope !== 'pupil') problems.push({ file, field: 'period', message: `only pupil-scope rules choose a period; ${rule.scope} rules fire once per ${rule.scope}` });
  if (problems.length > 0) throw new InputError(`${file} is not a valid rule`, problems);

  const values = Object.fromEntries(Object.entries(rule.parameters).map(([k, p]) => [k, p.default]));
  return { ...rule, values, resolvedConditions: resolveParams(rule.conditions, values) as Record<string, unknown>, file, facts };
}


/**
 * Builds a pack from rules, checking that versions of one rule never overlap in time.
 * @throws InputError when two versions of a rule are in force on the same day.
 */
export function buildRulePack(name: string, rules: readonly Rule[], customFacts: readonly AnyCustomFact[] = []): RulePack {
  const problems: Problem[] = [];
  const byId = new Map<string, Rule[]>();
  for (const r of rules) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  for (const [id, versions] of byId) {
    const sorted = [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    sorted.forEach((r, i) => {
      const next = sorted[i + 1];
      if (next && (r.effectiveTo === undefined || r.effectiveTo >= next.effectiveFrom)) {
        problems.push({ code: 'pack.overlapping-versions', file: next.file, field: 'effectiveFrom', message: `"${id}" v${next.version} starts ${next.effectiveFrom} while v${r.version} (${r.file}) is still in force; end v${r.version} the day before` });
      }
    });
  }
  if (problems.length > 0) throw new InputError(`rule pack "${name}" has overlapping rule versions`, problems);
  return new RulePack(name, [...rules].sort((a, b) => a.id.localeCompare(b.id) || a.version - b.version), customFacts);
}

let builtIn: RulePack | undefined;

/** The rules this package ships (statutory duties, PEAP, EBSNA, attendance), with their defaults. */
export function defaultRulePack(): RulePack {
  // Embedded at build time from rules/*.json: no file system, so the core runs in a browser.
  builtIn ??= buildRulePack('default', RULE_FILES.map(([file, json]) => parseRule(json, `rules/${file}`)));
  return builtIn;
}

/**
 * The default rules with the overrides of a rule-pack file's text applied (to read the file
 * itself, `loadRulePackFile` from `@before-exclusion/rules/node`).
 * @throws InputError when the text is not JSON or names what does not exist.
 */
export function parseRulePackText(text: string, file = 'rule pack'): RulePack {
  const json = parseJsonText(text, file, 'a rule-pack/1 JSON object: { "format": "rule-pack/1", "name": …, "parameters": { RULE_ID: { NAME: value } } }');
  return defaultRulePack().withOverrides(json as RulePackOverrides, file);
}
