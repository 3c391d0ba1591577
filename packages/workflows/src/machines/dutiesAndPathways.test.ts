import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';
import { SAMPLE_INPUTS } from './samples.js';

afterEach(closeTestStores);

describe.each(BACKENDS)('%s', (backend) => {
  describe('the suspension case', () => {
    it('schedules its statutory deadlines on opening and may be cancelled only before the board reviews', async () => {
      const t = await testStore({ backend });
      const { store } = t;
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(SYSTEM, { kind: 'suspension', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.suspension[0]! });
      const suspension = { id: opened.id, kind: 'suspension' as const };
      expect(opened.deadlines.map((d) => [d.key, d.dueDate])).toEqual([
        ['provision', '2025-10-13'],
        ['board-review', '2025-10-27'],
      ]);
      await expect(store.cases.send(head, suspension, { type: 'RECORD_NOTICE', recipient: 'social-worker', method: 'email', sentOn: '2025-10-06' })).rejects.toThrow(
        'no notice to social-worker is due for this exclusion; due: parents, local-authority',
      );
      // A review recorded as held on a day still to come is refused: the record never runs ahead of what was done.
      await expect(store.cases.send(head, suspension, { type: 'RECORD_BOARD_REVIEW', outcome: 'upheld', heldOn: '2025-10-24', irpWindowEnds: '2025-11-14' })).rejects.toThrow(
        'RECORD_BOARD_REVIEW is not valid: heldOn: 2025-10-24 is after today (2025-10-06): record it on the day it was done, or after',
      );
      t.setNow('2025-10-24T16:00:00Z');
      await store.cases.send(head, suspension, { type: 'RECORD_BOARD_REVIEW', outcome: 'upheld', heldOn: '2025-10-24', irpWindowEnds: '2025-11-14' });
      await expect(store.cases.send(head, suspension, { type: 'CANCEL', reason: 'second thoughts' })).rejects.toThrow('an exclusion can be cancelled only before the governing board has reviewed it');
    });

    it('on cancelling, sets a cancellation notice due to the parents, the board and the local authority, with the reason', async () => {
      const t = await testStore({ backend });
      const { store } = t;
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(SYSTEM, { kind: 'suspension', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.suspension[0]! });
      t.setNow('2025-10-07T09:00:00Z');
      const cancelled = await store.cases.send(head, { id: opened.id, kind: 'suspension' }, { type: 'CANCEL', reason: 'new evidence from CCTV', cancelledOn: '2025-10-07' });
      expect(cancelled).toMatchObject({ state: 'cancelling', status: 'active' });
      expect(Object.keys(cancelled.context.cancellationNotices ?? {})).toEqual(['parents', 'local-authority', 'governing-board']);
      expect(cancelled.deadlines).toContainEqual(expect.objectContaining({ key: 'cancellation-notices', dueDate: '2025-10-07', status: 'pending' }));
    });
  });

  describe('the reintegration case', () => {
    it('warns at week 10 and escalates at week 12 through the scheduler', async () => {
      const { store } = await testStore({ backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(SYSTEM, { kind: 'reintegration', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.reintegration[0]! });
      expect(await store.fireDueDeadlines(new Date('2025-11-10T09:00:00Z'))).toEqual({ fired: 1, moot: 0 });
      expect((await store.cases.get(head, opened.id, 'reintegration')).context).toMatchObject({ warned: true });
      expect(await store.fireDueDeadlines(new Date('2025-11-24T09:00:00Z'))).toEqual({ fired: 1, moot: 0 });
      expect((await store.cases.get(head, opened.id)).state).toEqual({ 'on-pathway': 'escalated' });
    });
  });
});
