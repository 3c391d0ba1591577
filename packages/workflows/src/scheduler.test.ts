import { describe, expect, it } from 'vitest';
import { CaseStore } from './caseStore.js';
import { testStore, toyDefinitions } from './testing.js';

describe('deadlines', () => {
  it('fire exactly once, on their date, after a restart', () => {
    const { store, path } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(head, { kind: 'peap', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } });
    expect(store.fireDueDeadlines(new Date('2025-10-19T22:59:00Z'))).toEqual({ fired: 0, moot: 0 }); // 23:59 on the 19th in London
    store.close();

    // The process was down on the 20th; it starts again on the 21st.
    const restarted = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', definitions: toyDefinitions() });
    expect(restarted.fireDueDeadlines(new Date('2025-10-21T08:00:00Z'))).toEqual({ fired: 1, moot: 0 });
    expect(restarted.fireDueDeadlines(new Date('2025-10-21T08:05:00Z'))).toEqual({ fired: 0, moot: 0 });
    const after = restarted.cases.get(head, opened.id);
    expect(after.state).toBe('overdue');
    expect(after.deadlines).toEqual([{ key: 'review', label: 'review', dueDate: '2025-10-20', status: 'fired' }]);
    expect(restarted.cases.timeline(head, opened.id).filter((r) => r.event === 'DEADLINE_REACHED')).toHaveLength(1);
  });

  it('do not fire once cancelled', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(head, { kind: 'peap', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } });
    store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'a' });
    store.cases.send(head, opened.id, { type: 'DECIDE', decision: 'support-plan' });
    expect(store.fireDueDeadlines(new Date('2025-11-01T08:00:00Z'))).toEqual({ fired: 0, moot: 0 });
  });
});

describe('the outbox', () => {
  it('sends each message once, retrying a failure later', async () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    store.cases.open(head, { kind: 'peap', schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } });
    const delivered: string[] = [];
    let fail = true;
    const senders = {
      'prompt-headteacher': async (m: { idempotencyKey: string }) => {
        if (fail) throw new Error('connector unavailable');
        delivered.push(m.idempotencyKey);
      },
    };
    expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:00:00Z'))).toEqual({ sent: 0, failed: 1, waiting: 0 });
    fail = false;
    expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:00:30Z'))).toEqual({ sent: 0, failed: 0, waiting: 0 }); // waiting a minute
    expect(await store.deliverOutbox(senders, new Date('2025-10-06T09:01:00Z'))).toEqual({ sent: 1, failed: 0, waiting: 0 });
    expect(await store.deliverOutbox(senders, new Date('2025-10-06T10:00:00Z'))).toEqual({ sent: 0, failed: 0, waiting: 0 });
    expect(delivered).toHaveLength(1);
    expect(store.db.prepare('SELECT attempts, last_error FROM outbox').get()).toEqual({ attempts: 2, last_error: null });
  });
});
