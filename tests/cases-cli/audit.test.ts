/**
 * `cases audit` as an operator runs it, each call its own process: a deleted anchor refuses the
 * next write (naming the anchor and the recovery), `cases audit re-anchor` recovers on purpose,
 * and `cases audit verify --witness FILE` catches an older state put back with its older anchor.
 * On SQLite, and on PostgreSQL when there is a server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deleteAuditRows } from '../support/attacker.js';
import { backends, freshDatabase } from '../support/postgres.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'packages/workflows/dist/cli.js');

describe.each(backends())('cases audit (%s store)', (backend) => {
  async function workspace() {
    const dir = mkdtempSync(join(tmpdir(), 'cases-audit-'));
    const witness = join(mkdtempSync(join(tmpdir(), 'witness-mount-')), 'anchors.ndjson');
    const db = backend === 'postgres' ? await freshDatabase('audit') : join(dir, 'cases.db');
    const anchor = backend === 'postgres' ? join(dir, 'audit.anchor') : `${db}.anchor`;
    const env: NodeJS.ProcessEnv = { ...process.env, AUDIT_ANCHOR_KEY: 'cli-audit-anchor-key-0123456789', AUDIT_WITNESS: witness, AUDIT_ANCHOR_FILE: anchor };
    delete env.DATABASE_URL;
    delete env.CASES_DB;
    const cases = (...args: string[]) => {
      const result = spawnSync(process.execPath, [bin, '--db', db, ...args], { cwd: dir, encoding: 'utf8', env });
      return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const staff = join(dir, 'staff.json');
    writeFileSync(staff, JSON.stringify({ schools: [{ id: 'SCH-A', name: 'School A' }], staff: [{ id: 'officer', displayName: 'Officer', role: 'inclusion-officer', schoolIds: ['SCH-A'] }] }));
    expect(cases('staff', staff).code).toBe(0);
    return { db, anchor, witness, cases, staff };
  }

  it('refuses writes once the anchor is deleted, until an audited re-anchor', async () => {
    const { anchor, cases, staff } = await workspace();
    rmSync(anchor);
    const refused = cases('staff', staff);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`cases: writes are refused: the audit anchor ${anchor} is missing while the audit log holds 2 rows`);
    expect(refused.stderr).toContain('cases audit re-anchor --as STAFF --reason TEXT');
    expect(cases('audit', 'verify')).toMatchObject({ code: 3, stdout: `AUDIT LOG BROKEN at row ?: no anchor found at ${anchor}: the end of the log cannot be checked\n` });
    expect(cases('audit', 're-anchor', '--as', 'officer')).toMatchObject({ code: 2, stderr: 'cases: usage: cases audit re-anchor --as STAFF --reason TEXT\n' });
    expect(cases('audit', 're-anchor', '--as', 'officer', '--reason', 'anchor volume lost in the move')).toMatchObject({ code: 0, stdout: 're-anchored at row 3 (the anchor was: missing); the re-anchor row records who and why\n' });
    expect(cases('staff', staff).code).toBe(0);
    expect(cases('audit', 'verify')).toMatchObject({ code: 0, stdout: 'audit log verified: 5 rows, anchored at row 5\n' });
  });

  it('verify --witness catches an older state put back with its older anchor', async () => {
    const { db, anchor, witness, cases, staff } = await workspace();
    const older = readFileSync(anchor, 'utf8');
    expect(cases('staff', staff).code).toBe(0);
    expect(readFileSync(witness, 'utf8').trim().split('\n').length).toBeGreaterThan(1); // one line each anchor
    expect(cases('audit', 'verify', '--witness', witness)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit log verified: 4 rows, anchored at row 4; \d+ witnessed anchors agree\n$/) });
    await deleteAuditRows(db, { fromSeq: 3 });
    writeFileSync(anchor, older);
    expect(cases('audit', 'verify')).toMatchObject({ code: 0 }); // the anchor and the log agree…
    const caught = cases('audit', 'verify', '--witness', witness); // …the witness does not
    expect(caught.code).toBe(3);
    expect(caught.stdout).toMatch(/^AUDIT LOG BROKEN at row 3: the log ends at row 2 but the witness recorded row 4 at .*: rows have been removed, or an older copy of the store was put back\n$/);
  });
});
