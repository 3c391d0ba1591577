/**
 * A pupil's data out again, as a school's data lead runs `cases`, each call its own process, on
 * SQLite and on PostgreSQL: display names loaded from a CSV (all or nothing), a subject access
 * export holding everything about one pupil, and erasure by destroying the pupil's key — after
 * which the audit chain still verifies, the words are gone from the database (the raw bytes of
 * the SQLite file, the PostgreSQL tables) and every other pupil's data is as it was.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pupilIdKey, pupilPseudonym } from '../../packages/workflows/dist/index.js';
import { asAttacker } from '../support/attacker.js';
import { backends, freshDatabase, type Backend } from '../support/postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

const fixd = (id: string, startDate: string) => ({ id, category: 'FIXD', startDate, sessions: 2, reasons: ['PA'] });
const pupils = [
  { id: 'P1', schoolId: 'SCH-A', sex: 'M', yearGroup: 9, exclusions: [fixd('X1', '2025-10-02'), fixd('X2', '2025-10-14'), fixd('X3', '2025-10-21')] },
  { id: 'P2', schoolId: 'SCH-A', sex: 'F', yearGroup: 10, exclusions: [] },
  { id: 'P4', schoolId: 'SCH-A', sex: 'F', yearGroup: 11, leftOn: '2019-07-19', exclusions: [] },
  { id: 'P5', schoolId: 'SCH-A', sex: 'M', yearGroup: 11, leftOn: '2024-07-19', exclusions: [] },
]
  .map((p) => JSON.stringify(p))
  .join('\n');

/** Each test runs `cases` 15 to 30 times, a process each (1 to 3 s apiece on a busy 2-core machine). */
const SLOW = 240_000;

/** Words only P1's staff typed: they must never be in the database as written. */
const P1_ANSWER = 'Marcus said the corridor at lunch is where it starts';
const P1_NOTE = 'Spoke to his aunt, who looks after him on Tuesdays';
const P2_ANSWER = 'Priya likes art lessons best';

