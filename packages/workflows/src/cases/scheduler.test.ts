import { afterEach, describe, expect, it } from 'vitest';
import { BACKENDS, closeTestStores, openAgain, testStore, toyDefinitions } from '../testing.js';

afterEach(closeTestStores);

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

describe.each(BACKENDS)('%s', (backend) => {
  describe('deadlines', () => {
    it('fire exactly once, on their date, after a restart', async () => {
      const t = await testStore({ definitions: toyDefinitions(), backend });
      const head = await t.store.staff.actorFor('head-a');
      const { case: opened } = await t.store.cases.open(head, opening);
      expect(await t.store.fireDueDeadlines(new Date('2025-10-19T22:59:00Z'))).toEqual({ fired: 0, moot: 0 }); // 23:59 on the 19th in London
      await t.store.close();

      // The process was down on the 20th; it starts again on the 21st.
      const restarted = await openAgain(t, { definitions: toyDefinitions() });
      expect(await restarted.fireDueDeadlines(new Date('2025-10-21T08:00:00Z'))).toEqual({ fired: 1, moot: 0 });
      expect(await restarted.fireDueDeadlines(new Date('2025-10-21T08:05:00Z'))).toEqual({ fired: 0, moot: 0 });
      const after = await restarted.cases.get(head, opened.id);
      expect(after.state).toBe('overdue');
      expect(after.deadlines).toEqual([{ key: 'review', label: 'review', dueDate: '2025-10-20', status: 'fired' }]);
      expect((await restarted.cases.timeline(head, opened.id)).filter((r) => r.event === 'DEADLINE_REACHED')).toHaveLength(1);
      expect((await restarted.audit.verify()).ok).toBe(true);
    });

    it('fire once when two instances tick at the same moment', async () => {
      const t = await testStore({ definitions: toyDefinitions(), backend });
      const head = await t.store.staff.actorFor('head-a');
      const { case: opened } = await t.store.cases.open(head, opening);
      const other = await openAgain(t, { definitions: toyDefinitions() });
      const now = new Date('2025-10-21T08:00:00Z');
      const results = await Promise.all([t.store.fireDueDeadlines(now), other.fireDueDeadlines(now)]);
      expect(results.reduce((n, r) => n + r.fired + r.moot, 0)).toBe(1);
      expect((await t.store.audit.entriesFor(opened.id)).filter((r) => r.event === 'DEADLINE_REACHED')).toHaveLength(1);
      expect((await t.store.audit.verify()).ok).toBe(true);
    });

    it('do not fire once cancelled', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      const { case: opened } = await store.cases.open(head, opening);
      await store.cases.sendUnchecked(head, opened.id, [{ type: 'ANSWER', questionId: 'q1', answer: 'a' }]);
      await store.cases.sendUnchecked(head, opened.id, [{ type: 'DECIDE', decision: 'support-plan' }]);
      expect(await store.fireDueDeadlines(new Date('2025-11-01T08:00:00Z'))).toEqual({ fired: 0, moot: 0 });
    });
  });

  describe('the outbox', () => {
    it('sends each message once, retrying a failure later', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      const head = await store.staff.actorFor('head-a');
      await store.cases.open(head, opening);
      const delivered: string[] = [];
      let fail = true;
      const senders = {
        'prompt-headteacher': async (m: { idempotencyKey: string }) => {
          if (fail) throw new Error('connector unavailable');
          delivered.push(m.idempotencyKey);
        },
      };
      expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:00:00Z'))).toEqual({ sent: 0, failed: 1, waiting: 0 });
      expect(await store.outbox.entries()).toMatchObject([{ attempts: 1, sentAt: null, lastError: 'connector unavailable' }]);
      fail = false;
      expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:00:30Z'))).toEqual({ sent: 0, failed: 0, waiting: 0 }); // waiting a minute
      expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:01:00Z'))).toEqual({ sent: 1, failed: 0, waiting: 0 });
      expect(await store.deliverOutbox(senders, new Date('2025-10-06T10:00:00Z'))).toEqual({ sent: 0, failed: 0, waiting: 0 });
      expect(delivered).toHaveLength(1);
      expect((await store.outbox.entries()).map((m) => ({ attempts: m.attempts, lastError: m.lastError }))).toEqual([{ attempts: 2, lastError: null }]);
    });

    it('counts messages no sender here handles as waiting, and leaves them unsent', async () => {
      const { store } = await testStore({ definitions: toyDefinitions(), backend });
      await store.cases.open(await store.staff.actorFor('head-a'), opening);
      expect(await store.deliverOutbox({}, new Date('2025-10-06T09:00:00Z'))).toEqual({ sent: 0, failed: 0, waiting: 1 });
      expect(await store.outbox.entries()).toMatchObject([{ attempts: 0, sentAt: null }]);
    });

    it('sends every message exactly once when two instances on the same database deliver at once', async () => {
      const t = await testStore({ definitions: toyDefinitions(), backend });
      const head = await t.store.staff.actorFor('head-a');
      for (let i = 0; i < 12; i++) await t.store.cases.open(head, { ...opening, pupilId: `P${i}`, input: { pupilId: `P${i}`, reviewBy: '2025-10-20' } });
      const other = await openAgain(t, { definitions: toyDefinitions() });
      const calls: { instance: string; key: string }[] = [];
      const sendersFor = (instance: string) => ({
        'prompt-headteacher': async (m: { idempotencyKey: string }) => {
          await new Promise((resolve) => setTimeout(resolve, 1)); // a network call
          calls.push({ instance, key: m.idempotencyKey });
        },
      });
      const now = new Date('2025-10-06T09:00:00Z');
      const results = await Promise.all([t.store.deliverOutbox(sendersFor('one'), now), other.deliverOutbox(sendersFor('two'), now)]);

      const entries = await t.store.outbox.entries();
      expect(entries).toHaveLength(12);
      expect(calls.map((c) => c.key).sort()).toEqual(entries.map((m) => m.idempotencyKey).sort());
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(12);
      expect(results.map((r) => r.failed)).toEqual([0, 0]);
      expect(entries.every((m) => m.sentAt !== null && m.attempts === 1)).toBe(true);
      // Nothing left for either of them, then or later.
      for (const s of [t.store, other]) expect(await s.deliverOutbox(sendersFor('again'), new Date('2025-10-06T11:00:00Z'))).toEqual({ sent: 0, failed: 0, waiting: 0 });
      expect(calls).toHaveLength(12);
    });
  });
});
