/**
 * One case per placement, as a head sees it from the `cases` command on the demo school (today
 * 20 March 2026): an off-site direction opened by hand, opened again, its notice recorded, then the
 * rules run after the notice's day — still one case, nothing OVERDUE, the report counting one
 * direction. And a managed move agreed on a day still to come is refused.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const bin = join(root, 'packages/workflows/dist/cli.js');

function demoStore() {
  const db = join(mkdtempSync(join(tmpdir(), 'movement-twins-')), 'cases.db');
  const cases = (args: readonly string[], schoolDate?: string) => {
    const run = spawnSync(process.execPath, [bin, '--db', db, ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...(schoolDate ? { SCHOOL_DATE: schoolDate } : {}) } });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  expect(cases(['staff', 'packages/workflows/data/demo-staff.json']).code).toBe(0);
  expect(cases(['import', '--pupils', 'packages/rules/data/demo/pupils.ndjson', '--calendar', 'packages/rules/data/calendars/england-2025-26.example.json']).code).toBe(0);
  expect(cases(['evaluate', '--as-of', '2026-03-20']).code).toBe(0);
  return cases;
}

describe('a pupil movement from the cases command', () => {
  it('is one case per placement: opened again it is the same case, and the rules open no twin whose notice is overdue', () => {
    const cases = demoStore();
    const placement = ['open', 'off-site-direction', '--pupil', 'DEMO-010', '--data', '{"startDate":"2026-03-30","provider":"Hillside AP"}', '--as', 'demo-head'];
    const opened = cases(placement);
    expect(opened).toMatchObject({ code: 0, stdout: expect.stringMatching(/^off-site-direction-\w+: notice: due\n/) });
    const id = opened.stdout.split(':')[0]!;
    expect(cases(placement).stdout).toBe(`${id}: already open for this — notice: due\n`);
    expect(cases(['act', id, 'RECORD_NOTICE', '--data', '{"sentOn":"2026-03-20"}', '--as', 'demo-head']).stdout).toBe(`${id}: placement: running (revision 2)\n`);
    // The notice reached the pupil's record: the rules no longer ask for it.
    expect(cases(['show', id, '--as', 'demo-head']).stdout).not.toMatch(/no written notice to the parents is recorded/);

    // The rules run after the notice's day (Thu 26 March): nothing new opens.
    expect(cases(['evaluate', '--as-of', '2026-03-31'], '2026-03-31').stdout).toMatch(/opened 0 case\(s\)/);
    const listed = cases(['list', '--pupil', 'DEMO-010', '--as', 'demo-head'], '2026-03-31').stdout.split('\n');
    expect(listed.filter((line) => line.includes('off-site-direction'))).toEqual([expect.stringMatching(new RegExp(`^${id} .*placement: running$`))]);
    expect(cases(['list', '--pupil', 'DEMO-010', '--overdue', '--as', 'demo-head'], '2026-03-31').stdout).not.toContain('off-site-direction');

    const report = cases(['report', '--year', '2025/26', '--term', 'summer', '--format', 'csv', '--as', 'demo-officer']).stdout;
    expect(report).toMatch(/,DEMO-SCH,off-site-directions,total,all,1,/);
  });

  it('keeps the one case when the school\'s own record then brings the placement under the school system\'s id', () => {
    const cases = demoStore();
    const opened = cases(['open', 'off-site-direction', '--pupil', 'DEMO-010', '--data', '{"startDate":"2026-03-23","provider":"Learning Centre"}', '--as', 'demo-head']);
    const id = opened.stdout.split(':')[0]!;
    // The school's next export holds the placement as its system knows it (id D17); the import replaces the record.
    const demo = readFileSync(join(root, 'packages/rules/data/demo/pupils.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: string });
    const file = join(mkdtempSync(join(tmpdir(), 'movement-export-')), 'pupils.ndjson');
    writeFileSync(file, demo.map((p) => JSON.stringify(p.id === 'DEMO-010' ? { ...p, offSiteDirections: [{ id: 'D17', startDate: '2026-03-23', provider: 'Learning Centre' }] } : p)).join('\n'));
    expect(cases(['import', '--pupils', file, '--calendar', 'packages/rules/data/calendars/england-2025-26.example.json']).code).toBe(0);
    expect(cases(['evaluate', '--as-of', '2026-03-20']).stdout).toMatch(/opened 0 case\(s\)/);
    const listed = cases(['list', '--pupil', 'DEMO-010', '--as', 'demo-head']).stdout.split('\n').filter((line) => line.includes('off-site-direction'));
    expect(listed).toEqual([expect.stringMatching(new RegExp(`^${id} `))]);
  });

  it('refuses a managed move agreed on a day still to come; the day off roll may be planned', () => {
    const cases = demoStore();
    const refused = cases(['managed-move', '--pupil', 'DEMO-010', '--to', 'Hillside Academy', '--agreed', '2026-06-20', '--as', 'demo-head']);
    expect(refused).toMatchObject({ code: 2, stdout: '' });
    expect(refused.stderr).toContain('agreedOn: 2026-06-20 is after today (2026-03-20): record it on the day it was done, or after');
    const report = () => cases(['report', '--year', '2025/26', '--term', 'spring', '--format', 'csv', '--as', 'demo-officer']).stdout;
    expect(report()).not.toContain('managed-moves,total');
    expect(cases(['managed-move', '--pupil', 'DEMO-010', '--to', 'Hillside Academy', '--agreed', '2026-03-20', '--off-roll', '2026-04-20', '--as', 'demo-head']).stdout).toBe('managed move MM-2026-03-20 recorded on the pupil\n');
    expect(report()).toMatch(/,DEMO-SCH,managed-moves,total,all,1,/);
  });
});
