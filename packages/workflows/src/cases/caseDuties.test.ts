import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { buildReport } from '../figures/reports.js';
import type { SuspensionContext } from '../machines/index.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';
import { caseRecord } from './caseRecord.js';
import { CASE_LIST_READ, caseSummary, type CaseView } from './caseService.js';
import { openByHand } from './openByHand.js';
import { evaluateStoredPupils } from './openCases.js';

const TODAY = '2026-03-20';

afterEach(closeTestStores);

/** The demo school on its first morning, as `cases evaluate` then `cases tick` leave it: due deadlines fired. */
async function demoSchool(backend: (typeof BACKENDS)[number]) {
  const t = await testStore({ backend, now: () => new Date(`${TODAY}T09:00:00Z`) });
  await t.store.staff.upsertSchool({ id: 'DEMO-SCH', name: 'Demo Academy (fictional)' }, SYSTEM);
  await t.store.staff.upsert({ id: 'demo-head', displayName: 'Demo Head', role: 'headteacher', schoolIds: ['DEMO-SCH'] }, SYSTEM);
  await t.store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Officer', role: 'inclusion-officer', schoolIds: ['DEMO-SCH'] }, SYSTEM);
  await t.store.pupils.import(SYSTEM, DEMO_FILES);
  await evaluateStoredPupils(t.store, { asOf: TODAY });
  await t.store.fireDueDeadlines();
  return { store: t.store, head: await t.store.staff.actorFor('demo-head'), officer: await t.store.staff.actorFor('demo-officer') };
}

const suspension = (v: CaseView): SuspensionContext | undefined => (v.kind === 'suspension' ? v.context : undefined);

describe.each(BACKENDS)('%s', (backend) => {
  it('lists for a head every open suspension whose notices were due before today and not sent, naming the notice and its date', async () => {
    const { store, head } = await demoSchool(backend);
    const all = await store.cases.list(head);
    // From the pupils' own records: suspensions that started before today with a notice not recorded as sent.
    const unsent = all.filter((v) => {
      const c = suspension(v);
      return c !== undefined && !c.cancelled && c.exclusion.startDate < TODAY && Object.values(c.notices).some((n) => n && !n.sent);
    });
    expect(unsent.length).toBeGreaterThan(5);

    const overdue = await store.cases.list(head, { overdueOn: TODAY });
    expect(overdue.map((v) => v.id)).toEqual(expect.arrayContaining(unsent.map((v) => v.id)));
    for (const v of unsent) {
      const line = caseSummary(v, TODAY);
      // What the list's deadline column shows: the parents' notice, due the day the suspension started.
      expect(line.overdue).toContainEqual({ label: 'notify the parents in writing, without delay', dueDate: suspension(v)!.exclusion.startDate });
    }
    // Nothing listed as overdue is closed, and every row listed names what is overdue.
    for (const v of overdue) {
      expect(v.status).toBe('active');
      expect(caseSummary(v, TODAY).overdue.length).toBeGreaterThan(0);
    }
    // The cases not listed show nothing overdue either: one definition for the filter and the column.
    const listed = new Set(overdue.map((v) => v.id));
    expect(all.filter((v) => !listed.has(v.id) && caseSummary(v, TODAY).overdue.length > 0)).toEqual([]);
  });

  it('drops a case from the overdue list once it closes, even when its deadline had already fired; the audit names the cases shown', async () => {
    const { store, head } = await demoSchool(backend);
    const all = await store.cases.list(head);
    // A suspension whose sixth-day provision fell due before today: `tick` fired its deadline.
    const late = all.find((v) => {
      const c = suspension(v);
      return c?.provisionFrom !== undefined && c.provisionFrom < TODAY && c.boardReview?.kind === 'must';
    })!;
    expect(late).toBeDefined();
    expect(late.deadlines).toContainEqual(expect.objectContaining({ key: 'provision', status: 'fired' }));
    const c = suspension(late)!;
    const recipients = Object.entries(c.notices).filter(([, n]) => n && !n.sent).map(([r]) => r);
    await store.cases.sendUnchecked(head, late.id, [
      ...recipients.map((recipient) => ({ type: 'RECORD_NOTICE', recipient, method: 'letter', sentOn: '2026-03-17' })),
      { type: 'ARRANGE_PROVISION', provider: 'Learning Centre', from: '2026-03-18' },
      { type: 'RECORD_BOARD_REVIEW', outcome: 'reinstated', heldOn: TODAY },
    ]);
    // An off-site direction whose parents' notice fell due before today, then ended.
    const { case: direction } = await openByHand(store, head, 'off-site-direction', 'DEMO-004', TODAY, { startDate: '2026-03-23', provider: 'Learning Centre' });
    await store.fireDueDeadlines();
    await store.cases.sendUnchecked(head, direction.id, [{ type: 'END_DIRECTION', outcome: 'ended', on: TODAY }]);

    const closed = (await store.cases.list(head, { status: 'done' })).map((v) => v.id);
    expect(closed).toEqual(expect.arrayContaining([late.id, direction.id]));
    const overdue = await store.cases.list(head, { overdueOn: TODAY });
    expect(overdue.map((v) => v.id)).not.toContain(late.id);
    expect(overdue.map((v) => v.id)).not.toContain(direction.id);
    expect(await store.cases.list(head, { overdueOn: TODAY, status: 'done' })).toEqual([]);

    const reads = await store.audit.entriesOf(CASE_LIST_READ);
    expect(reads.at(-1)?.data).toEqual({ filter: { status: 'done', overdueOn: TODAY }, caseIds: [] });
    expect(reads.at(-2)?.data).toEqual({ filter: { overdueOn: TODAY }, caseIds: overdue.map((v) => v.id) });
  });

  it("says OVERDUE in `cases show` for exactly the duties the list names, and the officer's report counts the same duties", async () => {
    const { store, head, officer } = await demoSchool(backend);
    const overdue = await store.cases.list(officer, { overdueOn: TODAY });
    for (const v of overdue) {
      const record = await caseRecord(store, head, v.id, { today: TODAY });
      const shown = record.duties.filter((d) => d.status === 'overdue').map((d) => ({ label: d.what, dueDate: d.dueDate }));
      expect(shown).toEqual(expect.arrayContaining(caseSummary(v, TODAY).overdue.map((d) => ({ ...d }))));
      expect(shown).toHaveLength(caseSummary(v, TODAY).overdue.length);
    }
    const suspensionDuties = overdue.filter((v) => v.kind === 'suspension').reduce((n, v) => n + caseSummary(v, TODAY).overdue.length, 0);
    expect(suspensionDuties).toBeGreaterThan(20);

    // The spring term runs on past today; summer's report is read today too: a duty not yet due is not overdue.
    for (const term of ['spring', 'summer'] as const) {
      const report = await buildReport(store, officer, { academicYear: '2025/26', term });
      const figure = report.rows.find((r) => r.school === 'DEMO-SCH' && r.measure === 'statutory-duties' && r.breakdown === 'timeliness' && r.category === 'overdue');
      expect(figure?.value, term).toBe(suspensionDuties);
    }
  });
});
