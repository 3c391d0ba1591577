import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { testStore } from '../testing.js';
import { SAMPLE_INPUTS } from './samples.js';

describe('the suspension case', () => {
  it('schedules its statutory deadlines on opening and may be cancelled only before the board reviews', () => {
    const { store } = testStore();
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(SYSTEM, { kind: 'suspension', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.suspension[0]! });
    expect(opened.deadlines.map((d) => [d.key, d.dueDate])).toEqual([
      ['provision', '2025-10-13'],
      ['board-review', '2025-10-27'],
    ]);
    expect(() => store.cases.send(head, opened.id, { type: 'RECORD_NOTICE', recipient: 'social-worker', method: 'email', sentOn: '2025-10-06' })).toThrow(
      'no notice to social-worker is due for this exclusion; due: parents, local-authority',
    );
    store.cases.send(head, opened.id, { type: 'RECORD_BOARD_REVIEW', outcome: 'upheld', heldOn: '2025-10-24', irpWindowEnds: '2025-11-14' });
    expect(() => store.cases.send(head, opened.id, { type: 'CANCEL', reason: 'second thoughts' })).toThrow('an exclusion can be cancelled only before the governing board has reviewed it');
  });

  it('on cancelling, queues a fresh notice to everyone notified', () => {
    const { store } = testStore();
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(SYSTEM, { kind: 'suspension', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.suspension[0]! });
    const cancelled = store.cases.send(head, opened.id, { type: 'CANCEL', reason: 'new evidence from CCTV' });
    expect(cancelled).toMatchObject({ state: 'cancelled', status: 'done' });
    expect(store.db.prepare("SELECT payload FROM outbox WHERE kind = 're-notify'").get()).toEqual({ payload: JSON.stringify({ pupilId: 'P1', schoolId: 'SCH-A', recipients: ['parents', 'local-authority'] }) });
  });
});

describe('the reintegration case', () => {
  it('warns at week 10 and escalates at week 12 through the scheduler', () => {
    const { store } = testStore();
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(SYSTEM, { kind: 'reintegration', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.reintegration[0]! });
    expect(store.fireDueDeadlines(new Date('2025-11-10T09:00:00Z'))).toEqual({ fired: 1, moot: 0 });
    expect(store.cases.get(head, opened.id).context).toMatchObject({ warned: true });
    expect(store.fireDueDeadlines(new Date('2025-11-24T09:00:00Z'))).toEqual({ fired: 1, moot: 0 });
    expect(store.cases.get(head, opened.id).state).toEqual({ 'on-pathway': 'escalated' });
  });
});
