/**
 * Cases opened from the pupil-movement triggers, through the real rules and store, on the 2026/27
 * example calendar (INSET Tue 1 and Wed 2 Sep; half-term 26–30 Oct):
 *
 * - P1 (EHC plan): off-site direction from Mon 5 Oct 2026, no notice recorded. Two school days
 *   before Mon 5 Oct are Thu 1 and Fri 2 Oct, so notice is due by Thu 1 Oct → a case waiting for
 *   the notice, its deadline Thu 1 Oct, the LA able to ask for reviews.
 * - P2: part-time timetable from Mon 7 Sep, no parents' agreement or end recorded → a case
 *   waiting for both.
 * - P3: safeguarding separation from Mon 21 Sep, the LA not told → the LA to tell, due that day.
 * - P4: a suspension on Mon 14 Sep, cancelled → no new case (its notices are its own case's).
 * - P5: off-site direction from Mon 5 Oct with notice given Fri 2 Oct (one school day: late) →
 *   the case opens past the notice, recorded late, the placement running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { RulesEvaluator } from '@before-exclusion/rules';
import { caseRecord } from '../cases/caseRecord.js';
import { recordMovementDuty } from './movementDuties.js';
import { openByHand } from '../cases/openByHand.js';
import { evaluateStoredPupils } from '../cases/openCases.js';
import { buildReport } from '../figures/reports.js';
import type { CaseStore } from '../store/caseStore.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';

const calendar2026 = createRequire(import.meta.url).resolve('@before-exclusion/rules/data/calendars/england-2026-27.example.json');

afterEach(closeTestStores);

const pupils = [
  { id: 'P1', send: 'E', offSiteDirections: [{ id: 'OSD1', startDate: '2026-10-05', plannedEndDate: '2026-12-18', provider: 'Riverside Learning Centre' }] },
  { id: 'P2', partTimeTimetables: [{ id: 'PT1', startDate: '2026-09-07' }] },
  { id: 'P3', safeguardingSeparations: [{ id: 'SS1', startDate: '2026-09-21', dslDecidedOn: '2026-09-18' }] },
  { id: 'P4', exclusions: [{ id: 'X1', category: 'FIXD', startDate: '2026-09-14', sessions: 2, reasons: ['DB'], cancelled: true }] },
  { id: 'P5', offSiteDirections: [{ id: 'OSD2', startDate: '2026-10-05', provider: 'Riverside Learning Centre', noticeGivenOn: '2026-10-02' }] },
];

describe.each(BACKENDS)('cases opened from pupil movement (%s)', (backend) => {
  let store: CaseStore;
  const caseOf = async (pupilId: string): Promise<CaseView[]> => store.cases.list(SYSTEM, { schoolId: 'SCH-A', pupilId });

  beforeEach(async () => {
    ({ store } = await testStore({ backend, now: () => new Date('2026-09-28T16:00:00Z') })); // today: the Monday the rules run for
    const file = join(mkdtempSync(join(tmpdir(), 'movement-cases-')), 'pupils.ndjson');
    writeFileSync(file, pupils.map((p) => JSON.stringify({ schoolId: 'SCH-A', yearGroup: 9, exclusions: [], ...p })).join('\n'));
    await store.pupils.import(SYSTEM, { pupils: file, calendar: calendar2026 });
  });

  it('opens one case per direction, timetable and separation the rules flag, starting from what the record says', async () => {
    const first = await evaluateStoredPupils(store, { asOf: '2026-09-28' });
    expect(first?.opened).toBe(4);

    const [direction] = await caseOf('P1');
    expect(direction).toMatchObject({ kind: 'off-site-direction', state: { notice: 'due' }, context: { noticeBy: '2026-10-01', ehcp: true, provider: 'Riverside Learning Centre' } });
    expect(direction!.deadlines.find((d) => d.key === 'notice')).toMatchObject({ dueDate: '2026-10-01', status: 'pending' });

    const [timetable] = await caseOf('P2');
    expect(timetable).toMatchObject({ kind: 'part-time-timetable', state: { active: 'to-agree' } });

    const [separation] = await caseOf('P3');
    expect(separation).toMatchObject({ kind: 'safeguarding-separation', state: { open: { 'la-notice': 'due', separation: 'in-place' } } });
    expect(separation!.deadlines.find((d) => d.key === 'la-notice')).toMatchObject({ dueDate: '2026-09-21' });

    // A cancelled suspension is not a new exclusion case.
    expect(await caseOf('P4')).toEqual([]);

    // The same data again opens nothing new.
    expect((await evaluateStoredPupils(store, { asOf: '2026-09-28' }))?.opened).toBe(0);
  });

  it('records the LA told on the separation case and on the record, so the rules stop asking', async () => {
    await evaluateStoredPupils(store, { asOf: '2026-09-28' });
    const head = await store.staff.actorFor('head-a');
    const [separation] = await caseOf('P3');
    const told = await recordMovementDuty(store, head, separation!, 'la-told', '2026-09-22');
    expect(told.state).toEqual({ open: { 'la-notice': 'sent', separation: 'in-place' } });
    const record = await store.pupils.record(head, 'P3');
    expect(record.safeguardingSeparations?.[0]?.localAuthorityToldOn).toBe('2026-09-22');
    // Read back: told a school day after it was due (the separation's first day), by whom.
    const readBack = await caseRecord(store, head, separation!.id, { today: '2026-09-28' });
    expect(readBack.duties).toContainEqual(expect.objectContaining({ dueDate: '2026-09-21', status: 'late', done: expect.objectContaining({ on: '2026-09-22', by: 'head-a' }) }));
    const calendar = (await store.pupils.calendarFor('SCH-A', '2026-09-28'))!;
    expect((await new RulesEvaluator().evaluate(record, calendar, '2026-09-28')).map((t) => t.trigger)).not.toContain('safeguarding-separation.tell-local-authority');
  });

  it('puts a movement opened by hand on the pupil record, so the figures count it; a refused one writes nothing', async () => {
    const head = await store.staff.actorFor('head-a');
    const { case: timetable } = await openByHand(store, head, 'part-time-timetable', 'p4', '2026-09-28', { startDate: '2026-09-28', plannedEnd: '2026-10-23', parentsAgreedOn: '2026-09-25' });
    expect(timetable).toMatchObject({ state: { active: 'agreed' }, context: { timetableId: 'PTT-2026-09-28' } });
    expect((await store.pupils.record(head, 'P4')).partTimeTimetables).toEqual([expect.objectContaining({ id: 'PTT-2026-09-28', startDate: '2026-09-28', plannedEndDate: '2026-10-23', parentsConsentedOn: '2026-09-25' })]);
    const report = await buildReport(store, SYSTEM, { academicYear: '2026/27', quarter: 1 });
    // P2's from the import and P4's opened by hand.
    expect(report.rows.find((r) => r.school === 'SCH-A' && r.measure === 'part-time-timetables' && r.breakdown === 'total')?.value).toBe(2);

    await expect(openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05' })).rejects.toThrow(/provider/);
    expect((await store.pupils.record(head, 'P4')).offSiteDirections).toBeUndefined();
    expect((await caseOf('P4')).map((c) => c.kind)).toEqual(['part-time-timetable']);
  });

  it("starts a direction whose notice the record holds past it — recorded late, the placement running", async () => {
    await evaluateStoredPupils(store, { asOf: '2026-10-05' });
    const [late] = await caseOf('P5');
    expect(late).toMatchObject({ kind: 'off-site-direction', state: { placement: 'running' }, context: { notice: { sentOn: '2026-10-02', late: true } } });
  });
});
