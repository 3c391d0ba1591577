/**
 * A long consistent read (the audit trail's verification, which the service runs on a schedule)
 * does not hold up the store's writes: a write made while the read is still going is saved at
 * once, and the read goes on seeing the store as it was when it began.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';
import { openDatabase } from './database.js';

afterEach(closeTestStores);

describe.each(BACKENDS)('a long read beside writes (%s)', (backend) => {
  it('lets a write finish while the read is open, and the read keeps its snapshot', async () => {
    const { store, url } = await testStore({ backend });
    const db = await openDatabase(url);
    try {
      const schools = async (q: { all<T>(sql: string): Promise<T[]> }) => (await q.all<{ id: string }>('SELECT id FROM schools ORDER BY id')).map((r) => r.id);
      const seen = await db.read(async (q) => {
        const before = await schools(q);
        // Inside the read: a write (another part of the service, say a head's answer) must not wait for it to end.
        await store.staff.upsertSchool({ id: 'SCH-C', name: 'School C' }, SYSTEM);
        return { before, after: await schools(q) };
      });
      expect(seen).toEqual({ before: ['SCH-A', 'SCH-B'], after: ['SCH-A', 'SCH-B'] });
      expect(await schools(db)).toEqual(['SCH-A', 'SCH-B', 'SCH-C']);
      expect((await store.audit.verify()).ok).toBe(true);
    } finally {
      await db.close();
    }
  }, 20_000);
});
