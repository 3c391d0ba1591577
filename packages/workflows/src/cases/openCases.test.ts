import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PupilRecordInput } from '@before-exclusion/rules';
import { SYSTEM } from '../access.js';
import { evaluateStoredPupils } from './openCases.js';
import type { CaseStore } from '../store/caseStore.js';
import { editPupilRecord } from '../store/tamper.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, testStore } from '../testing.js';

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

/** A pupils file (NDJSON) in a fresh folder. */
function pupilsFile(records: readonly PupilRecordInput[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'open-cases-')), 'pupils.ndjson');
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}

const suspension = (id: string, startDate: string) => ({ id, category: 'FIXD' as const, startDate, sessions: 2, reasons: ['DB' as const] });

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

    it('opens no new case for a pupil who left before the evaluation date; a case already open stays, and still hears of a further suspension', async () => {
      const { store } = await testStore({ backend });
      // In October L1 is on roll, suspended twice in autumn-1: a PEAP and a suspension case each.
      await store.pupils.import(SYSTEM, {
        pupils: pupilsFile([{ id: 'L1', schoolId: 'SCH-A', exclusions: [suspension('L1-X1', '2025-10-06'), suspension('L1-X2', '2025-10-14')] }]),
        calendar: DEMO_FILES.calendar,
      });
      expect(await evaluateStoredPupils(store, { asOf: '2025-10-15' })).toMatchObject({ pupils: 1, leavers: 0, opened: 3, notOpened: 0 });
      const before = await store.cases.list(SYSTEM);

      // By December L1 has left (last day 28 Nov), and the MIS sends what it had not: a third
      // suspension in autumn-1 and one in autumn-2. L2 left the same day after two suspensions in
      // autumn-2; L3 leaves on the day the rules are run, so is still on roll.
      await store.pupils.import(SYSTEM, {
        pupils: pupilsFile([
          { id: 'L1', schoolId: 'SCH-A', leftOn: '2025-11-28', exclusions: [suspension('L1-X1', '2025-10-06'), suspension('L1-X2', '2025-10-14'), suspension('L1-X3', '2025-10-21'), suspension('L1-X4', '2025-11-10')] },
          { id: 'L2', schoolId: 'SCH-A', leftOn: '2025-11-28', exclusions: [suspension('L2-X1', '2025-11-04'), suspension('L2-X2', '2025-11-11')] },
          { id: 'L3', schoolId: 'SCH-A', leftOn: '2025-12-01', exclusions: [suspension('L3-X1', '2025-11-17')] },
        ]),
        calendar: DEMO_FILES.calendar,
      });
      const result = await evaluateStoredPupils(store, { asOf: '2025-12-01' });
      // L1: the PEAP updated with X3; X1's and X2's cases unchanged; X3's and X4's not opened.
      // L2: a PEAP and two suspension cases not opened. L3: one suspension case opened.
      expect(result).toMatchObject({ pupils: 3, leavers: 2, opened: 1, updated: 1, unchanged: 2, notOpened: 5 });
      expect(result!.triggers).toBeGreaterThan(0);

      const after = await store.cases.list(SYSTEM);
      expect(after.map((c) => c.pupilId).sort()).toEqual(['L1', 'L1', 'L1', 'L3']);
      expect(after.filter((c) => c.pupilId === 'L1').map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
      const peap = after.find((c) => c.kind === 'peap')!;
      expect(peap.kind === 'peap' && peap.context.exclusionIds).toEqual(['L1-X1', 'L1-X2', 'L1-X3']);
      expect(after.find((c) => c.pupilId === 'L3')).toMatchObject({ kind: 'suspension', status: 'active' });

      // Evaluating again changes nothing.
      expect(await evaluateStoredPupils(store, { asOf: '2025-12-01' })).toMatchObject({ opened: 0, updated: 0, unchanged: 4, notOpened: 5 });
      expect((await store.audit.verify()).ok).toBe(true);
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

describe('a stored record that fails today\'s checks', () => {
  it('is refused and counted, and stops no other pupil\'s evaluation', async () => {
    const t = await testStore();
    await t.store.pupils.import(SYSTEM, { pupils: pupilsFile([{ id: 'OLD-1', schoolId: 'SCH-A' }, { id: 'OK-1', schoolId: 'SCH-A', exclusions: [suspension('X1', '2025-10-02'), suspension('X2', '2025-10-14')] }]), calendar: DEMO_FILES.calendar });
    // As a record stored before lunchtimes were checked for overlap would be: two on one day.
    const lunchtime = (id: string) => ({ id, category: 'LNCH', startDate: '2025-10-06', startSession: 'AM', lunchtimes: 1, reasons: ['DB'], cancelled: false, missesPublicExam: false });
    await editPupilRecord(t.url, 'OLD-1', (record) => ({ ...record, exclusions: [lunchtime('L1'), lunchtime('L2')] }));
    const result = await evaluateStoredPupils(t.store, { asOf: '2025-11-20' });
    expect(result).toMatchObject({ pupils: 1, refused: 1, opened: expect.any(Number) });
    expect((await t.store.cases.list(SYSTEM)).map((c) => c.pupilId)).toContain('OK-1');
  });
});
