/**
 * PostgreSQL never makes a head wait without bound: another session holding the store's write
 * lock makes a write refuse with StoreBusy after the busy timeout (nothing saved), reads go on
 * meanwhile, and once the lock is let go the same write succeeds. Runs where there is a server
 * (TEST_DATABASE_URL).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { StoreBusy } from '../errors.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';
import { DEFAULT_BUSY_TIMEOUT_MS } from './database.js';

afterEach(closeTestStores);

/** The write lock's advisory key, as postgres.ts takes it ("case"). */
const WRITE_LOCK = 0x63617365;

describe.skipIf(!BACKENDS.includes('postgres'))('a PostgreSQL store under another session’s write lock', () => {
  it('refuses a write with StoreBusy after the busy timeout, keeps reading, and writes once the lock is let go', async () => {
    const { store, url } = await testStore({ backend: 'postgres' });
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]);
      const started = Date.now();
      const refused = await store.staff.upsertSchool({ id: 'SCH-C', name: 'School C' }, SYSTEM).then(() => undefined, (error: unknown) => error);
      const waited = Date.now() - started;
      expect(refused).toBeInstanceOf(StoreBusy);
      expect((refused as Error).message).toMatch(/busy: another process held its write lock .* nothing was saved, try again/);
      expect(waited).toBeGreaterThanOrEqual(DEFAULT_BUSY_TIMEOUT_MS - 100);
      // Reads do not queue behind the lock.
      expect((await store.staff.list()).length).toBeGreaterThan(0);
      expect(await store.staff.actorFor('head-a')).toMatchObject({ id: 'head-a' });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    await store.staff.upsertSchool({ id: 'SCH-C', name: 'School C' }, SYSTEM);
    expect((await store.audit.verify()).ok).toBe(true);
  }, 30_000);
});
