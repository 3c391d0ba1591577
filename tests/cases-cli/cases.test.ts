/**
 * The `cases` command as a user runs it, each call a separate process (so every call is also
 * a restart): importing all or nothing, opening cases from the rules idempotently, access by
 * school through the CLI, deadlines firing once, the audit trail verified and tampering
 * caught, and the figures on a hand-checked cohort.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), 'cases-cli-'));
  const db = join(dir, 'cases.db');
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const cases = (...args: string[]) => {
    const run = spawnSync(process.execPath, [bin, '--db', db, ...args], { encoding: 'utf8', env: { ...process.env, AUDIT_ANCHOR_KEY: 'cli-test-anchor-key-0123456789' } });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const staff = file('staff.json', {
    schools: [{ id: 'SCH-A', name: 'School A' }, { id: 'SCH-B', name: 'School B' }],
    staff: [
      { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
      { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
      { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] },
    ],
  });
  expect(cases('staff', staff).code).toBe(0);
  return { dir, db, file, cases };
}

const fixd = (id: string, startDate: string, sessions: number, reasons = ['DB']) => ({ id, category: 'FIXD', startDate, sessions, reasons });
const ndjson = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n');

/** One pupil with three suspensions in autumn-1 (3 incidents, 1 child), one with one, one permanently excluded. */
const cohort = ndjson(
  { id: 'P1', schoolId: 'SCH-A', sex: 'M', yearGroup: 9, send: 'K', exclusions: [fixd('X1', '2025-10-02', 2, ['PA']), fixd('X2', '2025-10-14', 2, ['PA', 'VA']), fixd('X3', '2025-10-21', 2)] },
  { id: 'P2', schoolId: 'SCH-A', sex: 'F', yearGroup: 10, exclusions: [fixd('X4', '2025-11-12', 4)] },
  { id: 'P3', schoolId: 'SCH-B', sex: 'M', yearGroup: 5, exclusions: [{ id: 'X5', category: 'PERM', startDate: '2026-01-14', reasons: ['OW'] }] },
);

describe('cases import', () => {
  it('is all or nothing: one bad record and nothing is written, every problem listed', () => {
    const { file, cases } = workspace();
    const bad = file('bad.ndjson', ndjson({ id: 'P1', schoolId: 'SCH-A' }, { id: 'P2', schoolId: 'SCH-A', exclusions: [{ ...fixd('X1', '2025-10-27', 2) }] }, { id: 'P3', schoolId: 'SCH-A', send: 'maybe' }));
    const run = cases('import', '--pupils', bad, '--calendar', calendar);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('line 2 (pupil P2), exclusions[0].startDate: Monday 27 Oct 2025 is not a school day');
    expect(run.stderr).toContain('line 3 (pupil P3), send: expected none, K (SEN support) or E (EHC plan)');
    expect(cases('report', '--year', '2025/26', '--quarter', '4', '--as', 'officer').stdout).toContain('"measure": "suspension-incidents",\n      "breakdown": "total",\n      "category": "all",\n      "value": 0');
  });
});

describe('cases evaluate, list, show and act', () => {
  it('opens cases once, keeps each head to their school, and acts through the CLI', () => {
    const { file, cases } = workspace();
    expect(cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar).stdout).toBe('imported 3 pupils of 2 school(s) (SCH-A, SCH-B) with the 2025/26 calendar\n');
    expect(cases('evaluate', '--as-of', '2026-01-20').stdout).toMatch(/opened 6 case\(s\), updated 0, 0 already open/);
    expect(cases('evaluate', '--as-of', '2026-01-20').stdout).toMatch(/opened 0 case\(s\), updated 0, 6 already open/);

    const listA = cases('list', '--as', 'head-a').stdout;
    expect(listA.match(/^peap-/gm)).toHaveLength(1);
    expect(listA).not.toContain('SCH-B');
    const peap = /^(peap-\w+)/m.exec(listA)![1]!;
    const suspensionB = /^(suspension-\w+)/m.exec(cases('list', '--as', 'head-b').stdout)![1]!;

    expect(cases('show', suspensionB, '--as', 'head-a')).toMatchObject({ code: 2, stderr: `cases: no case ${suspensionB} that you can see\n` });
    expect(cases('act', suspensionB, 'RECORD_NOTICE', '--as', 'head-a', '--data', '{"recipient":"parents","method":"letter","sentOn":"2026-01-14"}').code).toBe(2);
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'officer', '--data', '{"date":"2026-01-22"}').stderr).toBe(
      'cases: an inclusion-officer reads cases and adds audit notes but does not act on them\n',
    );
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'head-a', '--data', '{"date":"2026-01-22"}').stdout).toBe(`${peap}: meeting-scheduled (revision 2)\n`);
    expect(cases('act', peap, 'DECIDE', '--as', 'head-a', '--data', '{"decision":"permanent-exclusion","rationale":"x","followUpDate":"2026-03-01"}').stderr).toMatch(
      /^cases: the decision comes after the head's reflection/,
    );
    // Opening by hand: reintegration dates are counted in school weeks on the school's calendar.
    const reintegration = cases('open', 'reintegration', '--pupil', 'P2', '--as', 'head-a', '--data', '{"startDate":"2025-11-12"}');
    expect(reintegration.stdout).toMatch(/^reintegration-\w+: on-pathway: active\n$/);
    const shownReintegration = cases('show', reintegration.stdout.split(':')[0]!, '--as', 'head-a').stdout;
    expect(shownReintegration).toContain('deadline reintegration: week 10 warning: 2026-02-05 (pending)');
    expect(shownReintegration).toContain('deadline reintegration: return by week 12: 2026-02-26 (pending)');
    expect(cases('open', 'ebsna', '--pupil', 'P3', '--as', 'head-a', '--data', '{"attendanceAtReferral":70}')).toMatchObject({ code: 2, stderr: 'cases: no pupil P3 that you can see\n' });

    const shown = cases('show', peap, '--as', 'officer').stdout;
    expect(shown).toContain('opened by peap.required v1');
    expect(shown).toMatch(/head-a \(headteacher\) event SCHEDULE_MEETING/);
  });
});

