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
import { overdueDeadlines, type CaseView } from '../cases/caseService.js';
import { RulesEvaluator } from '@before-exclusion/rules';
import { caseRecord } from '../cases/caseRecord.js';
import { dutiesOnRecord, recordMovementDuty } from './movementDuties.js';
import { openByHand } from '../cases/openByHand.js';
import { evaluateStoredPupils } from '../cases/openCases.js';
import { buildReport } from '../figures/reports.js';
import type { CaseStore } from '../store/caseStore.js';
import { EventRefused } from '../errors.js';
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

  const directionsCounted = async () => (await buildReport(store, SYSTEM, { academicYear: '2026/27', quarter: 1 })).rows.find((r) => r.school === 'SCH-A' && r.measure === 'off-site-directions' && r.breakdown === 'total')?.value;

  it('keeps a direction opened by hand the one case for its placement: the rules find it, and its notice is never overdue on a twin', async () => {
    const head = await store.staff.actorFor('head-a');
    const { case: opened } = await openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05', provider: 'Hillside AP' });
    // The notice recorded as `cases act` does (the case's event alone)...
    await store.cases.sendUnchecked(head, opened.id, [{ type: 'RECORD_NOTICE', sentOn: '2026-09-28' }]);
    // ...then the rules run, before and after the notice's day (Thu 1 Oct).
    expect((await evaluateStoredPupils(store, { asOf: '2026-09-28' }))?.opened).toBe(4); // P1, P2, P3 and P5's, none for P4
    await evaluateStoredPupils(store, { asOf: '2026-10-02' });
    const cases = await caseOf('P4');
    expect(cases.map((c) => c.id)).toEqual([opened.id]);
    expect(overdueDeadlines(cases[0]!, '2026-10-02')).toEqual([]);
    expect(await directionsCounted()).toBe(3); // P1, P5 and P4's
  });

  it('puts a notice recorded on a hand-opened direction on the pupil record, however it was sent', async () => {
    const head = await store.staff.actorFor('head-a');
    const { case: opened } = await openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05', provider: 'Hillside AP' });
    const events = [{ type: 'RECORD_NOTICE', sentOn: '2026-09-28' }];
    await dutiesOnRecord(store, head, await store.cases.sendUnchecked(head, opened.id, events), events);
    expect((await store.pupils.record(head, 'P4')).offSiteDirections).toEqual([expect.objectContaining({ id: 'OSD-2026-10-05', noticeGivenOn: '2026-09-28' })]);
    const calendar = (await store.pupils.calendarFor('SCH-A', '2026-09-28'))!;
    const triggers = await new RulesEvaluator().evaluate(await store.pupils.record(head, 'P4'), calendar, '2026-10-02');
    expect(triggers.map((t) => t.trigger)).not.toContain('off-site-direction.notice-to-parents');
  });

  it('returns the open case when the same placement is opened again, and the report counts it once', async () => {
    const head = await store.staff.actorFor('head-a');
    const first = await openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05', provider: 'Hillside AP' });
    const again = await openByHand(store, head, 'off-site-direction', 'p4', '2026-09-28', { startDate: '2026-10-05', provider: ' hillside  ap ' });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, case: { id: first.case.id } });
    // Another provider from the same day is most likely the same placement typed another way: refused, naming it,
    // unless said to be another placement.
    await expect(openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05', provider: 'Hillside Alternative Provision' })).rejects.toThrow(
      /^the pupil's record holds OSD-2026-10-05, an off-site direction from 2026-10-05 at Hillside AP: give \{"directionId":"OSD-2026-10-05"\} to open its case, or add "anotherPlacement":true/,
    );
    const other = await openByHand(store, head, 'off-site-direction', 'P4', '2026-09-28', { startDate: '2026-10-05', provider: 'Riverside Learning Centre', anotherPlacement: true });
    expect(other.created).toBe(true);
    expect(await directionsCounted()).toBe(4); // P1, P5 and P4's two

    const timetable = { startDate: '2026-09-28', plannedEnd: '2026-10-23' };
    const separation = { startDate: '2026-09-28', dslDecidedOn: '2026-09-25' };
    const reintegration = { startDate: '2026-09-28' };
    for (const [kind, data] of [['part-time-timetable', timetable], ['safeguarding-separation', separation], ['reintegration', reintegration]] as const) {
      const one = await openByHand(store, head, kind, 'P4', '2026-09-28', data);
      expect(await openByHand(store, head, kind, 'P4', '2026-09-28', data)).toMatchObject({ created: false, case: { id: one.case.id } });
    }
    expect((await caseOf('P4')).map((c) => c.kind).sort()).toEqual(['off-site-direction', 'off-site-direction', 'part-time-timetable', 'reintegration', 'safeguarding-separation']);
    const record = await store.pupils.record(head, 'P4');
    expect([record.partTimeTimetables?.length, record.safeguardingSeparations?.length]).toEqual([1, 1]);
  });

  it("opens a placement the record already holds as that placement's case, before or after the rules open it", async () => {
    const head = await store.staff.actorFor('head-a');
    // Before the rules: by its id, keyed as they key it, so they open nothing beside it.
    const { case: p1 } = await openByHand(store, head, 'off-site-direction', 'P1', '2026-09-28', { directionId: 'OSD1' });
    expect(p1.context).toMatchObject({ directionId: 'OSD1', noticeBy: '2026-10-01', ehcp: true });
    expect((await evaluateStoredPupils(store, { asOf: '2026-09-28' }))?.opened).toBe(3);
    expect((await caseOf('P1')).map((c) => c.id)).toEqual([p1.id]);
    // After them: the same placement described again is the rules' case, with the notice the record holds.
    const [p5] = await caseOf('P5');
    expect(await openByHand(store, head, 'off-site-direction', 'P5', '2026-09-28', { startDate: '2026-10-05', provider: 'Riverside Learning Centre' })).toMatchObject({ created: false, case: { id: p5!.id, context: { notice: { sentOn: '2026-10-02' } } } });
    expect((await store.pupils.record(head, 'P5')).offSiteDirections).toHaveLength(1);
  });

  it('finds a case opened by hand before such cases were keyed, so a store from before opens no twin of it', async () => {
    const head = await store.staff.actorFor('head-a');
    // As the release before opened it: naming the record's direction, with no key.
    const { case: old } = await store.cases.open(head, { kind: 'off-site-direction', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', schoolId: 'SCH-A', directionId: 'OSD1', startDate: '2026-10-05', provider: 'Riverside Learning Centre', noticeBy: '2026-10-01', firstReviewDue: '2026-11-30' } });
    expect((await evaluateStoredPupils(store, { asOf: '2026-09-28' }))?.opened).toBe(3);
    expect((await caseOf('P1')).map((c) => c.id)).toEqual([old.id]);
    expect(await openByHand(store, head, 'off-site-direction', 'P1', '2026-09-28', { directionId: 'OSD1' })).toMatchObject({ created: false, case: { id: old.id } });
  });

  it('refuses a movement id the record does not hold, or more data beside it, and opens nothing', async () => {
    const head = await store.staff.actorFor('head-a');
    await expect(openByHand(store, head, 'off-site-direction', 'P1', '2026-09-28', { directionId: 'OSD9' })).rejects.toThrow(
      new EventRefused('directionId "OSD9": the pupil\'s record holds no off-site direction with that id (it holds OSD1); leave directionId out to put a new one on the record'),
    );
    await expect(openByHand(store, head, 'part-time-timetable', 'P1', '2026-09-28', { timetableId: 'PT1' })).rejects.toThrow("holds no part-time timetable with that id (it holds none)");
    await expect(openByHand(store, head, 'off-site-direction', 'P1', '2026-09-28', { directionId: 'OSD1', provider: 'Elsewhere' })).rejects.toThrow('directionId OSD1 opens the case for the off-site direction as the pupil\'s record holds it: give no other data (given: provider)');
    expect(await caseOf('P1')).toEqual([]);
  });

  it("starts a direction whose notice the record holds past it — recorded late, the placement running", async () => {
    await evaluateStoredPupils(store, { asOf: '2026-10-05' });
    const [late] = await caseOf('P5');
    expect(late).toMatchObject({ kind: 'off-site-direction', state: { placement: 'running' }, context: { notice: { sentOn: '2026-10-02', late: true } } });
  });
});
