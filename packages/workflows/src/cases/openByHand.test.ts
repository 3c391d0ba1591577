/**
 * Opening a case by hand: the request's data cannot set what is worked out from the pupil's
 * record and the calendar, and a "start" that finds a PEAP in progress shows it through an
 * audited read.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { EventRefused } from '../errors.js';
import { openByHand } from './openByHand.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

function pupilsFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'open-by-hand-')), 'pupils.ndjson');
  writeFileSync(path, [{ id: 'DEMO-004', schoolId: 'SCH-A' }, { id: 'OTHER-9', schoolId: 'SCH-B' }].map((p) => JSON.stringify({ ...p, exclusions: [] })).join('\n'));
  return path;
}

describe.each(BACKENDS)('openByHand on %s', (backend) => {
  async function schoolA() {
    const t = await testStore({ backend });
    await t.store.pupils.import(SYSTEM, { pupils: pupilsFile(), calendar: DEMO_FILES.calendar });
    return { store: t.store, head: await t.store.staff.actorFor('head-a') };
  }

  it('refuses data that would set a computed field, naming it, and opens nothing', async () => {
    const { store, head } = await schoolA();
    const refused = (kind: 'peap' | 'ebsna' | 'reintegration', data: Record<string, unknown>) => openByHand(store, head, kind, 'DEMO-004', '2026-03-20', data);
    await expect(refused('peap', { schoolId: 'SCH-B' })).rejects.toThrow(new EventRefused("the case's data cannot set schoolId: it is worked out from the pupil's record and the school calendar"));
    await expect(refused('ebsna', { pupilId: 'OTHER-9', referredBy: 'someone' })).rejects.toThrow("the case's data cannot set pupilId, referredBy: they are worked out");
    await expect(refused('reintegration', { startDate: '2026-03-02', warnOn: '2099-01-01', returnBy: '2099-02-01' })).rejects.toThrow("the case's data cannot set warnOn, returnBy");
    await expect(refused('peap', { halfTerm: '1999 never' })).rejects.toThrow('cannot set halfTerm');
    expect(await store.cases.list(SYSTEM, {})).toEqual([]);
    // What is the request's to give is taken.
    const { case: opened } = await openByHand(store, head, 'reintegration', 'DEMO-004', '2026-03-20', { startDate: '2026-03-02' });
    expect(opened.context).toMatchObject({ schoolId: 'SCH-A', startDate: '2026-03-02' });
  });

  it("dates an EHC request's local target by the store's setting, not the environment read again", async () => {
    const before = process.env.EHC_LOCAL_TARGET_WEEKS_CIC;
    process.env.EHC_LOCAL_TARGET_WEEKS_CIC = '18';
    try {
      const t = await testStore({ backend, ehcLocalTargetWeeks: 12 });
      await t.store.pupils.import(SYSTEM, { pupils: pupilsFile(), calendar: DEMO_FILES.calendar });
      const head = await t.store.staff.actorFor('head-a');
      const { case: opened } = await openByHand(t.store, head, 'ehc-needs-assessment', 'DEMO-004', '2026-03-20', { requestedOn: '2026-03-02', requestedBy: 'school', childProtectionPlan: true });
      // 12 weeks from 2 March, not the 18 the environment says now.
      expect(opened.context).toMatchObject({ localTargetWeeks: 12, localTargetDue: '2026-05-25' });
    } finally {
      if (before === undefined) delete process.env.EHC_LOCAL_TARGET_WEEKS_CIC;
      else process.env.EHC_LOCAL_TARGET_WEEKS_CIC = before;
    }
  });

  it('shows a PEAP already in progress through an audited read of the case', async () => {
    const { store, head } = await schoolA();
    const first = await openByHand(store, head, 'peap', 'DEMO-004', '2026-03-20');
    const readsBefore = (await store.audit.entriesFor(first.case.id)).filter((r) => r.action === 'case-read').length;
    const again = await openByHand(store, head, 'peap', 'demo-004', '2026-03-20');
    expect(again).toMatchObject({ created: false, case: { id: first.case.id } });
    const reads = (await store.audit.entriesFor(first.case.id)).filter((r) => r.action === 'case-read');
    expect(reads).toHaveLength(readsBefore + 1);
    expect(reads.at(-1)).toMatchObject({ actor: head.id, caseId: first.case.id });
  });
});
