/**
 * Faults a reviewer found in the store, pinned: a backup that would hide a cut trail, an anchor
 * moved back by writers sharing it, a failed write in a group taking another's result, a
 * restore over another store's anchor, and a call outside the transaction inside a write.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { StoreRefused } from '../errors.js';
import { BACKENDS, closeTestStores, freshStoreUrl, TEST_ANCHOR_KEY, testStore } from '../testing.js';
import { AuditAnchor } from './auditLog.js';
import { restoreBackup } from './copyStore.js';
import { openDatabase } from './database.js';
import { asAttacker } from './tamper.js';

afterEach(closeTestStores);

describe('the anchor, shared by several writers', () => {
  it('never moves back, whatever order writers finish in', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'anchor-')), 'shared.anchor');
    const one = AuditAnchor.at(path, TEST_ANCHOR_KEY);
    const other = AuditAnchor.at(path, TEST_ANCHOR_KEY);
    await one.replace(0, 'hash-0'); // writing never makes an anchor afresh: a store's first comes from its first write
    for (let seq = 1; seq <= 200; seq += 2) {
      await Promise.all([other.write(seq + 1, `hash-${seq + 1}`), one.write(seq, `hash-${seq}`)]);
      expect(one.read()).toEqual({ value: { seq: seq + 1, hash: `hash-${seq + 1}` } });
    }
  });
});

describe.each(BACKENDS)('%s', (backend) => {
  it('refuses to back up a store whose trail does not verify, so a copy cannot hide cut rows', async () => {
    if (backend !== 'sqlite') return; // PostgreSQL is backed up with pg_dump
    const { store, url, dir } = await testStore({ backend });
    await asAttacker(url, (raw) => raw.exec('DELETE FROM audit_log WHERE seq > 3'));
    const backup = join(dir, 'backup.db');
    await expect(store.backup(backup)).rejects.toThrow(StoreRefused);
    await expect(store.backup(backup)).rejects.toThrow(/does not verify/);
    expect(existsSync(backup)).toBe(false);
  });

  it('gives each write in a group its own outcome, even when one fails after catching an error', async () => {
    const { url } = await freshStoreUrl(backend);
    const db = await openDatabase(url);
    try {
      const [a, b] = await Promise.allSettled([
        db.write(async (tx) => {
          await tx.run("INSERT INTO schools (id, name) VALUES ('A', 'A')");
          // On PostgreSQL a failed statement aborts the transaction even when caught.
          await tx.run('INSERT INTO no_such_table VALUES (1)').catch(() => undefined);
          return 'a';
        }),
        db.write(async (tx) => {
          await tx.run("INSERT INTO schools (id, name) VALUES ('B', 'B')");
          return 'b';
        }),
      ]);
      expect(b).toEqual({ status: 'fulfilled', value: 'b' });
      const schools = (await db.all<{ id: string }>('SELECT id FROM schools ORDER BY id')).map((r) => r.id);
      // SQLite carries on after a caught error, PostgreSQL cannot: either way A's outcome matches its row.
      if (a.status === 'fulfilled') expect(schools).toEqual(['A', 'B']);
      else expect(schools).toEqual(['B']);
    } finally {
      await db.close();
    }
  });

  it('refuses a call on the database from inside a write, instead of waiting forever', async () => {
    const { url } = await freshStoreUrl(backend);
    const db = await openDatabase(url);
    try {
      await expect(db.write(() => db.get('SELECT 1 AS one'))).rejects.toThrow(/use the transaction it was given/);
      expect(await db.write((tx) => tx.get<{ one: number }>('SELECT 1 AS one'))).toEqual({ one: 1 });
    } finally {
      await db.close();
    }
  });
});

describe('restoring a backup', () => {
  it("refuses to put a backup where another store's anchor is, and anchors a restored copy at the target's own anchor", async () => {
    const { store, dir } = await testStore();
    await store.staff.upsertSchool({ id: 'SCH-C', name: 'School C' }, SYSTEM);
    const backup = join(dir, 'backup.db');
    await store.backup(backup);
    const target = join(mkdtempSync(join(tmpdir(), 'restore-')), 'cases.db');
    const anchorPath = `${target}.anchor`;
    await AuditAnchor.at(anchorPath, 'another-stores-key-0123456789').replace(99, 'x');
    await expect(restoreBackup(backup, { url: target, anchorPath, anchorKey: TEST_ANCHOR_KEY })).rejects.toThrow(/belongs to another store/);
    expect(existsSync(target)).toBe(false);

    const elsewhere = join(mkdtempSync(join(tmpdir(), 'restore-')), 'cases.db');
    const restored = await restoreBackup(backup, { url: elsewhere, anchorPath: `${elsewhere}.anchor`, anchorKey: TEST_ANCHOR_KEY });
    expect(restored).toMatchObject({ ok: true, rows: expect.any(Number) });
    expect(AuditAnchor.at(`${elsewhere}.anchor`, TEST_ANCHOR_KEY).read()).toMatchObject({ value: { seq: restored.rows } });
  });
});
