import { describe, expect, it } from 'vitest';
import { AccessDenied } from './access.js';
import { CaseNotFound, EventRefused, RevisionConflict } from './errors.js';
import { testStore, toyDefinitions } from './testing.js';

const opening = { kind: 'peap' as const, schoolId: 'SCH-A', pupilId: 'P1', input: { pupilId: 'P1', reviewBy: '2025-10-20' } };

describe('opening a case', () => {
  it('opens once per key: evaluating the same trigger twice opens nothing new', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const system = { id: 'system', role: 'system' as const, schoolIds: [] };
    const first = store.cases.open(system, { ...opening, openKey: 'P1/peap.required/2025/26 autumn-1', rule: { id: 'peap.required', version: 1 } });
    const again = store.cases.open(system, { ...opening, openKey: 'P1/peap.required/2025/26 autumn-1', rule: { id: 'peap.required', version: 1 } });
    expect(first.created).toBe(true);
    expect(again).toEqual({ case: first.case, created: false });
    expect(first.case).toMatchObject({ state: 'open', revision: 1, ruleId: 'peap.required', ruleVersion: 1, deadlines: [{ key: 'review', dueDate: '2025-10-20', status: 'pending' }] });
    expect(store.db.prepare('SELECT kind, idempotency_key FROM outbox').all()).toEqual([{ kind: 'prompt-headteacher', idempotency_key: `${first.case.id}/opened` }]);
  });

  it('refuses input the machine does not accept, saying what is wrong', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    expect(() => store.cases.open(store.staff.actorFor('head-a'), { ...opening, input: { pupilId: 'P1' } })).toThrow(/cannot open a peap case: reviewBy: /);
  });
});

describe('sending events', () => {
  it('applies an event, bumps the revision and audits who did what', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(head, opening);
    store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'yes' });
    const decided = store.cases.send(head, opened.id, { type: 'DECIDE', decision: 'support-plan' }, { expectedRevision: 2 });
    expect(decided).toMatchObject({ state: 'decided', status: 'done', revision: 3, context: { answers: { q1: 'yes' }, decision: 'support-plan' } });
    expect(decided.deadlines).toEqual([{ key: 'review', label: 'review', dueDate: '2025-10-20', status: 'cancelled' }]);
    const trail = store.cases.timeline(head, opened.id);
    expect(trail.map((r) => [r.actor, r.action, r.event ?? ''])).toEqual([
      ['head-a', 'case-opened', ''],
      ['head-a', 'event', 'ANSWER'],
      ['head-a', 'event', 'DECIDE'],
      ['head-a', 'case-read', ''],
    ]);
    expect(trail[1]?.data).toEqual({ questionId: 'q1', answer: 'yes' });
  });

  it('refuses an event the state does not allow, explaining why, and changes nothing', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(head, opening);
    expect(() => store.cases.send(head, opened.id, { type: 'DECIDE', decision: 'x' })).toThrow(new EventRefused('answer at least one question before deciding'));
    expect(() => store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: '' })).toThrow(/ANSWER is not valid: answer: /);
    expect(() => store.cases.send(head, opened.id, { type: 'FLY' })).toThrow('a peap case has no event "FLY"; events: ANSWER, DECIDE');
    expect(store.cases.get(head, opened.id).revision).toBe(1);
  });

  it('refuses a write based on a stale revision, so two writers never both win', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const head = store.staff.actorFor('head-a');
    const { case: opened } = store.cases.open(head, opening);
    store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'a' }, { expectedRevision: 1 });
    expect(() => store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'b' }, { expectedRevision: 1 })).toThrow(RevisionConflict);
    expect(store.cases.get(head, opened.id).context).toMatchObject({ answers: { q1: 'a' } });
  });
});

describe('access', () => {
  it('keeps a head to their own school: another school\'s case is not there for them', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const { case: opened } = store.cases.open(store.staff.actorFor('head-a'), opening);
    const headB = store.staff.actorFor('head-b');
    expect(() => store.cases.get(headB, opened.id)).toThrow(CaseNotFound);
    expect(() => store.cases.send(headB, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'x' })).toThrow(CaseNotFound);
    expect(store.cases.list(headB)).toEqual([]);
    expect(() => store.cases.list(headB, { schoolId: 'SCH-A' })).toThrow(AccessDenied);
  });

  it('lets an inclusion officer read across their schools and add notes, but not act', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    const { case: opened } = store.cases.open(store.staff.actorFor('head-a'), opening);
    const officer = store.staff.actorFor('officer');
    expect(store.cases.list(officer).map((c) => c.id)).toEqual([opened.id]);
    expect(() => store.cases.send(officer, opened.id, { type: 'ANSWER', questionId: 'q1', answer: 'x' })).toThrow(AccessDenied);
    store.cases.note(officer, opened.id, 'Checked: the pupil voice was heard.');
    expect(store.cases.timeline(officer, opened.id).find((r) => r.action === 'note')).toMatchObject({ actor: 'officer', role: 'inclusion-officer', data: { text: 'Checked: the pupil voice was heard.' } });
  });

  it('refuses someone not on the staff list', () => {
    const { store } = testStore({ definitions: toyDefinitions() });
    expect(() => store.staff.actorFor('stranger')).toThrow('stranger is not on the staff list');
  });
});
