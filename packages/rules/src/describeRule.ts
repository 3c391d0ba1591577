/**
 * A rule in words, for `rules explain` and for anyone auditing what the product checks:
 * what it means, when it is in force, where it comes from, and its conditions in English.
 */
import type { Rule } from './rulePack.js';

const OPERATOR_WORDS: Readonly<Record<string, string>> = {
  equal: 'is',
  notEqual: 'is not',
  lessThan: 'is below',
  lessThanInclusive: 'is at most',
  greaterThan: 'is more than',
  greaterThanInclusive: 'is at least',
  in: 'is one of',
  notIn: 'is none of',
  contains: 'includes',
  doesNotContain: 'does not include',
};

/** What changed from one version to the next, as a reader auditing a change in the law wants it: only what differs. */
function changes(before: Rule, after: Rule): string[] {
  const out: string[] = [];
  if (before.source.citation !== after.source.citation) out.push(`source: was ${before.source.citation}`);
  const was = conditionLines(before.resolvedConditions, before, '').map((l) => l.trim());
  const now = conditionLines(after.resolvedConditions, after, '').map((l) => l.trim());
  for (const line of now) if (line.startsWith('- ') && !was.includes(line)) out.push(`now also: ${line.slice(2)}`);
  for (const line of was) if (line.startsWith('- ') && !now.includes(line)) out.push(`no longer: ${line.slice(2)}`);
  if (was.join() !== now.join() && out.every((l) => !l.startsWith('now also') && !l.startsWith('no longer'))) out.push('conditions regrouped (see above)');
  const due = (r: Rule) => (r.dueDate ? `${r.dueDate.schoolDays === 0 ? '' : `${r.dueDate.schoolDays} school days after `}${r.dueDate.from}` : 'none');
  if (due(before) !== due(after)) out.push(`due: was ${due(before)}, now ${due(after)}`);
  const params = (r: Rule) => Object.keys(r.parameters).sort().join(', ') || 'none';
  if (params(before) !== params(after)) out.push(`settings: were ${params(before)}, now ${params(after)}`);
  if (JSON.stringify(before.explain) !== JSON.stringify(after.explain)) out.push('the explanation\'s wording');
  return out.length > 0 ? out : ['nothing but the dates in force'];
}

/** Every version of one rule, described in plain text. */
export function describeRule(versions: readonly Rule[]): string {
  const latest = versions[versions.length - 1];
  if (!latest) return '';
  const lines = [`${latest.id} — ${latest.title}`, ''];
  if (latest.description) lines.push(latest.description, '');
  lines.push(`Trigger id: ${latest.trigger} · evaluated once per ${latest.scope === 'pupil' ? (latest.period === 'half-term' ? 'pupil per half-term' : 'pupil per academic year') : latest.scope}`);
  for (const rule of versions) {
    lines.push('', `Version ${rule.version}: in force ${rule.effectiveFrom} to ${rule.effectiveTo ?? 'now'}`);
    lines.push(`  Source (${rule.source.kind}): ${rule.source.citation}${rule.source.reference ? ` [${rule.source.reference}]` : ''}`);
    if (rule !== latest && rule.description && rule.description !== latest.description) lines.push(`  Meaning then: ${rule.description}`);
    lines.push('  Fires when:');
    lines.push(...conditionLines(rule.resolvedConditions, rule, '    '));
    if (rule.dueDate) {
      const from = describeFact(rule, rule.dueDate.from);
      lines.push(`  Due: ${rule.dueDate.schoolDays === 0 ? from : `${rule.dueDate.schoolDays} school days after ${from}`}`);
    }
    const params = Object.entries(rule.parameters);
    if (params.length > 0) {
      lines.push('  Settings (a rule pack may change these):');
      for (const [name, p] of params) {
        const bounds = [p.minimum !== undefined ? `min ${p.minimum}` : '', p.maximum !== undefined ? `max ${p.maximum}` : ''].filter(Boolean).join(', ');
        const value = rule.values[name];
        lines.push(`    ${name} = ${String(value)}${value !== p.default ? ` (default ${String(p.default)})` : ''} — ${p.description}${bounds ? ` [${bounds}]` : ''}`);
      }
    }
  }
  if (versions.length > 1) {
    lines.push('', 'What changed:');
    for (let i = 1; i < versions.length; i++) {
      const [before, after] = [versions[i - 1]!, versions[i]!];
      lines.push(`  version ${before.version} → ${after.version}, from ${after.effectiveFrom}:`, ...changes(before, after).map((c) => `    - ${c}`));
    }
  }
  return lines.join('\n');
}

function conditionLines(node: unknown, rule: Rule, indent: string): string[] {
  const c = node as Record<string, unknown>;
  for (const op of ['all', 'any'] as const) {
    if (Array.isArray(c[op])) {
      const children = c[op] as unknown[];
      const head = `${indent}${op === 'all' ? 'all of' : 'any of'}:`;
      return [head, ...children.flatMap((child) => conditionLines(child, rule, `${indent}  `))];
    }
  }
  if (c.not) return [`${indent}not:`, ...conditionLines(c.not, rule, `${indent}  `)];
  const params = c.params && typeof c.params === 'object' ? ` (${Object.entries(c.params).map(([k, v]) => `${k} ${String(v)}`).join(', ')})` : '';
  const value = Array.isArray(c.value) ? c.value.join(', ') : String(c.value);
  return [`${indent}- ${describeFact(rule, String(c.fact))}${params} ${OPERATOR_WORDS[String(c.operator)] ?? String(c.operator)} ${value}  [${String(c.name)}]`];
}

function describeFact(rule: Rule, name: string): string {
  // The rule's own catalogue: a pack's custom facts are described as the built-in ones are.
  return (Object.hasOwn(rule.facts, name) ? rule.facts[name]?.description : undefined) ?? name;
}
