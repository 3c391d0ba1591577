/**
 * The `cases` command as a user runs it, each call a separate process (so every call is also
 * a restart): importing all or nothing, opening cases from the rules idempotently, access by
 * school through the CLI, deadlines firing once, the audit trail verified and tampering
 * caught (on SQLite, and on PostgreSQL when there is a server), the figures on a hand-checked
 * cohort, and a store backed up, restored and moved to PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asAttacker, deleteAuditRows, editAuditRow, truncateAuditLog } from '../support/attacker.js';
import { backends, freshDatabase, POSTGRES_URL, type Backend } from '../support/postgres.js';
import { withStore } from '../support/stores.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
const ANCHOR_KEY = 'cli-test-anchor-key-0123456789';

/**
 * A folder to run `cases` in (its working directory), with a store holding two schools and
 * their staff: a SQLite file there, or a fresh PostgreSQL database with the anchor in the
 * folder (AUDIT_ANCHOR_FILE).
 */
async function workspace(backend: Backend = 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'cases-cli-'));
  const db = backend === 'postgres' ? await freshDatabase('cli') : join(dir, 'cases.db');
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: ANCHOR_KEY };
  for (const name of ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE']) delete env[name];
  if (backend === 'postgres') env.AUDIT_ANCHOR_FILE = join(dir, 'audit.anchor');
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  /** `cases ARGS` without --db, with more environment if given. */
  const run = (args: string[], more: NodeJS.ProcessEnv = {}) => {
    const result = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { ...env, ...more } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const cases = (...args: string[]) => run(['--db', db, ...args]);
  const staff = file('staff.json', {
    schools: [{ id: 'SCH-A', name: 'School A' }, { id: 'SCH-B', name: 'School B' }],
    staff: [
      { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
      { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
      { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] },
    ],
  });
  expect(cases('staff', staff).code).toBe(0);
  return { dir, db, file, cases, run };
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
  it('is all or nothing: one bad record and nothing is written, every problem listed', async () => {
    const { file, cases } = await workspace();
    const bad = file('bad.ndjson', ndjson({ id: 'P1', schoolId: 'SCH-A' }, { id: 'P2', schoolId: 'SCH-A', exclusions: [{ ...fixd('X1', '2025-10-27', 2) }] }, { id: 'P3', schoolId: 'SCH-A', send: 'maybe' }));
    const run = cases('import', '--pupils', bad, '--calendar', calendar);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('line 2 (pupil P2), exclusions[0].startDate: Monday 27 Oct 2025 is not a school day');
    expect(run.stderr).toContain('line 3 (pupil P3), send: expected none, K (SEN support) or E (EHC plan)');
    expect(cases('report', '--year', '2025/26', '--quarter', '4', '--as', 'officer').stdout).toContain('"measure": "suspension-incidents",\n      "breakdown": "total",\n      "category": "all",\n      "value": 0');
  });
});

describe('cases evaluate, list, show and act', () => {
  it('opens no new case for a pupil who had left before the date, and says so', async () => {
    const { file, cases } = await workspace();
    const pupils = ndjson(
      { id: 'L1', schoolId: 'SCH-A', leftOn: '2025-12-12', exclusions: [fixd('LX1', '2025-10-02', 2), fixd('LX2', '2025-10-14', 2)] },
      { id: 'P2', schoolId: 'SCH-A', exclusions: [fixd('X4', '2025-11-12', 4)] },
    );
    expect(cases('import', '--pupils', file('pupils.ndjson', pupils), '--calendar', calendar).code).toBe(0);
    // L1's PEAP and two suspension cases are not opened; P2's suspension case is.
    expect(cases('evaluate', '--as-of', '2026-01-20').stdout).toMatch(/^evaluated 2 pupils as of 2026-01-20: \d+ triggers; opened 1 case\(s\), updated 0, 0 already open; 3 not opened for 1 pupil\(s\) who had left\n$/);
    const list = cases('list', '--as', 'head-a').stdout;
    expect(list).toContain('pupil P2');
    expect(list).not.toContain('pupil L1');
  });

  it('opens cases once, keeps each head to their school, and acts through the CLI', async () => {
    const { file, cases } = await workspace();
    expect(cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar).stdout).toBe('imported 3 pupils of 2 school(s) (SCH-A, SCH-B) with the 2025/26 calendar\n');
    expect(cases('evaluate', '--as-of', '2026-01-20').stdout).toMatch(/opened 6 case\(s\), updated 0, 0 already open/);
    expect(cases('evaluate', '--as-of', '2026-01-20').stdout).toMatch(/opened 0 case\(s\), updated 0, 6 already open/);

    const listA = cases('list', '--as', 'head-a').stdout;
    expect(listA.match(/^peap-/gm)).toHaveLength(1);
    expect(listA).not.toContain('SCH-B');
    const peap = /^(peap-\w+)/m.exec(listA)![1]!;
    const suspensionB = /^(suspension-\w+)/m.exec(cases('list', '--as', 'head-b').stdout)![1]!;
    // One pupil's cases: every line names them, and no other pupil.
    const one = cases('list', '--as', 'head-a', '--pupil', 'P1').stdout.trim().split('\n');
    expect(one.length).toBeGreaterThan(0);
    expect(one.every((line) => line.includes('pupil P1 '))).toBe(true);
    expect(listA.split('\n').filter((line) => line.includes('pupil P1 '))).toHaveLength(one.length);

    expect(cases('show', suspensionB, '--as', 'head-a')).toMatchObject({ code: 2, stderr: `cases: no case ${suspensionB} that you can see\n` });
    expect(cases('act', suspensionB, 'RECORD_NOTICE', '--as', 'head-a', '--data', '{"recipient":"parents","method":"letter","sentOn":"2026-01-14"}').code).toBe(2);
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'officer', '--data', '{"date":"2026-01-22"}').stderr).toBe(
      'cases: an inclusion officer reads cases and adds audit notes but does not act on them\n',
    );
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'head-a', '--data', '{"date":"2026-01-22"}').stdout).toBe(`${peap}: meeting-scheduled (revision 2)\n`);
    expect(cases('act', peap, 'DECIDE', '--as', 'head-a', '--data', '{"decision":"permanent-exclusion","rationale":"x","followUpDate":"2026-03-01"}').stderr).toMatch(
      /^cases: the decision comes after the head's reflection/,
    );
    // Opening by hand: reintegration dates are counted in school weeks on the school's calendar.
    const reintegration = cases('open', 'reintegration', '--pupil', 'P2', '--as', 'head-a', '--data', '{"startDate":"2025-11-12"}');
    expect(reintegration.stdout).toMatch(/^reintegration-\w+: on-pathway: active\n$/);
    const shownReintegration = cases('show', reintegration.stdout.split(':')[0]!, '--as', 'head-a').stdout;
    expect(shownReintegration).toContain('reintegration: week 10 warning, due Thursday 5 Feb 2026: ');
    expect(shownReintegration).toContain('reintegration: return by week 12, due Thursday 26 Feb 2026: ');
    expect(cases('open', 'ebsna', '--pupil', 'P3', '--as', 'head-a', '--data', '{"attendanceAtReferral":70}')).toMatchObject({ code: 2, stderr: 'cases: no pupil P3 that you can see\n' });

    const shown = cases('show', peap, '--as', 'officer').stdout;
    expect(shown).toMatch(/^Pre-exclusion assessment — P1 \(case peap-\w+, school SCH-A\)\nnow: meeting scheduled — pupil's voice next\nOpened because: .+ \(rule peap\.required, version 1\)\nopened /);
    expect(shown).toMatch(/head-a \(headteacher\): set the meeting for Thursday 22 Jan 2026/);
  });
});

