import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from './access.js';
import { evaluateStoredPupils } from './openCases.js';
import type { CaseStore } from './store/caseStore.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, testStore } from './testing.js';

const AS_OF = '2026-03-20';

afterEach(closeTestStores);

/** The key each case was opened with (from its audit trail), by case id. */
async function openKeys(store: CaseStore): Promise<string[]> {
  const keys: string[] = [];
  for (const c of await store.cases.list(SYSTEM)) {
    const opening = (await store.audit.entriesFor(c.id)).find((r) => r.action === 'case-opened');
    keys.push((opening?.data as { openKey?: string } | undefined)?.openKey ?? `(no key: ${c.id})`);
  }
  return keys;
}

describe.each(BACKENDS)('%s', (backend) => {
  describe('evaluating the stored pupils', () => {
    it('opens each case once when two instances evaluate at the same moment', async () => {
      const t = await testStore({ backend });
      await t.store.pupils.import(SYSTEM, DEMO_FILES);
      const other = await openAgain(t);

      const results = await Promise.all([evaluateStoredPupils(t.store, { asOf: AS_OF }), evaluateStoredPupils(other, { asOf: AS_OF })]);

      const done = results.filter((r) => r !== undefined);
      expect(done.length).toBeGreaterThanOrEqual(1); // the other found the lease held, or came after
      const keys = await openKeys(t.store);
      expect(keys.length).toBeGreaterThan(0);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.every((k) => !k.startsWith('(no key'))).toBe(true);
      expect(done.reduce((n, r) => n + r.opened, 0)).toBe(keys.length);
      expect((await t.store.audit.verify()).ok).toBe(true);

      // Evaluating again finds every case already open, and the lease was given back.
      const again = await evaluateStoredPupils(other, { asOf: AS_OF });
      expect(again).toMatchObject({ opened: 0, updated: 0, pupils: 30 });
      expect(await openKeys(t.store)).toHaveLength(keys.length);
    });

    it('opens a case once when two instances open it by the same key at the same moment (a lease run out, say)', async () => {
      const t = await testStore({ backend });
      await t.store.pupils.import(SYSTEM, DEMO_FILES);
      const other = await openAgain(t);
      const request = {
        kind: 'peap' as const,
        schoolId: 'DEMO-SCH',
        pupilId: 'DEMO-001',
        openKey: 'DEMO-001/peap.required/2025/26 autumn-1',
        rule: { id: 'peap.required', version: 1 },
        input: { pupilId: 'DEMO-001', schoolId: 'DEMO-SCH', openedBy: 'trigger', halfTerm: '2025/26 autumn-1', exclusionIds: ['DEMO-001-X1', 'DEMO-001-X2'] },
      };
      const opened = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : t.store).cases.open(SYSTEM, request)));
      expect(opened.filter((o) => o.created)).toHaveLength(1);
      expect(new Set(opened.map((o) => o.case.id)).size).toBe(1);
      expect(await openKeys(t.store)).toEqual([request.openKey]);
      expect((await t.store.audit.verify()).ok).toBe(true);
    });
  });
});
