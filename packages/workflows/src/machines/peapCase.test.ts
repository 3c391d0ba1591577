import { describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { EventRefused } from '../errors.js';
import { testStore } from '../testing.js';
import { SAMPLE_INPUTS } from './samples.js';

function peapAtReflection() {
  const { store } = testStore();
  const head = store.staff.actorFor('head-a');
  const { case: opened } = store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.peap[0]! });
  store.cases.send(head, opened.id, { type: 'SCHEDULE_MEETING', date: '2025-10-20' });
  store.cases.send(head, opened.id, { type: 'ANSWER', questionId: 'pupil-voice.happy-here', answer: 'Not really' });
  store.cases.send(head, opened.id, { type: 'COMPLETE_REFLECTION' });
  return { store, head, id: opened.id };
}

const pex = { type: 'DECIDE', decision: 'permanent-exclusion', rationale: 'Serious assault', followUpDate: '2025-12-01' };

describe('the PEAP gate', () => {
  it('refuses a permanent exclusion until everything is recorded, naming what is missing', () => {
    const { store, head, id } = peapAtReflection();
    expect(() => store.cases.send(head, id, pex)).toThrow(
      new EventRefused(
        "the PEAP gate holds back a permanent exclusion decision until these are recorded: the head's answer on contributing factors (SEND, family circumstances, bereavement); the head's answer on whether exclusion is the most appropriate and reasonable sanction; the head's answer on whether all reasons, and the impact on others, are recorded; the support tried (school-based or external); the attestation that all support mechanisms have been exhausted",
      ),
    );
    for (const [questionId, answer] of [
      ['head.factors-considered', 'Yes'],
      ['head.sanction-appropriate', 'Yes'],
      ['head.reasons-recorded', 'Yes'],
      ['support.external', ['CAMHS referral']],
    ] as const) store.cases.send(head, id, { type: 'ANSWER', questionId, answer });
    expect(() => store.cases.send(head, id, pex)).toThrow(/until these are recorded: the attestation that all support mechanisms have been exhausted$/);
    store.cases.send(head, id, { type: 'ANSWER', questionId: 'support.exhausted', answer: true });
    const decided = store.cases.send(head, id, pex);
    expect(decided.state).toBe('decided');
    expect(decided.deadlines).toEqual([{ key: 'follow-up', label: 'PEAP follow-up review', dueDate: '2025-12-01', status: 'pending' }]);
  });

  it('lets a support-plan decision through without the gate', () => {
    const { store, head, id } = peapAtReflection();
    expect(store.cases.send(head, id, { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Mentoring first', followUpDate: '2025-12-01' }).state).toBe('decided');
  });

  it('is a decision only the head or a deputy may make', () => {
    const { store, id } = peapAtReflection();
    store.staff.upsert({ id: 'senco-a', displayName: 'SENCO A', role: 'senco', schoolIds: ['SCH-A'] }, SYSTEM);
    expect(() => store.cases.send(store.staff.actorFor('senco-a'), id, { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'x', followUpDate: '2025-12-01' })).toThrow(
      'only the headteacher (or a deputy acting for them) may send DECIDE',
    );
  });
});

describe('a further suspension in the same half-term', () => {
  it('reopens the review of the same case after a decision, never a new one', () => {
    const { store, head, id } = peapAtReflection();
    store.cases.send(head, id, { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Mentoring', followUpDate: '2025-12-01' });
    const reopened = store.cases.send(SYSTEM, id, { type: 'FURTHER_SUSPENSION', exclusionId: 'X3' });
    expect(reopened.state).toBe('pupil-voice-captured'); // the meeting is held again; the pupil's earlier voice stands until updated
    expect(reopened.context).toMatchObject({ exclusionIds: ['X1', 'X2', 'X3'], reopened: 1 });
    expect(reopened.deadlines.find((d) => d.key === 'follow-up')?.status).toBe('cancelled');
    expect(store.cases.list(head).filter((c) => c.kind === 'peap')).toHaveLength(1);
  });
});
