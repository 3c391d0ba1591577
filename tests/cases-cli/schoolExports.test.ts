/**
 * `cases import --profile …` as a school's data manager runs it (issue 13): the CSV exports of
 * their system, through the generic profile and the SIMS, Arbor and Bromcom ones — Windows files
 * (BOM, CRLF), UK dates, quoted commas; a broken file imports nothing and names the row and
 * column; the same export twice changes nothing; a newer export opens the cases it calls for;
 * ids from a school system are kept only as keyed pseudonyms.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends, freshDatabase, type Backend } from '../support/postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');
const fixtures = join(root, 'tests/cases-cli/fixtures/school-exports');
const KEY = 'school-export-test-key-0123456789abcdef';

/** A folder with a store (SQLite there, or a fresh PostgreSQL database) holding school SCH-A and its head. */
async function workspace(backend: Backend = 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'cases-csv-'));
  const db = backend === 'postgres' ? await freshDatabase('csv') : join(dir, 'cases.db');
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'csv-test-anchor-key-0123456789', SCHOOL_DATE: '2025-11-14' };
  for (const name of ['DATABASE_URL', 'CASES_DB', 'AUDIT_ANCHOR_FILE', 'PUPIL_ID_KEY', 'DEMO']) delete env[name];
  if (backend === 'postgres') env.AUDIT_ANCHOR_FILE = join(dir, 'audit.anchor');
  const cases = (args: string[], more: NodeJS.ProcessEnv = {}) => {
    const result = spawnSync(process.execPath, [bin, '--db', db, ...args], { cwd: dir, encoding: 'utf8', env: { ...env, ...more } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  writeFileSync(join(dir, 'staff.json'), JSON.stringify({ schools: [{ id: 'SCH-A', name: 'School A' }], staff: [{ id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] }] }));
  expect(cases(['staff', join(dir, 'staff.json')]).code).toBe(0);
  const auditRows = () => Number(/(\d+) rows/.exec(cases(['audit', 'verify']).stdout)?.[1]);
  const listed = () => cases(['list', '--as', 'head-a']).stdout;
  /** Every byte the store keeps on disk (the database and its journal), as text. */
  const storeBytes = () => readdirSync(dir).filter((f) => f.startsWith('cases.db')).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('');
  return { dir, cases, auditRows, listed, storeBytes };
}

const exportOf = (profile: string, files: { pupils?: string; exclusions?: string; attendance?: string } = {}) => {
  const args = ['import', '--profile', profile, '--calendar', calendar, '--pupils', join(fixtures, profile, files.pupils ?? 'pupils.csv')];
  if (files.exclusions !== '') args.push('--exclusions', join(fixtures, profile, files.exclusions ?? 'exclusions.csv'));
  if (files.attendance !== '') args.push('--attendance', join(fixtures, profile, files.attendance ?? 'attendance.csv'));
  return args;
};

describe.each(backends())('cases import --profile generic (%s)', (backend) => {
  it('imports pupils, exclusions and marks from Windows CSV files, opens the cases they call for, and a second import changes nothing', async () => {
    const { cases, auditRows, listed } = await workspace(backend);
    const first = cases(exportOf('generic'));
    expect(first.stderr).toBe('');
    expect(first.stdout).toContain('imported the generic export: 3 pupil(s) of 1 school(s) (SCH-A), 3 new or changed, 0 unchanged, with the 2025/26 calendar');
    expect(first.stdout).toMatch(/the rules ran for the 3 changed pupil\(s\) as of 2025-11-14: \d+ trigger\(s\); opened [1-9]\d* case\(s\)/);
    // The three suspensions of P-001 in one half-term call for a PEAP; the ="00123" id lost its Excel wrapping.
    const before = listed();
    expect(before).toMatch(/P-001/);
    // (Listing cases is itself audited: the rows are counted after it.)
    const rows = auditRows();

    const again = cases(exportOf('generic'));
    expect(again.stdout).toBe('nothing changed: the 3 pupil(s) of 1 school(s) (SCH-A) in this generic export are as the store holds them\n');
    expect(auditRows()).toBe(rows);
    expect(listed()).toBe(before);
  });

  it('takes a newer export: only what changed is written, and the rules run again for that pupil', async () => {
    const { cases, listed } = await workspace(backend);
    expect(cases(exportOf('generic')).code).toBe(0);
    const casesBefore = listed().trim().split('\n').length;
    const newer = cases(exportOf('generic', { exclusions: 'exclusions-newer.csv', attendance: '' }));
    expect(newer.stdout).toContain('3 pupil(s) of 1 school(s) (SCH-A), 1 new or changed, 2 unchanged');
    expect(newer.stdout).toMatch(/the rules ran for the 1 changed pupil\(s\)[^\n]*opened 1 case\(s\)/);
    // P-002's new suspension has its case.
    expect(listed().trim().split('\n').length).toBe(casesBefore + 1);
  });

  it('refuses a broken file whole, naming the file, row and column and what is accepted', async () => {
    const { cases, auditRows, listed } = await workspace(backend);
    const rows = auditRows();
    const broken = cases(exportOf('generic', { exclusions: 'exclusions-broken.csv' }));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe(
      'the export has 1 problem; nothing was imported\n  - exclusions-broken.csv row 3, startDate: "31/02/2026" is not a date; accepted: 23/03/2026 (day/month/year) or 2026-03-23\n',
    );
    expect(auditRows()).toBe(rows);
    expect(listed()).toBe('no cases\n');
  });

  it('lists several problems at once, each where it is', async () => {
    const { dir, cases } = await workspace(backend);
    const pupils = join(dir, 'pupils.csv');
    writeFileSync(pupils, 'id,schoolId,yearGroup,fsm,send\r\nP1,SCH-A,Year 9,maybe,K\r\nP2,SCH-A,22,no,X\r\nP1,SCH-A,9,no,K\r\n');
    const result = cases(['import', '--profile', 'generic', '--pupils', pupils, '--calendar', calendar]);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((l) => l.startsWith('  - '))).toEqual([
      '  - pupils.csv row 2, fsm: "maybe" is not yes or no; accepted: yes/no, Y/N, true/false or 1/0 (empty means no)',
      '  - pupils.csv row 3, send: "X" is not a SEN provision code; accepted: N or none, K (SEN support), E (EHC plan)',
      '  - pupils.csv row 4, id: pupil P1 is also on row 2; accepted: one row per pupil',
      expect.stringMatching(/^ {2}- pupils\.csv row 3, yearGroup: .*14/),
    ]);
  });
});

