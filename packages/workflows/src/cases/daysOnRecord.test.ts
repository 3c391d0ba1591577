/**
 * The days a person records: a day something was done may not be after today, and a day something
 * is to happen in school may not be one the school is closed — each refused naming the day, and
 * nothing saved.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { evaluateStoredPupils } from './openCases.js';
import { withCountedDates } from '../suspensions/statutoryDates.js';
import { partTimeTimetableEvents } from '../machines/partTimeTimetableCase.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

const TODAY = '2026-03-20'; // a Friday

describe.each(BACKENDS)('days on the record (%s)', (backend) => {
  async function demo() {
    const t = await testStore({ backend, now: () => new Date(`${TODAY}T09:00:00Z`) });
    await t.store.pupils.import(SYSTEM, DEMO_FILES);
    await t.store.staff.upsert({ id: 'demo-head', displayName: 'Demo Head', role: 'headteacher', schoolIds: ['DEMO-SCH'] }, SYSTEM);
    await evaluateStoredPupils(t.store, { asOf: TODAY });
    return { ...t, head: await t.store.staff.actorFor('demo-head') };
  }

  it('refuses a PEAP meeting on a day the school is closed, naming the next school day', async () => {
    const { store, head } = await demo();
    const peap = (await store.cases.list(head)).find((c) => c.kind === 'peap')!;
    await expect(store.cases.send(head, { id: peap.id, kind: 'peap' }, { type: 'SCHEDULE_MEETING', date: '2026-03-21' })).rejects.toThrow(
      'SCHEDULE_MEETING is not valid: date: Saturday 21 Mar 2026 is a weekend at school DEMO-SCH: the next school day is Monday 23 Mar 2026',
    );
    expect((await store.cases.get(head, peap.id, 'peap')).context.meetingDate).toBeUndefined();
    await store.cases.send(head, { id: peap.id, kind: 'peap' }, { type: 'SCHEDULE_MEETING', date: '2026-03-23' });
  });

  it('counts the date the law sets on the school calendar, and refuses one given that differs (every channel, the CLI too)', async () => {
    const { store, head } = await demo();
    const suspension = (await store.cases.list(head)).find((c) => c.kind === 'suspension')!;
    // 50 school days from Wednesday 18 March on the demo calendar (the Easter holiday and the May bank holiday skipped).
    expect(await withCountedDates(store, suspension, { type: 'PARENTS_REQUEST_REVIEW', requestedOn: '2026-03-18' })).toEqual({ type: 'PARENTS_REQUEST_REVIEW', requestedOn: '2026-03-18', dueDate: '2026-06-18' });
    await expect(withCountedDates(store, suspension, { type: 'PARENTS_REQUEST_REVIEW', requestedOn: '2026-03-18', dueDate: '2026-03-01' })).rejects.toThrow(
      "PARENTS_REQUEST_REVIEW is not valid: dueDate: 2026-03-01 is not the board's latest date, counted from the request on the school calendar (2026-06-18): leave it out and it is counted",
    );
    // 15 school days from the application.
    expect(await withCountedDates(store, suspension, { type: 'REQUEST_IRP', requestedOn: '2026-03-18' })).toMatchObject({ panelBy: '2026-04-22' });
  });

  it('refuses a measure taken on a day still to come, and keeps nothing of it', async () => {
    const { store, head } = await demo();
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId: 'DEMO-002', input: { pupilId: 'DEMO-002', schoolId: 'DEMO-SCH' } });
    await expect(store.cases.sendUnchecked(head, plan.id, [{ type: 'RECORD_MEASURE', measure: 'sdq', stage: 'baseline', takenOn: '2026-03-23', totalDifficulties: 20 }])).rejects.toThrow(
      'RECORD_MEASURE is not valid: takenOn: 2026-03-23 is after today (2026-03-20): record it on the day it was done, or after',
    );
    expect((await store.cases.get(head, plan.id, 'support-plan')).context.measures).toEqual([]);
  });

  it("refuses a part-time timetable review whose next review or new time limit is not after it", () => {
    const review = (more: object) => partTimeTimetableEvents.HOLD_REVIEW.payload.safeParse({ heldOn: '2026-03-20', outcome: 'continue', nextReviewDue: '2026-04-20', ...more });
    expect(review({}).success).toBe(true);
    expect(review({ nextReviewDue: '2026-03-01' }).error?.issues).toEqual([expect.objectContaining({ path: ['nextReviewDue'], message: 'the next review falls after this one' })]);
    expect(review({ plannedEnd: '2026-03-02' }).error?.issues).toEqual([expect.objectContaining({ path: ['plannedEnd'], message: 'a new time limit falls after the review that sets it' })]);
  });
});
