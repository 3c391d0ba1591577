import { afterEach, describe, expect, it } from 'vitest';
import { AccessDenied, SYSTEM } from '../access.js';
import { CaseNotFound, EventRefused } from '../errors.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';
import type { EventOf } from './index.js';
import { SAMPLE_INPUTS } from './samples.js';

afterEach(closeTestStores);

const pex: EventOf<'peap'> = { type: 'DECIDE', decision: 'permanent-exclusion', rationale: 'Serious assault', followUpDate: '2025-12-01' };
const supportPlan: EventOf<'peap'> = { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Mentoring first', followUpDate: '2025-12-01' };
const GATE_ANSWERS: [questionId: string, answer: string | string[] | boolean][] = [
  ['head.factors-considered', 'Yes'],
  ['head.sanction-appropriate', 'Yes'],
  ['head.reasons-recorded', 'Yes'],
  ['support.external', ['CAMHS referral']],
  ['support.exhausted', true],
];

describe.each(BACKENDS)('%s', (backend) => {
  /** A PEAP whose pupil has been heard: at pupil-voice-captured. */
  async function peapWithPupilVoice() {
    const { store } = await testStore({ backend });
    const head = await store.staff.actorFor('head-a');
    const { case: opened } = await store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'SCH-A', pupilId: 'P1', input: SAMPLE_INPUTS.peap[0]! });
    const peap = { id: opened.id, kind: 'peap' as const };
    await store.cases.send(head, peap, { type: 'SCHEDULE_MEETING', date: '2025-10-20' });
    const heard = await store.cases.send(head, peap, { type: 'ANSWER', questionId: 'pupil-voice.happy-here', answer: 'Not really' });
    expect(heard.state).toBe('pupil-voice-captured');
    return { store, head, id: opened.id, peap };
  }

  async function peapAtReflection() {
    const t = await peapWithPupilVoice();
    await t.store.cases.send(t.head, t.peap, { type: 'COMPLETE_REFLECTION' });
    return t;
  }

  describe('the PEAP gate', () => {
    it('refuses a permanent exclusion until everything is recorded, naming what is missing', async () => {
      const { store, head, peap } = await peapAtReflection();
      await expect(store.cases.send(head, peap, pex)).rejects.toThrow(
        new EventRefused(
          "a permanent exclusion cannot be decided until the PEAP has the head's answer on contributing factors (SEND, family circumstances, bereavement); the head's answer on whether exclusion is the most appropriate and reasonable sanction; the head's answer on whether all reasons, and the impact on others, are recorded; the support tried (school-based or external); the attestation that all support mechanisms have been exhausted",
        ),
      );
      for (const [questionId, answer] of GATE_ANSWERS.slice(0, 4)) await store.cases.send(head, peap, { type: 'ANSWER', questionId, answer });
      await expect(store.cases.send(head, peap, pex)).rejects.toThrow(/until the PEAP has the attestation that all support mechanisms have been exhausted$/);
      await store.cases.send(head, peap, { type: 'ANSWER', questionId: 'support.exhausted', answer: true });
      const decided = await store.cases.send(head, peap, pex);
      expect(decided.state).toBe('decided');
      expect(decided.context.decision).toMatchObject({ decision: 'permanent-exclusion', rationale: 'Serious assault', by: 'head-a' });
      expect(decided.deadlines).toEqual([{ key: 'follow-up', label: 'PEAP follow-up review', dueDate: '2025-12-01', status: 'pending' }]);
    });

    it('lets a support-plan decision through without the gate', async () => {
      const { store, head, peap } = await peapAtReflection();
      expect((await store.cases.send(head, peap, supportPlan)).state).toBe('decided');
    });

    it('is a decision only the head or a deputy may make', async () => {
      const { store, peap } = await peapAtReflection();
      await store.staff.upsert({ id: 'senco-a', displayName: 'SENCO A', role: 'senco', schoolIds: ['SCH-A'] }, SYSTEM);
      const senco = await store.staff.actorFor('senco-a');
      const refused = store.cases.send(senco, peap, supportPlan);
      await expect(refused).rejects.toThrow(AccessDenied);
      await expect(refused).rejects.toThrow('only the headteacher, or a deputy acting for them, records the decision');
    });

    it('refuses the reflection and a gated decision sent together, keeping neither', async () => {
      const { store, head, id, peap } = await peapWithPupilVoice();
      const before = await store.cases.get(SYSTEM, id);
      const auditRows = (await store.audit.verify()).rows;
      const caseRows = await store.audit.entriesFor(id);

      await expect(store.cases.send(head, peap, [{ type: 'COMPLETE_REFLECTION' }, pex])).rejects.toThrow(
        /^a permanent exclusion cannot be decided until the PEAP has the head's answer on contributing factors/,
      );

      const after = await store.cases.get(SYSTEM, id);
      expect(after).toMatchObject({ state: 'pupil-voice-captured', revision: before.revision });
      expect(after).toEqual(before);
      expect(await store.audit.entriesFor(id)).toEqual(caseRows);
      expect(await store.audit.verify()).toMatchObject({ ok: true, rows: auditRows });
    });

    it('accepts the reflection and a permanent exclusion sent together once the gate is met, in one go', async () => {
      const { store, head, id, peap } = await peapWithPupilVoice();
      for (const [questionId, answer] of GATE_ANSWERS) await store.cases.send(head, peap, { type: 'ANSWER', questionId, answer });
      const before = await store.cases.get(SYSTEM, id);
      const eventRows = (await store.audit.entriesFor(id)).filter((r) => r.action === 'event');

      const decided = await store.cases.send(head, peap, [{ type: 'COMPLETE_REFLECTION' }, pex], { expectedRevision: before.revision });

      expect(decided).toMatchObject({ state: 'decided', revision: before.revision + 2, context: { decision: { decision: 'permanent-exclusion' } } });
      const newRows = (await store.audit.entriesFor(id)).filter((r) => r.action === 'event').slice(eventRows.length);
      expect(newRows.map((r) => [r.actor, r.event])).toEqual([
        ['head-a', 'COMPLETE_REFLECTION'],
        ['head-a', 'DECIDE'],
      ]);
      expect(newRows[1]?.data).toEqual({ decision: 'permanent-exclusion', rationale: 'Serious assault', followUpDate: '2025-12-01' });
      expect((await store.audit.verify()).ok).toBe(true);
    });
  });

  describe('who may do what: can, and send', () => {
    it('tells an inclusion officer they do not answer, and send refuses them the same', async () => {
      const { store, id, peap } = await peapWithPupilVoice();
      const officer = await store.staff.actorFor('officer');
      const view = await store.cases.get(officer, id, 'peap');
      const answer = store.cases.can(officer, view, 'ANSWER');
      expect(answer).toEqual({ allowed: false, reason: expect.stringMatching(/inclusion officer/) });
      const refused = store.cases.send(officer, peap, { type: 'ANSWER', questionId: 'head.reasons-recorded', answer: 'Yes' });
      await expect(refused).rejects.toThrow(AccessDenied);
      await expect(refused).rejects.toThrow(new AccessDenied(answer.allowed ? 'allowed' : answer.reason));
    });

    it('tells a SENCO that the headteacher or a deputy decides, and send refuses them the same', async () => {
      const { store, head, id, peap } = await peapAtReflection();
      await store.staff.upsert({ id: 'senco-a', displayName: 'SENCO A', role: 'senco', schoolIds: ['SCH-A'] }, SYSTEM);
      const senco = await store.staff.actorFor('senco-a');
      const view = await store.cases.get(senco, id, 'peap');
      const decide = store.cases.can(senco, view, 'DECIDE');
      expect(decide).toEqual({ allowed: false, reason: expect.stringMatching(/^only the headteacher\b.*\bor a deputy\b/) });
      expect(store.cases.can(senco, view, 'ANSWER')).toEqual({ allowed: true });
      const refused = store.cases.send(senco, peap, supportPlan);
      await expect(refused).rejects.toThrow(AccessDenied);
      await expect(refused).rejects.toThrow(new AccessDenied(decide.allowed ? 'allowed' : decide.reason));
      expect(store.cases.can(head, view, 'DECIDE')).toEqual({ allowed: true });
      expect(await store.cases.get(SYSTEM, id)).toMatchObject({ state: 'head-reflection', revision: view.revision });
    });

    it("tells a head of another school they cannot act on the case, and send does not find it for them", async () => {
      const { store, id, peap } = await peapAtReflection();
      const headB = await store.staff.actorFor('head-b');
      const view = await store.cases.get(SYSTEM, id, 'peap');
      for (const event of ['DECIDE', 'ANSWER']) expect(store.cases.can(headB, view, event)).toEqual({ allowed: false, reason: 'head-b does not cover school SCH-A' });
      await expect(store.cases.send(headB, peap, supportPlan)).rejects.toThrow(CaseNotFound);
      expect(await store.cases.get(SYSTEM, id)).toMatchObject({ state: 'head-reflection', revision: view.revision });
    });

    it('lets a head decide only at the head-reflection stage', async () => {
      const { store, head, id, peap } = await peapWithPupilVoice();
      const early = await store.cases.get(head, id, 'peap');
      expect(early.nextEvents).not.toContain('DECIDE');
      expect(store.cases.can(head, early, 'DECIDE')).toEqual({ allowed: false, reason: 'DECIDE is not possible at this stage of the case' });
      await expect(store.cases.send(head, peap, supportPlan)).rejects.toThrow(new EventRefused("the decision comes after the head's reflection; the case is at pupil-voice-captured"));
      // Asked about any stage ("may this person ever decide?"), the head may; a SENCO may not.
      expect(store.cases.can(head, early, 'DECIDE', { atAnyStage: true })).toEqual({ allowed: true });
      await store.staff.upsert({ id: 'senco-a', displayName: 'SENCO A', role: 'senco', schoolIds: ['SCH-A'] }, SYSTEM);
      expect(store.cases.can(await store.staff.actorFor('senco-a'), early, 'DECIDE', { atAnyStage: true })).toMatchObject({ allowed: false });

      const reflecting = await store.cases.send(head, peap, { type: 'COMPLETE_REFLECTION' });
      expect(reflecting.state).toBe('head-reflection');
      expect(reflecting.nextEvents).toContain('DECIDE');
      expect(store.cases.can(head, reflecting, 'DECIDE')).toEqual({ allowed: true });

      const decided = await store.cases.send(head, peap, supportPlan);
      expect(decided.nextEvents).not.toContain('DECIDE');
      expect(store.cases.can(head, decided, 'DECIDE')).toEqual({ allowed: false, reason: 'DECIDE is not possible at this stage of the case' });
    });
  });

  describe('a further suspension in the same half-term', () => {
    it('reopens the review of the same case after a decision, never a new one', async () => {
      const { store, head, peap } = await peapAtReflection();
      await store.cases.send(head, peap, { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Mentoring', followUpDate: '2025-12-01' });
      const reopened = await store.cases.send(SYSTEM, peap, { type: 'FURTHER_SUSPENSION', exclusionId: 'X3' });
      expect(reopened.state).toBe('pupil-voice-captured'); // the meeting is held again; the pupil's earlier voice stands until updated
      expect(reopened.context).toMatchObject({ exclusionIds: ['X1', 'X2', 'X3'], reopened: 1 });
      expect(reopened.deadlines.find((d) => d.key === 'follow-up')?.status).toBe('cancelled');
      expect((await store.cases.list(head)).filter((c) => c.kind === 'peap')).toHaveLength(1);
    });
  });
});