describe.each(backends())('a pupil\'s data out again (%s store)', (backend: Backend) => {
  async function workspace() {
    const dir = mkdtempSync(join(tmpdir(), 'cases-gdpr-'));
    const db = backend === 'postgres' ? await freshDatabase('gdpr') : join(dir, 'cases.db');
    const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'cli-gdpr-anchor-key-0123456789', SCHOOL_DATE: '2026-01-20' };
    for (const name of ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE', 'PUPIL_DATA_KEY', 'RETENTION_YEARS']) delete env[name];
    if (backend === 'postgres') env.AUDIT_ANCHOR_FILE = join(dir, 'audit.anchor');
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content);
      return join(dir, name);
    };
    /** `cases --db DB ARGS`, with more environment. */
    const casesWith = (more: NodeJS.ProcessEnv, ...args: string[]) => {
      const result = spawnSync(process.execPath, [bin, '--db', db, ...args], { cwd: dir, encoding: 'utf8', env: { ...env, ...more } });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const cases = (...args: string[]) => casesWith({}, ...args);
    const staff = {
      schools: [{ id: 'SCH-A', name: 'School A' }, { id: 'SCH-B', name: 'School B' }],
      staff: [
        { id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] },
        { id: 'senco-a', displayName: 'SENCO A', role: 'senco', schoolIds: ['SCH-A'] },
        { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
      ],
    };
    expect(cases('staff', file('staff.json', JSON.stringify(staff))).code).toBe(0);
    expect(cases('import', '--pupils', file('pupils.ndjson', pupils), '--calendar', calendar).code).toBe(0);
    expect(cases('evaluate', '--as-of', '2026-01-20').code).toBe(0);
    const p1Peap = /^(peap-\w+) .* pupil P1 /m.exec(cases('list', '--as', 'head-a').stdout)![1]!;
    const p2Peap = /^(peap-\w+):/.exec(cases('open', 'peap', '--pupil', 'P2', '--as', 'head-a').stdout)![1]!;
    const answer = (caseId: string, text: string) => cases('act', caseId, 'ANSWER', '--as', 'head-a', '--data', JSON.stringify({ questionId: 'what-happened', answer: text }));
    expect(answer(p1Peap, P1_ANSWER).code).toBe(0);
    expect(cases('note', p1Peap, P1_NOTE, '--as', 'head-a').code).toBe(0);
    expect(answer(p2Peap, P2_ANSWER).code).toBe(0);
    /** Every table's text as the database holds it (PostgreSQL), or the file's raw bytes and its WAL (SQLite). */
    const stored = async (): Promise<string> => {
      if (backend === 'sqlite') return [db, `${db}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('\n');
      const tables = ['cases', 'audit_log', 'letters', 'pupil_names', 'pupil_keys', 'outbox', 'pupils'];
      const dumps = await asAttacker(db, async (raw) => Promise.all(tables.map((t) => raw.all<{ row: string }>(`SELECT CAST(t AS text) AS row FROM ${t} t`))), { keepProtection: true });
      return dumps.flat().map((r) => r.row).join('\n');
    };
    const wrappedKey = async (pupilId: string) =>
      (await asAttacker(db, (raw) => raw.all<{ wrapped_key: string | null }>('SELECT wrapped_key FROM pupil_keys WHERE pupil_id = ?', [pupilId]), { keepProtection: true }))[0]?.wrapped_key;
    const exported = (pupilId: string, as = 'head-a') => {
      const out = join(dir, `${pupilId}-${Math.random().toString(36).slice(2)}.json`);
      const run = cases('subject-access', '--pupil', pupilId, '--as', as, '--out', out);
      return { run, json: run.code === 0 ? (JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> & { cases: { id: string; context: unknown; timeline: { action: string; data: unknown }[] }[]; displayName: string | null; otherAuditRows: { action: string }[] }) : undefined };
    };
    return { dir, db, file, cases, casesWith, p1Peap, p2Peap, stored, wrappedKey, exported };
  }

  it('loads display names all or nothing, only once the school has chosen to hold them, and audits a count, never a name', async () => {
    const { file, cases, stored } = await workspace();
    // A BOM, CRLF and a name holding a comma, as Excel writes them.
    const names = file('names.csv', '\ufeffpupilId,displayName\r\nP1,"Marcus, J."\r\nP2,Priya Shah\r\n');
    expect(cases('pupils', 'names', '--school', 'SCH-A', '--file', names, '--as', 'head-a')).toMatchObject({
      code: 2,
      stderr: 'cases: school SCH-A has not chosen to hold display names: its head opts in first (cases pupils display-names on --school SCH-A --as STAFF)\n',
    });
    expect(cases('pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'senco-a')).toMatchObject({ code: 2, stderr: expect.stringContaining('only the headteacher, a deputy or the school\'s administrator') });
    expect(cases('pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'head-b')).toMatchObject({ code: 2, stderr: 'cases: head-b does not cover school SCH-A\n' });
    expect(cases('pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'head-a')).toMatchObject({ code: 0, stdout: 'school SCH-A now holds display names for its staff to see\n' });

    const broken = file('broken.csv', 'pupilId,displayName\nP1,Marcus\nP2,\nP1,Marcus Again\n');
    const refused = cases('pupils', 'names', '--school', 'SCH-A', '--file', broken, '--as', 'head-a');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      `${broken}: 2 problems; no names were set\n  - ${broken} row 3, displayName: empty; accepted: the name staff will see\n  - ${broken} row 4, pupilId: pupil P1 is named on row 2 already; give each pupil once\n`,
    );
    const elsewhere = file('elsewhere.csv', 'pupilId,displayName\nP1,Marcus\nP3,Nobody\n');
    expect(cases('pupils', 'names', '--school', 'SCH-A', '--file', elsewhere, '--as', 'head-a').stderr).toContain(`${elsewhere} row 3, pupilId: no pupil P3 on school SCH-A's roll in the store`);

    expect(cases('pupils', 'names', '--school', 'SCH-A', '--file', names, '--as', 'head-a')).toMatchObject({ code: 0, stdout: 'set 2 display name(s) for school SCH-A\n' });
    const raw = await stored();
    expect(raw).not.toContain('Marcus, J.');
    expect(raw).not.toContain('Priya Shah');
    expect(raw).toMatch(/"+named"+:2/); // the audit row: a count (PostgreSQL's row text doubles the quotes)
    expect(cases('audit', 'verify').code).toBe(0);
  }, SLOW);

  it("takes names by the school's own pupil ids (misId), made into the product's ids with PUPIL_ID_KEY as imports make them", async () => {
    const { file, casesWith, exported } = await workspace();
    const secret = 'names-test-pupil-id-key-0123456789abcdef';
    const upn = 'A123456789012';
    const id = pupilPseudonym(pupilIdKey(secret), 'SCH-A', upn);
    const withKey = { PUPIL_ID_KEY: secret };
    const record = JSON.stringify({ id, schoolId: 'SCH-A', sex: 'F', yearGroup: 8, exclusions: [] });
    expect(casesWith(withKey, 'import', '--pupils', file('mis.ndjson', record), '--calendar', calendar).code).toBe(0);
    casesWith(withKey, 'pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'head-a');
    const unknown = file('unknown.csv', 'misId,displayName\nZ999999999999,Nobody Known\n');
    expect(casesWith(withKey, 'pupils', 'names', '--school', 'SCH-A', '--file', unknown, '--as', 'head-a').stderr).toContain(`${unknown} row 2, misId: no pupil with this misId (their id here would be px-`);
    const names = file('mis-names.csv', `misId,displayName\n${upn.toLowerCase()},Ada Lovelace\n`);
    expect(casesWith(withKey, 'pupils', 'names', '--school', 'SCH-A', '--file', names, '--as', 'head-a')).toMatchObject({ code: 0, stdout: 'set 1 display name(s) for school SCH-A\n' });
    expect(exported(id).json).toMatchObject({ pupilId: id, displayName: 'Ada Lovelace' });
  }, SLOW);

  it('exports everything held about one pupil, to those who may see it, and audits the export', async () => {
    const { file, cases, p1Peap, exported } = await workspace();
    cases('pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'head-a');
    cases('pupils', 'names', '--school', 'SCH-A', '--file', file('names.csv', 'pupilId,displayName\nP1,Marcus J\n'), '--as', 'head-a');
    expect(exported('P1', 'head-b').run).toMatchObject({ code: 2, stderr: 'cases: no pupil P1 that you can see\n' });
    const { run, json } = exported('P1');
    expect(run.stdout).toMatch(/^wrote .*P1-\w+\.json: pupil P1, 4 case\(s\), 0 letter\(s\), \d+ other audit row\(s\)\n$/);
    expect(json).toMatchObject({ format: 'subject-access/1', pupilId: 'P1', schoolId: 'SCH-A', displayName: 'Marcus J', record: { id: 'P1', yearGroup: 9 } });
    const peap = json!.cases.find((c) => c.id === p1Peap)!;
    expect(peap.context).toMatchObject({ answers: { 'what-happened': { value: P1_ANSWER } } });
    expect(peap.timeline.map((r) => r.data)).toContainEqual({ text: P1_NOTE });
    expect(JSON.stringify(json)).not.toContain(P2_ANSWER);
    // The export itself is in the trail: the next export finds it among the rows about P1.
    expect(exported('P1').json!.otherAuditRows.map((r) => r.action)).toContain('subject-access');
  }, SLOW);

  it('erases a pupil by destroying their key: the chain verifies, their words are gone from the database, everyone else is untouched', async () => {
    const { file, cases, p1Peap, p2Peap, stored, wrappedKey, exported } = await workspace();
    cases('pupils', 'display-names', 'on', '--school', 'SCH-A', '--as', 'head-a');
    cases('pupils', 'names', '--school', 'SCH-A', '--file', file('names.csv', 'pupilId,displayName\nP1,Marcus J\nP2,Priya Shah\n'), '--as', 'head-a');
    const before = await stored();
    // Sealed from the start: the words were never in the database as written.
    for (const words of [P1_ANSWER, P1_NOTE, P2_ANSWER, 'Marcus J', 'Priya Shah']) expect(before).not.toContain(words);
    const key = (await wrappedKey('P1'))!;
    expect(key).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(before).toContain(key);
    const p2Before = exported('P2').json!;

    expect(cases('erase', '--pupil', 'P1', '--reason', 'request', '--as', 'head-b')).toMatchObject({ code: 2, stderr: 'cases: no pupil P1 that you can see\n' });
    expect(cases('erase', '--pupil', 'P1', '--reason', 'because', '--as', 'head-a')).toMatchObject({ code: 2, stderr: 'cases: --reason "because": expected request or retention\n' });
    expect(cases('erase', '--pupil', 'P1', '--reason', 'request', '--as', 'head-a')).toMatchObject({
      code: 0,
      stdout: "erased pupil P1's free text and display name: 4 case(s) and 0 letter(s) now read [erased]; the audit chain is unchanged\n",
    });
    expect(cases('audit', 'verify')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log verified: \d+ rows, anchored at row \d+\n$/) });

    // The key is gone from the database, its old copies too: what was sealed with it cannot be opened.
    expect(await wrappedKey('P1')).toBeNull();
    expect(await stored()).not.toContain(key);
    const after = exported('P1').json!;
    expect(after).toMatchObject({ displayName: null, erasedAt: expect.any(String) });
    expect(after.cases.find((c) => c.id === p1Peap)!.context).toMatchObject({ answers: { 'what-happened': { value: '[erased]' } } });
    expect(JSON.stringify(after)).not.toContain(P1_NOTE);
    expect(cases('show', p1Peap, '--as', 'head-a').stdout).toContain('[erased]');
    // Nothing more is recorded about them.
    expect(cases('act', p1Peap, 'ANSWER', '--as', 'head-a', '--data', '{"questionId":"what-happened","answer":"more"}')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^cases: pupil P1's data was erased on \d{4}-\d\d-\d\d: nothing more is recorded about them\n$/),
    });
    expect(cases('erase', '--pupil', 'P1', '--reason', 'request', '--as', 'head-a').stderr).toMatch(/already\n$/);

    // Everyone else is as they were: P2's answer, name and case read back the same.
    const p2After = exported('P2').json!;
    expect(p2After.displayName).toBe('Priya Shah');
    expect(p2After.cases).toEqual(p2Before.cases.map((c) => ({ ...c, timeline: expect.arrayContaining(c.timeline) })));
    expect(cases('show', p2Peap, '--as', 'head-a').stdout).toContain(P2_ANSWER);
    expect(cases('audit', 'verify').code).toBe(0);
  }, SLOW);

  it('lists who is due under the retention setting, and erases them', async () => {
    const { cases, casesWith } = await workspace();
    expect(cases('retention', '--dry-run')).toMatchObject({ code: 0, stdout: '1 pupil(s) due for erasure (6 years after leaving the roll):\n  P4  school SCH-A  left 2019-07-19  due since 2025-07-19\n' });
    expect(casesWith({ RETENTION_YEARS: '5' }, 'retention', '--dry-run').stdout).toBe('1 pupil(s) due for erasure (5 years after leaving the roll):\n  P4  school SCH-A  left 2019-07-19  due since 2024-07-19\n');
    expect(casesWith({ RETENTION_YEARS: '1' }, 'retention', '--dry-run').stdout).toContain('  P5  school SCH-A  left 2024-07-19  due since 2025-07-19\n');
    expect(casesWith({ RETENTION_YEARS: 'six' }, 'retention', '--dry-run').stderr).toContain('RETENTION_YEARS "six" is not a number of years; accepted: a whole number from 1 to 100 (default 6)');
    expect(cases('retention', '--as', 'head-a')).toMatchObject({ code: 0, stdout: '  erased P4 (left 2019-07-19)\n1 pupil(s) erased (6 years after leaving the roll)\n' });
    expect(cases('retention', '--dry-run').stdout).toBe('nobody is due for erasure (6 years after leaving the roll)\n');
    expect(cases('audit', 'verify').code).toBe(0);
  }, SLOW);
});
