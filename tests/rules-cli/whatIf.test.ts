/**
 * `rules what-if` as a user runs it: a pupils file, the rules in use, a proposed rule pack;
 * which pupils would gain or lose which triggers, as a table, JSON and CSV, with small numbers
 * withheld; and bad input refused whole, nothing compared.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/rules/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
const dir = mkdtempSync(join(tmpdir(), 'rules-what-if-'));

function rules(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: root });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const fixd = (id: string, startDate: string) => ({ id, category: 'FIXD', startDate, sessions: 2, reasons: ['DB'] });
const two = [fixd('X1', '2025-10-02'), fixd('X2', '2025-10-14')];
const three = [...two, fixd('X3', '2025-10-09')];
// 10 pupils: 3 with two suspensions in a half-term (a PEAP at 2, none at 3), 3 with three, 4 with none; 4 on free school meals.
const cohort = [
  ...['A1', 'A2', 'A3'].map((id) => ({ id, schoolId: 'SCH1', fsm: true, exclusions: two })),
  ...['B1', 'B2', 'B3'].map((id, i) => ({ id, schoolId: 'SCH1', fsm: i === 0, exclusions: three })),
  ...['C1', 'C2', 'C3', 'C4'].map((id) => ({ id, schoolId: 'SCH1' })),
];
const pupils = file('pupils.ndjson', cohort.map((p) => JSON.stringify(p)).join('\n'));
const proposed = file('peap-at-3.json', JSON.stringify({ format: 'rule-pack/1', name: 'PEAP at 3', parameters: { 'peap.required': { threshold: 3 } } }));

describe('rules what-if', () => {
  it('says which pupils would lose which trigger if the PEAP threshold went from 2 to 3', () => {
    const { code, stdout, stderr } = rules('what-if', '--calendar', calendar, '--pupils', pupils, '--vs', proposed, '--as-of', '2025-11-20');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('What if the rules were "PEAP at 3" instead of "default": 10 pupils as of 2025-11-20 on England 2025/26 (example)');
    expect(lines[1]).toMatch(/^Pupils who would gain a trigger: 0; who would lose one: 3 /);
    expect(lines.find((l) => l.includes('peap.required'))?.trim().split(/\s+/)).toEqual(['peap.required', '6', '3', '0', '3']);
    // On free school meals: 4 pupils, 3 losing (75 per 100); not: 6 pupils, none losing.
    expect(lines.find((l) => l.includes('free school meals'))?.trim().split(/\s+/)).toEqual(['free', 'school', 'meals', 'eligible', '4', 'gain', '0', '0.0', 'lose', '3', '75.0']);
    expect(stdout).toContain('Pupils affected:\n  A1 (school SCH1): loses peap.required (2025/26 autumn-1)\n  A2 (school SCH1): loses peap.required (2025/26 autumn-1)\n  A3 (school SCH1): loses peap.required (2025/26 autumn-1)\n');
  });

  it('gives the same answer as JSON and as CSV, every pupil listed', () => {
    const json = JSON.parse(rules('what-if', '--calendar', calendar, '--pupils', pupils, '--vs', proposed, '--as-of', '2025-11-20', '--format', 'json').stdout);
    expect(json).toMatchObject({ pupils: 10, pupilsGaining: 0, pupilsLosing: 3, current: 'default', proposed: 'PEAP at 3' });
    expect(json.differences.map((d: { pupilId: string }) => d.pupilId)).toEqual(['A1', 'A2', 'A3']);
    const csv = rules('what-if', '--calendar', calendar, '--pupils', pupils, '--vs', proposed, '--as-of', '2025-11-20', '--format', 'csv').stdout.trimEnd().split('\r\n');
    expect(csv[0]).toBe('section,characteristic,group,trigger,period,pupilId,schoolId,change,pupils,now,proposed,gaining,gainingRate,losing,losingRate');
    expect(csv).toContain('trigger,,,peap.required,,,,,,6,3,0,,3,');
    expect(csv).toContain('pupil,,,peap.required,2025/26 autumn-1,A2,SCH1,loses,,,,,,,');
    // Looked after: none of the 10; 10 not: shown. Sex unknown for all.
    expect(csv).toContain('group,looked after,not looked after,,,,,,10,,,0,0,3,30');
  });

  it('refuses a bad pupils file whole, naming each line, and compares nothing', () => {
    const bad = file('bad.ndjson', [JSON.stringify(cohort[0]), '{ "id": "Z1" }', JSON.stringify(cohort[0])].join('\n'));
    const { code, stdout, stderr } = rules('what-if', '--calendar', calendar, '--pupils', bad, '--vs', proposed, '--as-of', '2025-11-20');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe(`${bad}: 2 problems; nothing was compared`);
    expect(stderr).toContain(`${bad} line 2 (pupil Z1), schoolId:`);
    expect(stderr).toContain(`${bad} line 3 (pupil A1), id: pupil A1 already appears at line 1; one record per pupil`);
    expect(rules('what-if', '--calendar', calendar, '--pupils', pupils).stderr).toBe('rules: --vs is required (rules --help for usage)\n');
  });
});