describe('cases tick', () => {
  it('fires a deadline that fell due while nothing was running, once', async () => {
    const { file, cases } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    // P3's permanent exclusion: full-time education from the sixth day (21 Jan), board review due 4 Feb.
    const first = cases('tick', '--now', '2026-02-05T08:00:00Z').stdout;
    expect(first).toMatch(/deadlines fired: 2 \(0 no longer relevant\)/);
    expect(cases('tick', '--now', '2026-02-06T08:00:00Z').stdout).toMatch(/deadlines fired: 0 /);
    expect(cases('list', '--as', 'head-b', '--overdue', '--now', '2026-02-06T08:00:00Z').stdout).toMatch(/OVERDUE: notify the parents in writing, without delay 2026-01-14, .*full-time education from the sixth day 2026-01-21, the governing board's review 2026-02-04\n$/);
  });
});

describe.each(backends())('cases audit verify (%s store)', (backend) => {
  /** A store with the cohort imported and its cases opened: some twenty audit rows. */
  async function populated() {
    const ws = await workspace(backend);
    expect(ws.cases('import', '--pupils', ws.file('pupils.ndjson', cohort), '--calendar', calendar).code).toBe(0);
    expect(ws.cases('evaluate', '--as-of', '2026-01-20').code).toBe(0);
    const verified = ws.cases('audit', 'verify');
    expect(verified).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log verified: \d+ rows, anchored at row \d+\n$/) });
    const rows = Number(/verified: (\d+) rows, anchored at row \1\n/.exec(verified.stdout)![1]);
    expect(rows).toBeGreaterThan(10);
    return { ...ws, rows };
  }

  it('passes on an untouched store and names the row that was edited', async () => {
    const { db, cases } = await populated();
    await editAuditRow(db, 8, 'actor', 'someone-else');
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: 'AUDIT LOG BROKEN at row 8: row 8 has been altered: its contents do not match its hash\n' });
  });

  it('notices rows cut off the end, a row deleted from the middle, and the whole log emptied', async () => {
    const { db, cases, rows } = await populated();
    await deleteAuditRows(db, { fromSeq: rows - 1 });
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: `AUDIT LOG BROKEN at row ${rows - 1}: the log ends at row ${rows - 2} but the anchor records row ${rows}: rows have been removed from the end\n` });
    await deleteAuditRows(db, { seq: 5 });
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: 'AUDIT LOG BROKEN at row 5: row 5 is missing (the next row is 6)\n' });
    await truncateAuditLog(db);
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: `AUDIT LOG BROKEN at row 1: the log ends at row 0 but the anchor records row ${rows}: rows have been removed from the end\n` });
  });

  it('refuses an edit, a delete and an emptying while the append-only protection is on', async () => {
    const { db, cases } = await populated();
    const attempts = ["UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3", 'DELETE FROM audit_log WHERE seq = 3', backend === 'postgres' ? 'TRUNCATE audit_log' : 'DELETE FROM audit_log'];
    for (const sql of attempts) {
      await expect(asAttacker(db, (raw) => raw.run(sql), { keepProtection: true }), sql).rejects.toThrow(/append-only/);
    }
    expect(cases('audit', 'verify').code).toBe(0);
  });
});