describe('cases tick', () => {
  it('fires a deadline that fell due while nothing was running, once', () => {
    const { file, cases } = workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    // P3's permanent exclusion: full-time education from the sixth day (21 Jan), board review due 4 Feb.
    const first = cases('tick', '--now', '2026-02-05T08:00:00Z').stdout;
    expect(first).toMatch(/deadlines fired: 2 \(0 no longer relevant\)/);
    expect(cases('tick', '--now', '2026-02-06T08:00:00Z').stdout).toMatch(/deadlines fired: 0 /);
    expect(cases('list', '--as', 'head-b', '--overdue', '--now', '2026-02-06T08:00:00Z').stdout).toMatch(/OVERDUE: full-time education from the sixth day 2026-01-21, governing board review 2026-02-04/);
  });
});

describe('cases audit verify', () => {
  it('passes on an untouched store and names the row that was edited', () => {
    const { db, file, cases } = workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    expect(cases('audit', 'verify')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log verified: \d+ rows, anchored at row \d+\n$/) });
    const raw = new Database(db);
    raw.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone-else' WHERE seq = 8;");
    raw.close();
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: 'AUDIT LOG BROKEN at row 8: row 8 has been altered: its contents do not match its hash\n' });
  });
});

describe('cases report', () => {
  it('counts incidents and children on a hand-checked cohort, per school and overall', () => {
    const { file, cases } = workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    const report = JSON.parse(cases('report', '--year', '2025/26', '--quarter', '2', '--as', 'officer').stdout) as { periodEnd: string; rows: { school: string; measure: string; breakdown: string; category: string; value: number | null }[] };
    const value = (school: string, measure: string, breakdown: string, category: string) =>
      report.rows.find((r) => r.school === school && r.measure === measure && r.breakdown === breakdown && r.category === category)?.value;
    expect(report.periodEnd).toBe('2026-03-31');
    expect(value('SCH-A', 'suspension-incidents', 'total', 'all')).toBe(4);
    expect(value('SCH-A', 'children-suspended', 'total', 'all')).toBe(2);
    expect(value('SCH-A', 'suspension-incidents', 'reason', 'PA')).toBe(2);
    expect(value('SCH-A', 'children-suspended', 'reason', 'PA')).toBe(1);
    expect(value('SCH-A', 'suspension-incidents', 'key-stage', 'KS3')).toBe(3);
    expect(value('all', 'children-permanently-excluded', 'key-stage', 'KS2')).toBe(1);
    expect(value('SCH-B', 'suspension-incidents', 'total', 'all')).toBe(0);

    const published = cases('report', '--year', '2025/26', '--quarter', '2', '--as', 'officer', '--publication', '--format', 'csv').stdout;
    expect(published).toContain('2025/26,2,2026-03-31,SCH-A,suspension-incidents,total,all,4');
    expect(published).toContain('2025/26,2,2026-03-31,SCH-A,children-suspended,total,all,c');
    expect(cases('report', '--year', '2025/26', '--quarter', '2', '--as', 'head-a', '--school', 'SCH-B').code).toBe(2);
  });
});
