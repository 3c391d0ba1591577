import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM, type Actor } from '../access.js';
import { cancelExclusion, recordExclusion } from './recordExclusion.js';
import { dutyActions } from './suspensionDuties.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';
import { EventRefused } from '../errors.js';

afterEach(closeTestStores);

const TODAY = '2026-03-20';
const head: Actor = { id: 'demo-head', role: 'headteacher', schoolIds: ['DEMO-SCH'] };
const senco: Actor = { id: 'demo-senco', role: 'senco', schoolIds: ['DEMO-SCH'] };

async function demo(backend: (typeof BACKENDS)[number]) {
  const t = await testStore({ backend, now: () => new Date(`${TODAY}T09:00:00Z`) });
  await t.store.pupils.import(SYSTEM, DEMO_FILES);
  return t.store;
}

describe.each(BACKENDS)('%s', (backend) => {
  it('records a suspension into the record, re-runs the rules and opens its case with the duties and dates', async () => {
    const store = await demo(backend);
    const result = await recordExclusion(store, head, 'DEMO-005', { category: 'FIXD', startDate: '2026-03-23', sessions: 6, reasons: ['DB', 'VA'] }, { today: TODAY });
    if (!result.recorded) throw new Error('not recorded');
    expect(result.exclusion).toMatchObject({ id: '2026-03-23', startSession: 'AM', sessions: 6, reasons: ['DB', 'VA'], cancelled: false });
    const record = await store.pupils.record(head, 'DEMO-005');
    expect(record.exclusions.map((e) => e.id)).toContain('2026-03-23');
    const view = result.case!;
    expect(view.context.exclusion).toMatchObject({ id: '2026-03-23', category: 'FIXD', startDate: '2026-03-23' });
    expect(Object.keys(view.context.notices)).toEqual(expect.arrayContaining(['parents', 'local-authority']));
    // Notices are due without delay: by the first day a reminder comes.
    expect(view.deadlines).toContainEqual(expect.objectContaining({ key: 'notices', dueDate: '2026-03-23', status: 'pending' }));
    // The head who recorded it is in the case already: no "action needed" prompt is queued.
    expect((await store.outbox.entries({ kind: 'prompt-headteacher' })).filter((m) => m.caseId === view.id)).toEqual([]);
    // The head sees a button for each notice to send, and may cancel.
    expect(dutyActions(store, head, view).map((a) => a.recipient ?? a.duty)).toEqual(expect.arrayContaining(['parents', 'local-authority', 'cancel']));
    // Audited with codes and dates, and the confirmation only when one was needed.
    const audit = (await store.audit.entriesOf('exclusion-recorded')).at(-1)!;
    expect(audit.data).toMatchObject({ pupilId: 'DEMO-005', exclusionId: '2026-03-23', category: 'FIXD', sessions: 6, reasons: ['DB', 'VA'] });
    expect(audit.data).not.toHaveProperty('confirmedWithoutCompletedPeap');
  });

  it('refuses a suspension that would pass the annual limit, and saves nothing', async () => {
    const store = await demo(backend);
    const before = (await store.pupils.record(head, 'DEMO-005')).exclusions.length;
    await expect(recordExclusion(store, head, 'DEMO-005', { category: 'FIXD', startDate: '2026-03-23', sessions: 90, reasons: ['DB'] }, { today: TODAY })).rejects.toThrow(/45/);
    expect((await store.pupils.record(head, 'DEMO-005')).exclusions).toHaveLength(before);
  });

  it('names each field that is wrong, and lets only a head or deputy record one', async () => {
    const store = await demo(backend);
    await expect(recordExclusion(store, head, 'DEMO-005', { category: 'FIXD', startDate: '2026-03-23', reasons: ['DB'] }, { today: TODAY })).rejects.toThrow(/sessions/);
    await expect(recordExclusion(store, senco, 'DEMO-005', { category: 'FIXD', startDate: '2026-03-23', sessions: 2, reasons: ['DB'] }, { today: TODAY })).rejects.toThrow(/only the headteacher/);
  });

  it('asks before recording a permanent exclusion without a completed PEAP, and keeps the confirmation in the audit trail', async () => {
    const store = await demo(backend);
    const decision = { category: 'PERM', startDate: '2026-03-23', reasons: ['PA'] } as const;
    const asked = await recordExclusion(store, head, 'DEMO-005', decision, { today: TODAY });
    expect(asked.recorded).toBe(false);
    if (asked.recorded) return;
    expect(asked.peapLacks[0]).toMatch(/pre-exclusion assessment/);
    expect((await store.pupils.record(head, 'DEMO-005')).exclusions.some((e) => e.category === 'PERM')).toBe(false);

    const confirmed = await recordExclusion(store, head, 'DEMO-005', decision, { today: TODAY, confirmWithoutPeap: true });
    expect(confirmed.recorded).toBe(true);
    const audit = (await store.audit.entriesOf('exclusion-recorded')).at(-1)!;
    expect(audit.data).toMatchObject({ category: 'PERM', confirmedWithoutCompletedPeap: asked.peapLacks });
    if (confirmed.recorded) expect(confirmed.case?.context.boardReview?.kind).toBe('must');
  });

  it('cancels an exclusion: everyone told of it is to be told again, each recorded, and the rules stop counting it', async () => {
    const store = await demo(backend);
    const result = await recordExclusion(store, head, 'DEMO-005', { category: 'FIXD', startDate: '2026-03-23', sessions: 2, reasons: ['DB'] }, { today: TODAY });
    if (!result.recorded || !result.case) throw new Error('no case');
    const cancelling = await cancelExclusion(store, head, result.case.id, 'new evidence: the pupil was not involved', { today: TODAY });
    expect(cancelling.state).toBe('cancelling');
    expect(cancelling.context.cancelled).toMatchObject({ reason: 'new evidence: the pupil was not involved', on: TODAY });
    // The parents, the board and the local authority, each a duty with its button; the notices of the exclusion itself no longer due.
    // (DEMO-005 has a social worker, who was told of the exclusion.)
    const told = dutyActions(store, head, cancelling).map((a) => `${a.duty}:${a.recipient}`);
    expect(told).toEqual(['cancellation-notice:parents', 'cancellation-notice:local-authority', 'cancellation-notice:social-worker', 'cancellation-notice:governing-board']);
    expect(cancelling.deadlines).toContainEqual(expect.objectContaining({ key: 'cancellation-notices', dueDate: TODAY, status: 'pending' }));
    expect(cancelling.deadlines.find((d) => d.key === 'notices')?.status).toBe('cancelled');
    expect((await store.pupils.record(head, 'DEMO-005')).exclusions.find((e) => e.id === result.exclusion.id)?.cancelled).toBe(true);
    await expect(cancelExclusion(store, head, result.case.id, 'again', { today: TODAY })).rejects.toBeInstanceOf(EventRefused);

    // Not yet all told: on the day, the reminder; once all are told, the case is done.
    await store.fireDueDeadlines(new Date(`${TODAY}T10:00:00Z`));
    expect((await store.outbox.entries({ kind: 'remind-deadline' })).map((m) => m.payload.deadline)).toContain('cancellation-notices');
    let view = await store.cases.get(head, result.case.id, 'suspension');
    for (const recipient of ['parents', 'local-authority', 'social-worker', 'governing-board'] as const) view = await store.cases.send(head, view, { type: 'RECORD_CANCELLATION_NOTICE', recipient, method: 'letter', sentOn: TODAY });
    expect(view).toMatchObject({ state: 'cancelled', status: 'done' });
  });
});
