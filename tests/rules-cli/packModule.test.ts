/**
 * A rule pack made in code — custom facts and rules — given to the `rules` command as an ES
 * module: `rules explain` describes the custom fact, `rules evaluate` fires the custom rule,
 * and a module that gives no pack, or builds one the library refuses, is a clear error (exit 2).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/rules/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
// The module imports the same build the command runs, as an embedder's module imports their installed package.
const library = pathToFileURL(join(root, 'packages/rules/dist/index.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'rules-pack-module-'));

function rules(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

const termReview = {
  id: 'trust.term-review', trigger: 'trust.term-review', version: 1, scope: 'pupil', effectiveFrom: '2025-09-01',
  title: 'Trust review after repeated suspensions in a term',
  source: { kind: 'setting', citation: 'Example Trust behaviour policy, section 7' },
  parameters: { threshold: { type: 'integer', default: 3, minimum: 1, description: 'suspensions in a term that call for a review' } },
  conditions: { all: [{ name: 'repeated', fact: 'suspensionsThisTerm', operator: 'greaterThanInclusive', value: { param: 'threshold' } }] },
  explain: { repeated: '{result} suspensions started this term; the trust reviews at {threshold}' },
};

const packModule = (rulesJson: object[]) => `
import { defaultRulePack, defineFact } from ${JSON.stringify(library)};
const suspensionsThisTerm = defineFact({
  name: 'suspensionsThisTerm', scope: 'pupil', type: 'number',
  description: 'suspensions, not cancelled, that started in the term of the evaluation date',
  value: ({ pupil }) => pupil.exclusions.filter((e) => e.isSuspension && pupil.calendar.termOf(e.startDate) === pupil.calendar.termOf(pupil.asOf)).length,
});
export default defaultRulePack().extend({ name: 'Example Trust', facts: [suspensionsThisTerm], rules: ${JSON.stringify(rulesJson)} });
`;

describe('a rule pack module', () => {
  const pack = file('trust.pack.mjs', packModule([termReview]));

  it('is explained, custom fact and all', () => {
    const { code, stdout } = rules('explain', 'trust.term-review', '--rules', pack);
    expect(code).toBe(0);
    expect(stdout).toContain('- suspensions, not cancelled, that started in the term of the evaluation date is at least 3  [repeated]');
    expect(rules('explain', '--rules', pack).stdout).toContain('Rules in pack "Example Trust"');
  });

  it('fires its custom rule beside the statutory ones', () => {
    const fixd = (id: string, startDate: string) => ({ id, category: 'FIXD', startDate, sessions: 2, reasons: ['DB'] });
    const pupils = file('pupils.ndjson', `${JSON.stringify({ id: 'P7', schoolId: 'SCH1', exclusions: [fixd('S1', '2025-09-15'), fixd('S2', '2025-10-02'), fixd('S3', '2025-11-12')] })}\n`);
    const { code, stdout, stderr } = rules('evaluate', '--calendar', calendar, '--pupils', pupils, '--as-of', '2025-11-20', '--rules', pack, '--format', 'json');
    expect(stderr).toMatch(/with rules "Example Trust"/);
    expect(code).toBe(0);
    const triggers = JSON.parse(stdout) as { trigger: string; explanation: string }[];
    expect(triggers.find((t) => t.trigger === 'trust.term-review')?.explanation).toBe('3 suspensions started this term; the trust reviews at 3');
    expect(triggers.filter((t) => t.trigger === 'statutory.notify-parents')).toHaveLength(3);
  });

  it('that overrides a statutory rule is refused with its problems, exit 2, no stack', () => {
    const bad = file('bad.pack.mjs', packModule([{ ...termReview, id: 'statutory.notify-parents', trigger: 'statutory.notify-parents' }]));
    const { code, stderr } = rules('explain', '--rules', bad);
    expect(code).toBe(2);
    expect(stderr).toMatch(/"statutory\.notify-parents" is a statutory rule: it cannot be replaced/);
    expect(stderr).toMatch(/"statutory\.notify-parents" is a trigger id the package defines/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('that gives no pack, or is missing, says what is expected', () => {
    const none = file('none.mjs', 'export default { name: "not a pack" };\n');
    expect(rules('explain', '--rules', none)).toMatchObject({ code: 2, stderr: expect.stringMatching(/gives no rule pack[\s\S]*default export is a RulePack/) });
    expect(rules('explain', '--rules', join(dir, 'missing.mjs'))).toMatchObject({ code: 2, stderr: expect.stringMatching(/missing\.mjs: no such file/) });
  });
});