describe.each([
  { profile: 'sims', broken: { exclusions: 'exclusions-broken.csv' }, says: 'exclusions-broken.csv row 3, Start Session: "Midday" is not a session; accepted: AM or PM (or Morning, Afternoon)' },
  { profile: 'arbor', broken: { attendance: 'attendance-broken.csv' }, says: 'attendance-broken.csv row 3, PERIOD: "EVENING" is not a session; accepted: AM or PM (or MORNING, AFTERNOON)' },
  { profile: 'bromcom', broken: { pupils: 'pupils-broken.csv' }, says: 'pupils-broken.csv row 3 (line 4), Year Group: "Year Eleven" is not a year group; accepted: R or Reception, 1 to 14, or Year 7, Y7' },
])('cases import --profile $profile', ({ profile, broken, says }) => {
  it('keeps keyed pseudonyms, never the UPN, reference or names the export carries', async () => {
    const { cases, listed, storeBytes } = await workspace();
    const imported = cases([...exportOf(profile), '--school', 'SCH-A'], { PUPIL_ID_KEY: KEY });
    expect(imported.stderr).toBe('');
    expect(imported.stdout).toContain(`imported the ${profile} export: 2 pupil(s) of 1 school(s) (SCH-A), 2 new or changed`);
    expect(listed()).toMatch(/px-[0-9a-f]{32}/);
    const bytes = storeBytes();
    for (const held of ['A999999900001', 'Testperson', 'Alex']) expect(bytes).not.toContain(held);
    // Stable across imports: the same export again changes nothing.
    expect(cases([...exportOf(profile), '--school', 'SCH-A'], { PUPIL_ID_KEY: KEY }).stdout).toMatch(/^nothing changed/);
  });

  it('refuses without a key, and refuses a broken file naming its row and column', async () => {
    const { cases, listed } = await workspace();
    const keyless = cases([...exportOf(profile), '--school', 'SCH-A']);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/PUPIL_ID_KEY is not set; accepted: a secret of at least 32 characters/);
    const result = cases([...exportOf(profile, broken), '--school', 'SCH-A'], { PUPIL_ID_KEY: KEY });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the export has 1 problem; nothing was imported\n  - ${says}\n`);
    expect(listed()).toBe('no cases\n');
  });
});

describe('--pupil-ids, over the profile\'s choice', () => {
  it('pseudonymises the generic layout\'s ids when the export holds real ones, and refuses another word', async () => {
    const { cases, listed } = await workspace();
    const imported = cases([...exportOf('generic'), '--pupil-ids', 'pseudonymised'], { PUPIL_ID_KEY: KEY });
    expect(imported.stdout).toContain('imported the generic export: 3 pupil(s)');
    const list = listed();
    expect(list).toMatch(/px-[0-9a-f]{32}/);
    expect(list).not.toMatch(/P-001/);
    const refused = cases([...exportOf('generic'), '--pupil-ids', 'hashed']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('cases: --pupil-ids "hashed": accepted: as-given (the export\'s ids are already pseudonymous) or pseudonymised (derived from UPNs or MIS references with PUPIL_ID_KEY)\n');
  });
});

describe('a school\'s own profile', () => {
  it('maps its own headings, and a mistake in the profile is named with what is accepted', async () => {
    const { dir, cases } = await workspace();
    const own = join(dir, 'my-profile.json');
    writeFileSync(own, JSON.stringify({ format: 'csv-profile/1', name: 'ours', pupilIds: 'as-given', pupils: { id: 'Ref', yearGroup: 'NC Year' } }));
    const pupils = join(dir, 'ours.csv');
    writeFileSync(pupils, 'Ref,Surname,NC Year\nQ-1,"Smith, J",8\n');
    const ok = cases(['import', '--profile', own, '--school', 'SCH-A', '--pupils', pupils, '--calendar', calendar]);
    expect(ok.stdout).toContain('imported the ours export: 1 pupil(s) of 1 school(s) (SCH-A)');

    const typo = join(dir, 'typo.json');
    copyFileSync(join(root, 'packages/workflows/profiles/generic.json'), typo);
    writeFileSync(typo, readFileSync(typo, 'utf8').replace('"yearGroup": "yearGroup"', '"yeargroup": "yearGroup"'));
    const refused = cases(['import', '--profile', typo, '--pupils', pupils, '--calendar', calendar]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/typo\.json, pupils: "yeargroup" is not a field of a pupils file; accepted: id, schoolId, joinedOn/);
  });
});
