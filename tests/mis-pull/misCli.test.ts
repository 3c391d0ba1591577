/**
 * `cases mis pull --school S`, as a data manager runs it: the school's connection from
 * MIS_SCHOOLS_FILE, the pupils pulled from a fake Assembly API on loopback and the rules run; a
 * refused pull lists its problems (exit 2) and imports nothing; an Assembly that keeps failing is
 * one line (exit 3); no token is printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeStudent, fakeSuspension, startFakeAssembly, type FakeAssembly } from '../support/fakeAssembly.js';
import { root } from '../support/serviceProcess.js';

const run = promisify(execFile);
const bin = join(root, 'packages/workflows/bin/cases.js');
const calendar = join(root, 'packages/rules/data/calendars/england-2025-26.example.json');

describe('cases mis pull', () => {
  let fake: FakeAssembly;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cases = async (...args: string[]) => {
    // Asynchronous: the fake answers from this process while the command runs.
    const result = await run(process.execPath, [bin, '--db', join(dir, 'cases.db'), ...args], { cwd: dir, env }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
    return result;
  };

  beforeEach(async () => {
    fake = await startFakeAssembly({ students: [fakeStudent(1, 'A300000000001'), fakeStudent(2, 'A300000000002')], exclusions: [fakeSuspension(71, 2, '2026-03-16', 4, ['VA'])] });
    dir = mkdtempSync(join(tmpdir(), 'mis-cli-'));
    const connections = join(dir, 'mis-schools.json');
    writeFileSync(connections, JSON.stringify({ schools: [{ schoolId: 'URN-300001', system: 'assembly', tokenEnv: 'ASSEMBLY_TOKEN_300001', baseUrl: fake.url }] }));
    env = { PATH: process.env.PATH ?? '', AUDIT_ANCHOR_KEY: 'cli-test-anchor-key-0123456789', SCHOOL_DATE: '2026-03-20', MIS_SCHOOLS_FILE: connections, ASSEMBLY_TOKEN_300001: fake.token, PUPIL_ID_KEY: 'p'.repeat(40) };
    writeFileSync(join(dir, 'seed.ndjson'), `${JSON.stringify({ id: 'SEED-1', schoolId: 'URN-300001' })}\n`);
    expect((await cases('import', '--pupils', join(dir, 'seed.ndjson'), '--calendar', calendar)).code).toBe(0);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('pulls the school, runs the rules and says what it did in counts', async () => {
    const pulled = await cases('mis', 'pull', '--school', 'URN-300001');
    expect(pulled.stderr).toBe('');
    expect(pulled.stdout).toMatch(/^pulled school URN-300001 from assembly: 2 pupil\(s\), 2 changed \(\d+ request\(s\)\); the rules ran: opened \d+ case\(s\), updated \d+\n$/);
    expect(pulled.stdout).not.toMatch(/opened 0 case/);
    const again = await cases('mis', 'pull', '--school', 'URN-300001');
    expect(again.stdout).toMatch(/^pulled school URN-300001 from assembly: 2 pupil\(s\), 0 changed/);
    expect(`${pulled.stdout}${pulled.stderr}${again.stdout}`).not.toContain(fake.token);
  });

  it('refuses data it cannot take, listing each problem, and imports nothing (exit 2)', async () => {
    fake.exclusions.push({ ...fakeSuspension(72, 1, '2026-03-18', 2, ['VA']), exclusion_type: 'Lunchtime', exclusion_length: 0 });
    const refused = await cases('mis', 'pull', '--school', 'URN-300001');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("Assembly's data for school URN-300001 has 1 problem; nothing was imported");
    expect(refused.stderr).toContain('Assembly /exclusions id 72, exclusion_length: a lunchtime exclusion needs its length in sessions');
    const list = await cases('evaluate');
    expect(list.stdout).toMatch(/^evaluated 1 pupils/);
  });

  it('says in one line that Assembly could not be reached (exit 3), and names a school it does not know', async () => {
    fake.fail({ path: '/students', status: 503, times: 100 });
    const down = await cases('mis', 'pull', '--school', 'URN-300001');
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^cases mis pull: Assembly \/students \(page 1\) failed on Assembly's side \(HTTP 503\); gave up after 4 tries \(the next pull tries again\); nothing was imported\n$/);
    const unknown = await cases('mis', 'pull', '--school', 'URN-999');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('school URN-999 is not in');
  }, 30_000);
});
