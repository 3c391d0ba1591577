/**
 * `cases pupils move` as an inclusion officer runs it: an import for school B cannot take school
 * A's pupil, and says how a pupil's record is moved; the officer covering both moves it on
 * purpose, with a reason code; a head cannot; the move is in the audit trail and it verifies.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

it('moves a pupil between schools only on purpose, audited, by someone covering both', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cases-move-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'cli-move-anchor-key-0123456789' };
  delete env.DATABASE_URL;
  delete env.CASES_DB;
  const cases = (...args: string[]) => {
    const result = spawnSync(process.execPath, [bin, '--db', join(dir, 'cases.db'), ...args], { cwd: dir, encoding: 'utf8', env });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
  const staff = {
    schools: [{ id: 'SCH-A', name: 'School A' }, { id: 'SCH-B', name: 'School B' }],
    staff: [
      { id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] },
      { id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] },
    ],
  };
  expect(cases('staff', file('staff.json', JSON.stringify(staff))).code).toBe(0);
  expect(cases('import', '--pupils', file('a.ndjson', '{"id":"PA1","schoolId":"SCH-A","yearGroup":9}\n'), '--calendar', calendar).code).toBe(0);

  const taken = cases('import', '--pupils', file('b.ndjson', '{"id":"PA1","schoolId":"SCH-B","yearGroup":9}\n'), '--calendar', calendar);
  expect(taken.code).not.toBe(0);
  expect(taken.stderr).toContain('pupil id PA1 is held by school SCH-A');
  expect(taken.stderr).toContain('cases pupils move');

  expect(cases('pupils', 'move', '--pupil', 'PA1', '--to', 'SCH-B', '--as', 'officer')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: ') });
  expect(cases('pupils', 'move', '--pupil', 'PA1', '--to', 'SCH-B', '--reason', 'because', '--as', 'officer')).toMatchObject({
    code: 2,
    stderr: 'cases: --reason "because": expected managed-move, admission, correction\n',
  });
  const byHead = cases('pupils', 'move', '--pupil', 'PA1', '--to', 'SCH-B', '--reason', 'admission', '--as', 'head-b');
  // The other school's head learns nothing: the answer is the one for a pupil who does not exist.
  expect(byHead).toMatchObject({ code: cases('pupils', 'move', '--pupil', 'NOBODY', '--to', 'SCH-B', '--reason', 'admission', '--as', 'head-b').code, stderr: 'cases: no pupil PA1 that you can see\n' });
  const moved = cases('pupils', 'move', '--pupil', 'PA1', '--to', 'SCH-B', '--reason', 'managed-move', '--as', 'officer');
  expect(moved).toMatchObject({ code: 0, stdout: expect.stringContaining('moved pupil PA1 from school SCH-A to school SCH-B (managed-move)') });
  // Now school B's file updates its pupil.
  expect(cases('import', '--pupils', file('b2.ndjson', '{"id":"PA1","schoolId":"SCH-B","yearGroup":10}\n'), '--calendar', calendar).code).toBe(0);
  expect(cases('audit', 'verify')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log verified/) });
});