describe('cases backup and restore', () => {
  it('restores a backup whose audit trail verifies, never over a store, and refuses a tampered one, putting nothing in place', async () => {
    const { dir, file, cases, run } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    const peap = /^(peap-\w+)/m.exec(cases('list', '--as', 'head-a').stdout)![1]!;
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'head-a', '--data', '{"date":"2026-01-22"}').code).toBe(0);
    const original = cases('audit', 'verify');
    expect(original.code).toBe(0);

    const backup = join(dir, 'backups', 'monday.db');
    const made = cases('backup', backup);
    expect(made).toMatchObject({ code: 0, stdout: expect.stringContaining(`backed up ${join(dir, 'cases.db')} to ${backup}`) });
    expect(existsSync(`${backup}.anchor`)).toBe(true);

    // A new machine's store, from the backup: the same trail, the same cases.
    const restored = join(dir, 'restored.db');
    expect(run(['restore', backup, '--db', restored])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^restored ${backup} to ${restored}: audit log verified, \\d+ rows, anchored at ${restored}.anchor\n$`)) });
    expect(run(['--db', restored, 'audit', 'verify'])).toMatchObject({ code: 0, stdout: original.stdout });
    expect(run(['--db', restored, 'list', '--as', 'officer']).stdout).toBe(cases('list', '--as', 'officer').stdout);
    // It carries on where the backup ends: a read audited, the trail anchored and verified.
    expect(run(['--db', restored, 'show', peap, '--as', 'head-a']).stdout).toMatch(new RegExp(`^Pre-exclusion assessment — P1 \\(case ${peap}, school SCH-A\\)\nnow: meeting scheduled`));
    expect(run(['--db', restored, 'audit', 'verify']).code).toBe(0);
    // Restoring never overwrites a store.
    expect(run(['restore', backup, '--db', restored])).toMatchObject({ code: 2, stderr: expect.stringContaining('exists: move it aside first') });

    // An attacker edits a row in a backup: restoring it is refused, and nothing is put in place.
    const tampered = join(dir, 'backups', 'tuesday.db');
    expect(cases('backup', tampered).code).toBe(0);
    await editAuditRow(tampered, 3, 'actor', 'someone-else');
    const target = join(dir, 'elsewhere', 'cases.db');
    mkdirSync(dirname(target));
    const refused = run(['restore', tampered, '--db', target]);
    expect(refused).toMatchObject({ code: 3, stdout: "NOT RESTORED: the backup's audit log does not verify (row 3: row 3 has been altered: its contents do not match its hash)\n" });
    expect(readdirSync(dirname(target))).toEqual([]);
  });
});

describe('cases migrate-store', () => {
  it.skipIf(!POSTGRES_URL)('copies a SQLite store into an empty PostgreSQL database, verified, and will not copy into one that holds data', async () => {
    const { dir, db, file, cases, run } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    const peap = /^(peap-\w+)/m.exec(cases('list', '--as', 'head-a').stdout)![1]!;
    expect(cases('act', peap, 'SCHEDULE_MEETING', '--as', 'head-a', '--data', '{"date":"2026-01-22"}').code).toBe(0);
    const rows = Number(/^audit log verified: (\d+) rows/.exec(cases('audit', 'verify').stdout)![1]);

    // The copy's anchor goes where the service on PostgreSQL will look: AUDIT_ANCHOR_FILE.
    const target = await freshDatabase('migrate');
    const pg = { AUDIT_ANCHOR_FILE: join(dir, 'postgres.anchor') };
    const copied = run(['migrate-store', '--from', `sqlite:${db}`, '--to', target], pg);
    expect(copied).toMatchObject({ code: 0, stderr: '' });
    expect(copied.stdout).toMatch(
      new RegExp(`^copied 2 schools, 2 calendars, 3 staff, 4 staff_schools, 3 pupils, 6 cases, \\d+ deadlines, 6 outbox, 0 staff_addresses, 0 deliveries, 0 letters, 0 pupil_keys, 0 pupil_names, 0 mis_cursors, ${rows} audit_log\nthe copy's audit log verified: ${rows} rows, anchored at row ${rows}\n$`),
    );
    expect(existsSync(pg.AUDIT_ANCHOR_FILE)).toBe(true);

    expect(run(['--db', target, 'audit', 'verify'], pg)).toMatchObject({ code: 0, stdout: `audit log verified: ${rows} rows, anchored at row ${rows}\n` });
    expect(run(['--db', target, 'list', '--as', 'officer'], pg).stdout).toBe(cases('list', '--as', 'officer').stdout);
    // The copy carries on: a case opened there (by a head, so it prompts nobody), and the trail still verifies.
    const opened = run(['--db', target, 'open', 'peap', '--pupil', 'P2', '--as', 'head-a'], pg);
    expect(opened).toMatchObject({ code: 0, stdout: expect.stringMatching(/^peap-\w+: triggered\n$/) });
    const outboxIds = async () => (await withStore({ backend: 'postgres', url: target, anchorPath: pg.AUDIT_ANCHOR_FILE, anchorKey: ANCHOR_KEY }, (store) => store.outbox.entries())).map((m) => m.id);
    expect(await outboxIds()).toEqual([1, 2, 3, 4, 5, 6]);
    // Three rows more: the officer's list and the head's check for a PEAP in progress (each an audited case-list-read), and the case opened.
    expect(run(['--db', target, 'audit', 'verify'], pg)).toMatchObject({ code: 0, stdout: `audit log verified: ${rows + 3} rows, anchored at row ${rows + 3}\n` });
    // Deadlines fired there queue their reminders after the copied messages: the ids run on.
    expect(run(['--db', target, 'tick', '--now', '2026-12-01T09:00:00Z'], pg).code).toBe(0);
    const ids = await outboxIds();
    expect(ids.length).toBeGreaterThan(6);
    expect(ids).toEqual(ids.map((_, i) => i + 1));

    // Into a database that holds data: refused, and what is there is left as it was.
    const again = run(['migrate-store', '--from', `sqlite:${db}`, '--to', target], pg);
    expect([1, 2]).toContain(again.code);
    expect(again.stderr).toMatch(/target .*not empty/);
    expect(again.stdout).toBe('');
    expect(run(['--db', target, 'audit', 'verify'], pg).code).toBe(0);
  });
});

describe('cases report', () => {
  it('counts incidents and children on a hand-checked cohort, per school and overall', async () => {
    const { file, cases } = await workspace();
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

  it('reports to the end of a term, writes a workbook or a file with --out, and refuses bad values in one line', async () => {
    const { dir, file, cases } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    const spring = JSON.parse(cases('report', '--year', '2025/26', '--term', 'spring', '--as', 'officer').stdout) as { term: string; periodEnd: string; rows: { school: string; measure: string; breakdown: string; value: number | null }[] };
    expect(spring).toMatchObject({ term: 'spring', periodEnd: '2026-03-27' });
    expect(spring.rows.find((r) => r.school === 'all' && r.measure === 'children-permanently-excluded' && r.breakdown === 'total')?.value).toBe(1);

    const workbook = cases('report', '--year', '2025/26', '--quarter', '2', '--as', 'officer', '--publication', '--format', 'xlsx', '--out', 'figures.xlsx');
    expect(workbook).toMatchObject({ code: 0, stdout: expect.stringMatching(/^wrote figures\.xlsx: \d+ figures for SCH-A, SCH-B, for publication\n$/) });
    expect(readFileSync(join(dir, 'figures.xlsx')).subarray(0, 2).toString()).toBe('PK');
    expect(cases('report', '--year', '2025/26', '--term', 'autumn', '--as', 'officer', '--format', 'csv', '--out', 'autumn.csv').code).toBe(0);
    expect(readFileSync(join(dir, 'autumn.csv'), 'utf8')).toMatch(/^academic_year,quarter,period_end,school,measure,breakdown,category,value,term,/);

    const refusals: [string[], string][] = [
      [['--quarter', '5'], 'cases: --quarter 5: expected 1, 2, 3 or 4'],
      [['--term', 'winter'], 'cases: term "winter" is not autumn, spring or summer'],
      [['--quarter', '2', '--term', 'spring'], 'cases: give a quarter or a term, not both'],
      [['--quarter', '2', '--format', 'xlsx'], 'cases: --format xlsx writes a workbook: give --out FILE'],
      [['--quarter', '2', '--format', 'pdf'], 'cases: --format pdf: expected json, csv or xlsx'],
      [[], 'cases: give a quarter (1–4) or a term (autumn, spring, summer)'],
    ];
    for (const [args, message] of refusals) {
      const run = cases('report', '--year', '2025/26', '--as', 'officer', ...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(run.stderr.startsWith(message), run.stderr).toBe(true);
    }
  });
});

describe('cases refuses nonsense, names it, and never crashes (issue 15)', () => {
  it('refuses a school B file holding school A\'s pupil id, naming the row and the school, leaving the store as it was', async () => {
    const { file, cases, db } = await workspace();
    expect(cases('import', '--pupils', file('a.ndjson', ndjson({ id: 'PA1', schoolId: 'SCH-A', yearGroup: 7 })), '--calendar', calendar).code).toBe(0);
    const before = readFileSync(db);
    const fileB = file('b.ndjson', ndjson({ id: 'PB1', schoolId: 'SCH-B' }, { id: 'PA1', schoolId: 'SCH-B' }));
    const run = cases('import', '--pupils', fileB, '--calendar', calendar);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe(
      `${fileB}: 1 pupil of other schools; nothing was imported\n  - ${fileB} line 2 (pupil PA1), schoolId: pupil id PA1 is held by school SCH-A; a file for school SCH-B cannot change or move it. A pupil who moved school is a leaver there (its file gives "leftOn") and joins here under a new id, or an inclusion officer covering both schools moves the record ("cases pupils move")\n`,
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(cases('open', 'peap', '--pupil', 'PB1', '--as', 'head-b')).toMatchObject({ code: 2, stderr: 'cases: no pupil PB1 that you can see\n' });
  });

  it('refuses an event name that is not the machine\'s, even one every object has', async () => {
    const { file, cases } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    cases('evaluate', '--as-of', '2026-01-20');
    const peap = /^(peap-\w+)/m.exec(cases('list', '--as', 'head-a').stdout)![1]!;
    for (const event of ['constructor', '__proto__', 'toString']) {
      const run = cases('act', peap, event, '--as', 'head-a');
      expect(run.code, event).toBe(2);
      expect(run.stderr, event).toMatch(new RegExp(`^cases: a peap case has no event "${event}"; events: [A-Z_, ]+\\n$`));
    }
  });

  it('refuses a missing file, and a JSON key given twice (in a file, with its line, or in --data), without a stack', async () => {
    const { cases, file } = await workspace();
    expect(cases('staff', 'no-such.json')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^cases: cannot read no-such\.json \(ENOENT\); expected a staff file .*\n$/) });
    const twice = file('twice.json', '{\n  "schools": [],\n  "schools": []\n}');
    expect(cases('staff', twice)).toMatchObject({ code: 2, stderr: `${twice} is not valid JSON\n  - ${twice} line 3: the key "schools" appears twice in one object; give each field once\n` });
    expect(cases('act', 'X', 'DECIDE', '--as', 'head-a', '--data', '{"decision":"a","decision":"b"}')).toMatchObject({ code: 2, stderr: 'cases: --data gives "decision" twice; give each field once\n' });
  });

  it('prints the usage for an unknown option, exit 2, no stack', async () => {
    const { cases } = await workspace();
    // (--profile is an option of import now, for a school system's CSV export.)
    for (const args of [['list', '--as', 'head-a', '--verbose'], ['import', '--kinds', 'x'], ['show', 'X', '--as']]) {
      const run = cases(...args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^cases: (Unknown option '--|Option '--as <value>' argument missing)/);
      expect(run.stderr).toContain('Usage (every command takes --db FILE|URL');
      expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
    }
  });

  it('says in one line what is wrong with a kind, a status, a date past the calendars held or a place\'s dates — no stack', async () => {
    const { cases, file } = await workspace();
    cases('import', '--pupils', file('pupils.ndjson', cohort), '--calendar', calendar);
    expect(cases('open', 'wibble', '--pupil', 'P1', '--as', 'head-a')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^cases: "wibble" is not a kind of case; KIND is one of peap, suspension, .*\n$/) });
    expect(cases('list', '--status', 'closed', '--as', 'head-a')).toMatchObject({ code: 2, stderr: 'cases: --status "closed": expected active or done (done: the cases closed)\n' });
    // A reintegration's twelve weeks counted past the last calendar held.
    const late = cases('open', 'reintegration', '--pupil', 'P2', '--data', '{"startDate":"2026-05-11"}', '--as', 'head-a');
    expect(late).toMatchObject({ code: 2, stderr: expect.stringMatching(/^cases: 50 school days after 2026-05-11 is outside the 2025\/26 calendar .*\n$/) });
    const place = cases('nurture', 'place', 'X', '--data', '{"startedOn":"x"}', '--as', 'head-a');
    expect(place).toMatchObject({ code: 2, stderr: 'cases: not valid:\n  - startedOn: expected the first day, written YYYY-MM-DD\n  - followUpDue: expected the follow-up date, written YYYY-MM-DD\n' });
  });

  it('refuses an option the command would ignore, saying which it takes, before touching the store', async () => {
    const { cases } = await workspace();
    const listed = cases('list', '--as', 'head-a', '--kind', 'peap');
    expect(listed).toMatchObject({ code: 2, stdout: '' });
    expect(listed.stderr).toBe('cases: cases list does not take --kind; it takes --as, --school, --pupil, --overdue, --status, --format, --db, --now (cases --help)\n');
    expect(cases('tick', '--school', 'SCH-A', '--dry-run')).toMatchObject({ code: 2, stderr: 'cases: cases tick does not take --school, --dry-run; it takes --db, --now (cases --help)\n' });
    // The same options where they belong are taken.
    expect(cases('list', '--as', 'head-a', '--school', 'SCH-A').code).toBe(0);
  });
});
