/**
 * The assistant as headteachers and inclusion officers meet it, over a real case store (SQLite,
 * and PostgreSQL when TEST_DATABASE_URL names a server) holding the demo school on its demo date (20 March 2026) with the rules already run: a whole
 * PEAP from start to decision, answers pre-filled from the record, resuming anywhere, changing
 * an answer, stale cards, the PEAP gate, who may see and do what, and checking a proposed
 * suspension before it is given.
 */
import { SYSTEM, type Actor, type CaseStore } from '@before-exclusion/workflows';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addOtherSchool, BACKENDS, demoAssistant, demoStore, messages, only, openStore, TODAY, type StoreAt } from '../testing/fixtures.js';
import { Assistant, CASES_PER_PAGE } from './assistant.js';
import { parseAction, parseText, type Command } from './commands.js';
import { DEFAULT_QUESTIONS, MEETING_DATE } from '@before-exclusion/workflows';
import type { Reply } from './replies.js';

/** The command a button of ours carries (it must parse). */
function parseActionOk(data: unknown): Command {
  const parsed = parseAction(data);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.command;
}

type QuestionReply = Extract<Reply, { type: 'question' }>;
type ReviewReply = Extract<Reply, { type: 'review' }>;

const ATTESTATION_MISSING = 'the attestation that all support mechanisms have been exhausted';
const BASE_TOTAL = DEFAULT_QUESTIONS.filter((q) => !q.askedWhen).length;

let store: CaseStore;
let at: StoreAt;
let assistant: Assistant;
let head: Actor;
const opened: CaseStore[] = [];

const peapCases = async (pupilId: string) => (await store.cases.list(SYSTEM, { pupilId })).filter((c) => c.kind === 'peap');
const caseContext = async (caseId: string) => (await store.cases.get(SYSTEM, caseId, 'peap')).context;
const auditedEvents = async (caseId: string) => (await store.audit.entriesFor(caseId)).filter((r) => r.action === 'event');

/** The one reply that moves the interview on: a question, the review or the outcome. */
function step(replies: readonly Reply[]): Reply {
  const found = replies.filter((r) => r.type === 'question' || r.type === 'review' || r.type === 'decided');
  if (found.length !== 1) throw new Error(`expected one interview step, got: ${replies.map((r) => r.type).join(', ')}`);
  return found[0]!;
}

function asQuestion(reply: Reply): QuestionReply {
  if (reply.type !== 'question') throw new Error(`expected a question, got ${reply.type}: ${JSON.stringify(reply).slice(0, 300)}`);
  return reply;
}

function asReview(reply: Reply): ReviewReply {
  if (reply.type !== 'review') throw new Error(`expected the review, got ${reply.type}: ${JSON.stringify(reply).slice(0, 300)}`);
  return reply;
}

interface Choices {
  /** The factors present (default: family circumstances, which adds one follow-up question). */
  readonly factors?: string;
  /** The attestation that all support has been exhausted (default yes). */
  readonly exhausted?: 'yes' | 'no';
}

/** A valid answer for the question on a card: the record's suggestion confirmed as shown, or one of its kind. */
function validAnswer(q: QuestionReply, choices: Choices = {}): unknown {
  if (q.value !== undefined) return q.value;
  switch (q.question.kind) {
    case 'date':
      return '2026-03-23';
    case 'text':
      return `  Answer to ${q.question.id}.  `;
    case 'yes-no':
      return choices.exhausted ?? 'yes';
    case 'choices':
      return choices.factors ?? 'family';
    case 'choice':
      return q.question.options?.[0]?.value;
  }
}

const answer = (q: QuestionReply, value: unknown, actor: Actor = head, revision = q.revision) =>
  assistant.handle(actor, { verb: 'peap.answer', caseId: q.caseId, questionId: q.question.id, revision, answer: value });

/** Answers every question as it comes, from the given card to the review; returns the cards seen and the review. */
async function answerAll(first: Reply, choices: Choices = {}): Promise<{ asked: QuestionReply[]; given: Record<string, unknown>; review: ReviewReply }> {
  const asked: QuestionReply[] = [];
  const given: Record<string, unknown> = {};
  let current = first;
  while (current.type === 'question') {
    asked.push(current);
    given[current.question.id] = validAnswer(current, choices);
    if (asked.length > 30) throw new Error('the interview does not end');
    current = step(await answer(current, given[current.question.id]));
  }
  return { asked, given, review: asReview(current) };
}

async function start(pupilId: string): Promise<Reply[]> {
  return assistant.handle(head, { verb: 'peap.start', pupilId });
}

/** A PEAP for DEMO-003 (at risk of permanent exclusion) answered to the review. */
async function reviewedPeap(choices: Choices = {}) {
  return answerAll(step(await start('DEMO-003')), choices);
}

describe.each(BACKENDS)('the assistant on %s', (backend) => {
  beforeEach(async () => {
    ({ store, at } = await demoStore({ backend }));
    opened.push(store);
    assistant = demoAssistant(store);
    head = await store.staff.actorFor('demo-head');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  describe('a head completes a whole PEAP', () => {
    it('says, beside "all support exhausted" answered Yes, the support on record still in hand — informs, never decides', async () => {
      const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId: 'DEMO-003', input: { pupilId: 'DEMO-003', schoolId: 'DEMO-SCH' } });
      await store.cases.sendUnchecked(head, plan.id, [
        { type: 'ASSESS', assessedOn: '2026-03-02' },
        { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'Learning mentor', startDate: '2026-03-02', reviewDue: '2026-04-24' },
      ]);
      const { review } = await reviewedPeap();
      const shown = Object.fromEntries(review.items.map((i) => [i.questionId, i.answer]));
      expect(shown['support.exhausted']).toBe('Yes');
      expect(shown['support.in-hand']).toBe('1 of the support on record is still running or waiting: mentoring — running, review due 2026-04-24.');
      // The decision stays the head's: nothing in the gate's way.
      expect(review).toMatchObject({ gateMissing: [], canDecide: true });
    });

    it('walks every question in order with its progress, reviews every answer, records the decision, and the case holds it all', async () => {
      const opening = await start('DEMO-003');
      expect(messages(opening)).toEqual([expect.stringMatching(/^Pupil DEMO-003 already has a pre-exclusion assessment in progress \(case peap-\w+\); carrying on where it stopped\.$/)]);
      const { asked, given, review } = await answerAll(step(opening));
      const caseId = review.caseId;

      // Every question that applies, in the set's order: the family follow-up comes in once "family" is chosen.
      const expectedIds = DEFAULT_QUESTIONS.filter((q) => !q.askedWhen || q.id === 'factors.family.how').map((q) => q.id);
      expect(asked.map((q) => q.question.id)).toEqual(expectedIds);
      expect(asked.map((q) => q.number)).toEqual(expectedIds.map((_, i) => i + 1));
      const factorsAt = expectedIds.indexOf('factors.present');
      expect(asked.slice(0, factorsAt + 1).map((q) => q.total)).toEqual(Array(factorsAt + 1).fill(BASE_TOTAL));
      expect(asked.slice(factorsAt + 1).map((q) => q.total)).toEqual(Array(expectedIds.length - factorsAt - 1).fill(BASE_TOTAL + 1));
      expect(asked.every((q) => q.caseId === caseId && q.pupilId === 'DEMO-003')).toBe(true);

      // The review lists every answer as given, then the support on record (none for this pupil, said so), and nothing stands in the gate's way.
      expect(review.items.map((i) => i.questionId)).toEqual([...expectedIds, 'support.on-record']);
      const shown = Object.fromEntries(review.items.map((i) => [i.questionId, i.answer]));
      expect(shown['support.on-record']).toBe('None recorded: no support plan or outreach place is on the record for this pupil.');
      expect(shown[MEETING_DATE]).toBe('Monday 23 Mar 2026');
      expect(shown['pupil-voice.likes']).toBe('Answer to pupil-voice.likes.');
      expect(shown['factors.present']).toBe('Family circumstances');
      expect(shown['support.exhausted']).toBe('Yes');
      expect(Object.values(shown)).not.toContain('(not answered)');
      expect(review).toMatchObject({ gateMissing: [], canDecide: true });

      const decided = await assistant.handle(head, {
        verb: 'peap.decide',
        caseId,
        revision: review.revision,
        decision: 'no-exclusion-support-plan',
        rationale: 'A support plan with weekly mentoring.',
        followUpDate: '2026-05-01',
      });
      expect(decided).toEqual([{ type: 'decided', caseId, pupilId: 'DEMO-003', decision: 'No exclusion: a support plan', followUpDate: '2026-05-01' }]);

      const saved = await store.cases.get(SYSTEM, caseId, 'peap');
      expect(saved.state).toBe('decided');
      const context = saved.context;
      expect(context.meetingDate).toBe('2026-03-23');
      const expectedAnswers = Object.fromEntries(
        Object.entries(given)
          .filter(([id]) => id !== MEETING_DATE)
          .map(([id, v]) => [id, id === 'factors.present' ? ['family'] : id === 'support.exhausted' ? true : String(v).trim()]),
      );
      expect(Object.fromEntries(Object.entries(context.answers).map(([id, a]) => [id, a.value]))).toEqual(expectedAnswers);
      expect(Object.values(context.answers).every((a) => a.by === 'demo-head')).toBe(true);
      expect(context.decision).toMatchObject({ decision: 'no-exclusion-support-plan', rationale: 'A support plan with weekly mentoring.', followUpDate: '2026-05-01', by: 'demo-head' });
      expect(saved.deadlines).toContainEqual(expect.objectContaining({ key: 'follow-up', dueDate: '2026-05-01', status: 'pending' }));
    });

    it('offers a follow-up date about six school weeks ahead, on a school day', async () => {
      const { review } = await reviewedPeap();
      // 30 school days after the meeting on Monday 23 March, skipping the Easter holiday and the May bank holiday.
      expect(review.followUpSuggested).toBe('2026-05-19');
    });

    it('no longer lets the answers change once the decision is recorded', async () => {
      const { asked, review } = await reviewedPeap();
      await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'suspension', rationale: 'Two days.', followUpDate: '2026-05-01' });
      const late = await answer(asked[3]!, 'A different answer.', head, (await store.cases.get(SYSTEM, review.caseId)).revision);
      expect(messages(late)).toEqual(['The decision has been recorded, so the answers can no longer change.']);
      expect((await caseContext(review.caseId)).answers['pupil-voice.likes']?.value).toBe('Answer to pupil-voice.likes.');
    });

    it('shows the question again with what was wrong when an answer is not valid, saving nothing', async () => {
      const first = asQuestion(step(await start('DEMO-003')));
      const replies = await answer(first, '23/03/2026');
      expect(asQuestion(step(replies))).toMatchObject({ question: { id: MEETING_DATE }, number: 1, error: 'Please give a date, written YYYY-MM-DD.', value: '23/03/2026', revision: first.revision });
      expect((await caseContext(first.caseId)).meetingDate).toBeUndefined();
    });
  });

  describe('answers pre-filled from the record', () => {
    it("names both exclusions of a trigger-opened PEAP, and the pupil's SEND status, for the head to confirm", async () => {
      const [peap] = await peapCases('DEMO-001');
      expect(peap).toMatchObject({ ruleId: 'peap.required' });
      const meeting = asQuestion(step(await assistant.handle(head, { verb: 'peap.resume', caseId: peap!.id })));
      expect(meeting).toMatchObject({ question: { id: MEETING_DATE }, suggested: false });

      const exclusions = asQuestion(step(await answer(meeting, '2026-03-23')));
      expect(exclusions).toMatchObject({ question: { id: 'exclusion.details' }, suggested: true });
      expect(exclusions.value).toEqual(expect.stringContaining('DEMO-001-X1: FIXD from Thursday 2 Oct 2025'));
      expect(exclusions.value).toEqual(expect.stringContaining('DEMO-001-X2: FIXD from Tuesday 14 Oct 2025'));

      const needs = asQuestion(step(await answer(exclusions, exclusions.value)));
      expect(needs).toMatchObject({ question: { id: 'pupil.needs' }, suggested: true, value: expect.stringMatching(/^SEND: none recorded$/m) });
      expect((await caseContext(peap!.id)).answers['exclusion.details']?.value).toBe(exclusions.value);
    });

    it('says an EHC plan is on the record and offers SEND as a contributing factor', async () => {
      let card = asQuestion(step(await start('DEMO-007')));
      const seen: QuestionReply[] = [];
      while (card.question.id !== 'factors.present') {
        seen.push(card);
        card = asQuestion(step(await answer(card, validAnswer(card))));
      }
      expect(seen.find((q) => q.question.id === 'pupil.needs')?.value).toMatch(/^SEND: an Education, Health and Care plan \(E\)$/m);
      expect(card).toMatchObject({ suggested: true, value: ['send'] });
      const next = asQuestion(step(await answer(card, card.value)));
      expect(next.question.id).toBe('factors.send.how');
    });

    it('does not offer a suggestion again once the head has answered differently', async () => {
      const meeting = asQuestion(step(await start('DEMO-007')));
      const exclusions = asQuestion(step(await answer(meeting, '2026-03-23')));
      await answer(exclusions, 'Corrected by the head.');
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId: exclusions.caseId, questionId: 'exclusion.details' })));
      expect(change).toMatchObject({ value: 'Corrected by the head.', suggested: false });
    });
  });

  describe('resuming', () => {
    it('resumes on another device at the first unanswered question, with earlier answers intact', async () => {
      let card = asQuestion(step(await start('DEMO-003')));
      for (let i = 0; i < 3; i++) card = asQuestion(step(await answer(card, validAnswer(card))));
      expect(card).toMatchObject({ question: { id: 'pupil-voice.likes' }, number: 4 });

      const elsewhere = await openStore(at);
      opened.push(elsewhere);
      const other = demoAssistant(elsewhere);
      const resumed = await other.handle(await elsewhere.staff.actorFor('demo-head'), { verb: 'peap.resume', caseId: card.caseId });
      expect(asQuestion(step(resumed))).toMatchObject({ question: { id: 'pupil-voice.likes' }, number: 4, total: BASE_TOTAL, revision: card.revision });
      const { context } = await elsewhere.cases.get(SYSTEM, card.caseId, 'peap');
      expect(context.meetingDate).toBe('2026-03-23');
      expect(Object.keys(context.answers).sort()).toEqual(['exclusion.details', 'pupil.needs']);
    });

    it('"start peap" for a pupil with a PEAP in progress carries on with it rather than opening a second case', async () => {
      const first = await start('DEMO-007');
      expect(messages(first)[0]).toMatch(/^Started a pre-exclusion assessment for pupil DEMO-007 \(case peap-\w+\)\.$/);
      const card = asQuestion(step(first));
      const second = asQuestion(step(await answer(card, '2026-03-23')));

      const again = await start('DEMO-007');
      expect(messages(again)[0]).toMatch(/already has a pre-exclusion assessment in progress/);
      expect(asQuestion(step(again))).toMatchObject({ caseId: card.caseId, question: { id: second.question.id }, number: 2 });
      expect(await peapCases('DEMO-007')).toHaveLength(1);
      expect(await peapCases('DEMO-003')).toHaveLength(1);
      await start('DEMO-003');
      expect(await peapCases('DEMO-003')).toHaveLength(1);
    });
  });

  describe('changing an answer', () => {
    it('shows the saved value, saves the new one as a new audited event, and returns to the review', async () => {
      const { review } = await reviewedPeap();
      const caseId = review.caseId;
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId, questionId: 'pupil-voice.likes' })));
      expect(change).toMatchObject({ question: { id: 'pupil-voice.likes' }, value: 'Answer to pupil-voice.likes.', suggested: false, number: 4, total: BASE_TOTAL + 1 });

      const before = await auditedEvents(caseId);
      const after = asReview(step(await answer(change, 'Drama, and seeing friends.')));
      const events = await auditedEvents(caseId);
      expect(events).toHaveLength(before.length + 1);
      expect(events.at(-1)).toMatchObject({ actor: 'demo-head', event: 'ANSWER', data: { questionId: 'pupil-voice.likes', answer: 'Drama, and seeing friends.' } });
      // The earlier answer stays in the trail: a change is a new event, never an edit.
      expect(events.filter((e) => e.event === 'ANSWER' && (e.data as { questionId?: string }).questionId === 'pupil-voice.likes')).toHaveLength(2);
      expect(after.items.find((i) => i.questionId === 'pupil-voice.likes')?.answer).toBe('Drama, and seeing friends.');
      expect((await caseContext(caseId)).answers['pupil-voice.likes']?.value).toBe('Drama, and seeing friends.');
    });

    it('asks the follow-up for a factor newly added, before returning to the review', async () => {
      const { review } = await reviewedPeap({ factors: 'none' });
      expect(review.items.some((i) => i.questionId.endsWith('.how'))).toBe(false);
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId: review.caseId, questionId: 'factors.present' })));
      expect(change.value).toEqual(['none']);
      const followUp = asQuestion(step(await answer(change, ['bereavement'])));
      expect(followUp).toMatchObject({ question: { id: 'factors.bereavement.how' }, total: BASE_TOTAL + 1 });
      expect(asReview(step(await answer(followUp, 'A bereavement plan with the school counsellor.'))).items.map((i) => i.questionId)).toContain('factors.bereavement.how');
    });

    it('no longer offers to change the meeting date once the pupil has been heard', async () => {
      const { review } = await reviewedPeap();
      expect(review.items.find((i) => i.questionId === MEETING_DATE)?.changeable).toBe(false);
      expect(review.items.find((i) => i.questionId === 'pupil-voice.likes')?.changeable).toBe(true);
    });
  });

  describe('stale cards', () => {
    it('does not save an answer from a card drawn before the case changed, and says the card is out of date', async () => {
      const meeting = asQuestion(step(await start('DEMO-003')));
      const exclusions = asQuestion(step(await answer(meeting, '2026-03-23')));
      // Answered on another device: the case moves on.
      await answer(exclusions, 'As on the record.');

      const stale = await answer(exclusions, 'A different account of the exclusions.');
      expect(stale[0]).toMatchObject({ type: 'message', tone: 'warning', text: expect.stringMatching(/^That card is out of date/) });
      expect(asQuestion(step(stale))).toMatchObject({ question: { id: 'pupil.needs' }, number: 3 });
      expect((await caseContext(meeting.caseId)).answers['exclusion.details']?.value).toBe('As on the record.');
    });

    it('says an answer pressed twice was already saved, and saves it once', async () => {
      const meeting = asQuestion(step(await start('DEMO-003')));
      const exclusions = asQuestion(step(await answer(meeting, '2026-03-23')));
      await answer(exclusions, 'As on the record.');
      const events = (await auditedEvents(meeting.caseId)).length;

      const again = await answer(exclusions, 'As on the record.');
      expect(messages(again)).toEqual(['That answer was already saved.']);
      expect(asQuestion(step(again)).question.id).toBe('pupil.needs');
      expect(await auditedEvents(meeting.caseId)).toHaveLength(events);
    });

    it('does not record a decision from a review drawn before an answer changed', async () => {
      const { review } = await reviewedPeap();
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId: review.caseId, questionId: 'head.sanction-appropriate' })));
      await answer(change, 'On reflection, no.');
      const replies = await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'suspension', rationale: 'r', followUpDate: '2026-05-01' });
      expect(messages(replies)[0]).toMatch(/^That card is out of date/);
      expect((await store.cases.get(SYSTEM, review.caseId)).state).not.toBe('decided');
    });
  });

  describe('the PEAP gate', () => {
    it('refuses a permanent exclusion while the attestation is "no", shows what is missing, and leaves the case undecided', async () => {
      const { review } = await reviewedPeap({ exhausted: 'no' });
      // Recorded, as No: said so, not "until it is recorded".
      expect(review.gateMissing).toEqual([`${ATTESTATION_MISSING} (answered No)`]);
      expect(review.items.find((i) => i.questionId === 'support.exhausted')?.answer).toBe('No');

      const refused = asReview(
        step(await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'permanent-exclusion', rationale: 'Serious assault.', followUpDate: '2026-05-01' })),
      );
      expect(refused.gateMissing).toEqual([`${ATTESTATION_MISSING} (answered No)`]);
      expect(refused.error).toBe('A permanent exclusion cannot be decided until the PEAP has the attestation that all support mechanisms have been exhausted (answered No).');
      // What the head typed comes back with the refusal.
      expect(refused.entered).toEqual({ decision: 'permanent-exclusion', rationale: 'Serious assault.', followUpDate: '2026-05-01' });
      const saved = await store.cases.get(SYSTEM, review.caseId, 'peap');
      expect(saved.state).not.toBe('decided');
      expect(saved.context.decision).toBeUndefined();
      expect((await auditedEvents(review.caseId)).some((e) => e.event === 'DECIDE')).toBe(false);
      // Refused before anything was sent: no half-step (the reflection completed) in the trail.
      expect((await auditedEvents(review.caseId)).some((e) => e.event === 'COMPLETE_REFLECTION')).toBe(false);
    });

    it('lets the permanent exclusion be recorded once all support is attested as exhausted', async () => {
      const { review } = await reviewedPeap({ exhausted: 'no' });
      await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'permanent-exclusion', rationale: 'r', followUpDate: '2026-05-01' });
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId: review.caseId, questionId: 'support.exhausted' })));
      const attested = asReview(step(await answer(change, 'yes')));
      expect(attested.gateMissing).toEqual([]);
      const decided = await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: attested.revision, decision: 'permanent-exclusion', rationale: 'Serious assault.', followUpDate: '2026-05-01' });
      expect(decided).toEqual([expect.objectContaining({ type: 'decided', decision: 'Permanent exclusion' })]);
    });

    it('does not hold back a decision other than permanent exclusion', async () => {
      const { review } = await reviewedPeap({ exhausted: 'no' });
      const decided = await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'permanent-exclusion-overturned', rationale: 'r', followUpDate: '2026-05-01' });
      expect(step(decided)).toMatchObject({ type: 'decided', decision: 'Permanent exclusion considered and overturned' });
    });
  });

  describe('who may see and do what', () => {
    it("keeps a head of another school out of the demo school's case: an error, and nothing saved", async () => {
      const meeting = asQuestion(step(await start('DEMO-003')));
      const otherHead = await addOtherSchool(store);
      const before = (await store.cases.get(SYSTEM, meeting.caseId)).revision;

      const seen = await assistant.handle(otherHead, { verb: 'peap.resume', caseId: meeting.caseId });
      expect(seen).toEqual([{ type: 'message', tone: 'error', text: `No case ${meeting.caseId} that you can see.` }]);
      const answered = await answer(meeting, '2026-03-24', otherHead);
      expect(answered).toEqual([{ type: 'message', tone: 'error', text: `No case ${meeting.caseId} that you can see.` }]);
      expect(await assistant.handle(otherHead, { verb: 'case.status', caseId: meeting.caseId })).toEqual([expect.objectContaining({ tone: 'error' })]);
      expect(await assistant.handle(otherHead, { verb: 'peap.start', pupilId: 'DEMO-003' })).toEqual([{ type: 'message', tone: 'error', text: 'No pupil DEMO-003 that you can see.' }]);

      expect((await store.cases.get(SYSTEM, meeting.caseId)).revision).toBe(before);
      expect((await caseContext(meeting.caseId)).meetingDate).toBeUndefined();
      expect(await peapCases('DEMO-003')).toHaveLength(1);
      const otherList = only(await assistant.handle(otherHead, { verb: 'cases.mine' }), 'case-list');
      expect(otherList.cases).toEqual([]);
    });

    it('lets an inclusion officer read the review but not record the decision, or answer', async () => {
      const { review } = await reviewedPeap();
      const officer = await store.staff.actorFor('demo-officer');
      const asOfficer = asReview(step(await assistant.handle(officer, { verb: 'peap.resume', caseId: review.caseId })));
      expect(asOfficer.canDecide).toBe(false);

      const refused = asReview(
        step(await assistant.handle(officer, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'no-exclusion-support-plan', rationale: 'r', followUpDate: '2026-05-01' })),
      );
      expect(refused.error).toBe('An inclusion officer reads cases and adds audit notes but does not act on them.');
      const change = asQuestion(step(await assistant.handle(officer, { verb: 'peap.change', caseId: review.caseId, questionId: 'pupil-voice.likes' })));
      const answered = await answer(change, 'Changed by the officer.', officer);
      expect(answered).toEqual([{ type: 'message', tone: 'error', text: 'An inclusion officer reads cases and adds audit notes but does not act on them.' }]);

      expect((await store.cases.get(SYSTEM, review.caseId)).state).not.toBe('decided');
      expect((await caseContext(review.caseId)).answers['pupil-voice.likes']?.value).toBe('Answer to pupil-voice.likes.');
    });

    it('lets a SENCO answer but not record the decision, and leaves no half-step in the trail', async () => {
      const { review } = await reviewedPeap();
      await store.staff.upsert({ id: 'demo-senco', displayName: 'Demo SENCO (fictional)', role: 'senco', schoolIds: ['DEMO-SCH'] }, SYSTEM);
      const senco = await store.staff.actorFor('demo-senco');
      const asSenco = asReview(step(await assistant.handle(senco, { verb: 'peap.resume', caseId: review.caseId })));
      expect(asSenco.canDecide).toBe(false);

      // The reflection is the SENCO's to complete, the decision is not: refused together, in one transaction.
      const refused = asReview(
        step(await assistant.handle(senco, { verb: 'peap.decide', caseId: review.caseId, revision: review.revision, decision: 'no-exclusion-support-plan', rationale: 'r', followUpDate: '2026-05-01' })),
      );
      expect(refused.error).toBe('Only the headteacher, or a deputy acting for them, records the decision.');
      expect(refused.revision).toBe(review.revision);
      const saved = await store.cases.get(SYSTEM, review.caseId, 'peap');
      expect(saved.state).toBe('pupil-voice-captured');
      expect(saved.context.decision).toBeUndefined();
      expect((await auditedEvents(review.caseId)).some((e) => e.event === 'COMPLETE_REFLECTION' || e.event === 'DECIDE')).toBe(false);

      const change = asQuestion(step(await assistant.handle(senco, { verb: 'peap.change', caseId: review.caseId, questionId: 'pupil-voice.likes' })));
      const after = asReview(step(await answer(change, 'Music, as the SENCO heard it.', senco)));
      expect(after.items.find((i) => i.questionId === 'pupil-voice.likes')?.answer).toBe('Music, as the SENCO heard it.');
      expect((await auditedEvents(review.caseId)).at(-1)).toMatchObject({ actor: 'demo-senco', role: 'senco', event: 'ANSWER' });
    });

    it("lists the officer's cases across their schools a page at a time, PEAPs first, then overdue duties, and filters by pupil", async () => {
      const officer = await store.staff.actorFor('demo-officer');
      const first = only(await assistant.handle(officer, { verb: 'cases.overview' }), 'case-list');
      expect(first.footer).toMatch(/PEAPs first, then overdue duties/);
      expect(first.cases).toHaveLength(CASES_PER_PAGE);
      // Every page, in order: the whole list, paged by the "more" button, each case once.
      const all = [...first.cases];
      for (let page: typeof first | undefined = first; page.more; ) {
        page = only(await assistant.handle(officer, parseActionOk(page.more.data)), 'case-list');
        all.push(...page.cases);
      }
      expect(all).toHaveLength(first.total!);
      expect(new Set(all.map((c) => c.id)).size).toBe(all.length);
      // PEAPs (each a decision pending) first, then the rest with overdue duties first.
      const peaps = all.map((c) => c.kind === 'peap');
      expect(peaps.indexOf(false)).toBe(peaps.lastIndexOf(true) + 1);
      const overdue = all.filter((c) => c.kind !== 'peap').map((c) => c.overdue.length > 0);
      expect(overdue.filter(Boolean).length).toBeGreaterThan(0);
      expect(overdue).toEqual([...overdue].sort((a, b) => Number(b) - Number(a)));
      // The notices unsent since the suspension began are overdue too, oldest first (as `cases show` says).
      expect(all.find((c) => c.pupilId === 'DEMO-009' && c.kind === 'suspension' && c.overdue.some((d) => d.dueDate === '2026-03-16'))?.overdue).toEqual([
        { label: 'notify the parents in writing, without delay', dueDate: '2026-03-09' },
        { label: 'notify the local authority in writing, without delay', dueDate: '2026-03-09' },
        { label: 'notify the governing board in writing, without delay', dueDate: '2026-03-09' },
        { label: 'full-time education from the sixth day', dueDate: '2026-03-16' },
      ]);
      // One pupil's, typed in any case.
      const one = only(await assistant.handle(officer, parseText('my cases demo-009')!), 'case-list');
      expect(one.title).toMatch(/pupil DEMO-009$/);
      expect(one.cases.length).toBeGreaterThan(0);
      expect(new Set(one.cases.map((c) => c.pupilId))).toEqual(new Set(['DEMO-009']));
      const overview = first;
      expect(new Set(overview.cases.map((c) => c.schoolId))).toEqual(new Set(['DEMO-SCH']));
    });

    it("tells a head the overview is for inclusion officers and shows the head's own cases instead", async () => {
      const replies = await assistant.handle(head, { verb: 'cases.overview' });
      expect(messages(replies)).toEqual(['The overview is for inclusion officers. Here are your open cases.']);
      expect(only(replies, 'case-list').cases.length).toBeGreaterThan(0);
    });
  });

  describe('a case read back with "status"', () => {
    const WORKSPACE = 'https://bx.example.org/workspace';
    const status = async (actor: Actor, caseId: string) => only(await new Assistant(store, { today: () => TODAY, workspaceUrl: WORKSPACE }).handle(actor, { verb: 'case.status', caseId }), 'case-status');

    /** DEMO-003's PEAP, the attestation changed from Yes to No, decided (a support plan), with an officer's note. */
    async function decidedPeap(): Promise<string> {
      const { review } = await reviewedPeap();
      const change = asQuestion(step(await assistant.handle(head, { verb: 'peap.change', caseId: review.caseId, questionId: 'support.exhausted' })));
      const reviewed = asReview(step(await answer(change, 'no')));
      await assistant.handle(head, { verb: 'peap.decide', caseId: review.caseId, revision: reviewed.revision, decision: 'no-exclusion-support-plan', rationale: 'A support plan with weekly mentoring; the family agreed.', followUpDate: '2026-05-01' });
      await store.cases.note(await store.staff.actorFor('demo-officer'), review.caseId, 'Checked with the school: the mentoring starts on Monday.');
      return review.caseId;
    }

    it("shows an officer a decided PEAP: the decision, its rationale, who and when, the gate as it stood, an answer changed Yes → No, the duties, the note and the timeline in words", async () => {
      const caseId = await decidedPeap();
      const officer = await store.staff.actorFor('demo-officer');
      const reply = await status(officer, caseId);

      expect(reply.case).toMatchObject({ id: caseId, kind: 'peap', pupilId: 'DEMO-003', state: 'decided', resumable: false });
      expect(reply.decision).toEqual({
        decision: 'No exclusion: a support plan',
        rationale: 'A support plan with weekly mentoring; the family agreed.',
        by: 'demo-head',
        when: 'Friday 20 Mar 2026 09:00',
        followUpDate: '2026-05-01',
        gate: expect.arrayContaining([{ item: `${ATTESTATION_MISSING} (answered No)`, met: false }, { item: "the pupil's voice", met: true }]),
      });

      const answers = reply.answers.flatMap((s) => s.answers.map((a) => ({ ...a, section: s.section })));
      const attestation = DEFAULT_QUESTIONS.find((q) => q.id === 'support.exhausted')!;
      expect(answers.find((a) => a.question === attestation.text)).toMatchObject({ section: attestation.section, answer: 'No', earlier: ['Yes'], by: 'demo-head', when: 'Friday 20 Mar 2026 09:00' });
      // Grouped by section, each section once, in the question set's order.
      const sections = reply.answers.map((s) => s.section);
      expect(sections).toEqual([...new Set(DEFAULT_QUESTIONS.map((q) => q.section))].filter((s) => sections.includes(s)));
      // Many answers: the changed one and the most recent are shown, the rest counted for the workspace.
      expect(answers.length + reply.answersMore).toBe(BASE_TOTAL + 1);
      expect(answers.length).toBeLessThanOrEqual(12);

      expect(reply.duties).toContainEqual({ what: expect.stringMatching(/follow-up/i), dueDate: '2026-05-01', status: 'to do' });
      expect(reply.notes).toEqual([{ text: 'Checked with the school: the mentoring starts on Monday.', by: 'demo-officer (inclusion-officer)', when: 'Friday 20 Mar 2026 09:00' }]);

      const whats = reply.timeline.map((t) => t.what);
      expect(whats.at(-1)).toBe('added a note');
      expect(whats).toContain('decided: No exclusion: a support plan');
      expect(whats).toContain(`answered "${attestation.text}"`);
      expect(whats.join(' ')).not.toMatch(/\b(ANSWER|DECIDE|SCHEDULE_MEETING)\b|read the case/);
      expect(reply.timeline.length).toBe(15);
      expect(reply.timelineMore).toBeGreaterThan(0);
      expect(reply.timeline.at(-1)).toMatchObject({ who: 'demo-officer (inclusion-officer)', when: 'Friday 20 Mar 2026 09:00' });
      expect(reply.workspaceUrl).toBe(`${WORKSPACE}/cases/${caseId}`);

      // Read once, audited once, as the officer.
      const reads = (await store.audit.entriesFor(caseId)).filter((r) => r.action === 'case-read');
      expect(reads.filter((r) => r.actor === 'demo-officer')).toHaveLength(1);
    });

    it('shows the latest notes and timeline entries and counts the rest; without a workspace address, no link', async () => {
      const { review } = await reviewedPeap();
      const officer = await store.staff.actorFor('demo-officer');
      for (let i = 1; i <= 8; i++) await store.cases.note(officer, review.caseId, `Note ${i}.`);
      const reply = only(await assistant.handle(officer, { verb: 'case.status', caseId: review.caseId }), 'case-status');
      expect(reply.notes.map((n) => n.text)).toEqual(['Note 4.', 'Note 5.', 'Note 6.', 'Note 7.', 'Note 8.']);
      expect(reply.notesMore).toBe(3);
      const entries = (await store.audit.entriesFor(review.caseId)).filter((r) => r.action !== 'case-read');
      expect(reply.timeline).toHaveLength(15);
      expect(reply.timelineMore).toBe(entries.length - 15);
      expect(reply.case.resumable).toBe(true);
      expect(reply.decision).toBeUndefined();
      expect(reply.workspaceUrl).toBeUndefined();
    });

    it("shows a suspension's duties with whether each is overdue or still to do", async () => {
      // DEMO-009 has two suspensions: the one whose sixth day fell on 16 March.
      const suspension = (await store.cases.list(SYSTEM, { pupilId: 'DEMO-009' })).find((c) => c.kind === 'suspension' && c.context.provisionFrom === '2026-03-16');
      const reply = await status(head, suspension!.id);
      expect(reply.duties).toContainEqual(expect.objectContaining({ what: 'full-time education from the sixth day', dueDate: '2026-03-16', status: 'overdue' }));
      expect(reply.answers).toEqual([]);
      expect(reply.decision).toBeUndefined();
    });
  });

  describe('checking a proposed suspension', () => {
    const check = (startDate: string, sessions: string, pupilId = 'DEMO-010') => assistant.handle(head, { verb: 'suspension.check', pupilId, startDate, sessions });

    it('refuses a suspension that would take DEMO-010 past 45 school days in the year, saying by how much', async () => {
      const assessment = only(await check('2026-03-23', '22'), 'assessment');
      expect(assessment.allowed).toBe(false);
      expect(assessment.facts).toContainEqual(expect.stringMatching(/^REFUSED: This would bring suspensions in 2025\/26 to 46 school days .*no more than 45: at most 10 more can be given this year\.$/));
    });

    it('lists the duties a suspension within the limit would set, each with when it is due', async () => {
      const assessment = only(await check('2026-03-23', '12'), 'assessment');
      expect(assessment.allowed).toBe(true);
      expect(assessment.headline).toBe('Proposed suspension for pupil DEMO-010: 6 school days, from Monday 23 Mar 2026 to Monday 13 Apr 2026.');
      expect(assessment.duties).toContainEqual(expect.objectContaining({ title: 'Notify the parents in writing', due: 'without delay' }));
      // Six consecutive school days across the Easter holiday: provision from the sixth.
      expect(assessment.duties).toContainEqual(expect.objectContaining({ title: 'Full-time education from the sixth school day', due: 'Monday 13 Apr 2026' }));
    });

    it('warns that a short suspension brings DEMO-010 near the limit', async () => {
      const assessment = only(await check('2026-03-23', '6'), 'assessment');
      expect(assessment.allowed).toBe(true);
      expect(assessment.facts).toContain('Suspension days this year: 35 now, 38 after (7 of 45 left).');
      expect(assessment.duties.map((d) => d.title)).toContain('Suspensions are approaching the 45-day annual limit');
    });

    it.each([
      ['a Saturday', '2026-03-21', 'Saturday 21 Mar 2026'],
      ['the February half-term holiday', '2026-02-17', 'Tuesday 17 Feb 2026'],
    ])('returns the form with an error when the first day is %s', async (_, date, long) => {
      const form = only(await check(date, '2'), 'check-form');
      expect(form).toEqual({ type: 'check-form', pupilId: 'DEMO-010', startDate: date, sessions: '2', error: expect.stringContaining(`${long} is not a school day`) });
    });

    it('reads a UK date and a pupil id in any case, and says when a date is not real or not readable', async () => {
      const uk = only(await assistant.handle(head, { verb: 'suspension.check', pupilId: 'demo-010', startDate: '23/03/2026', sessions: '2' }), 'assessment');
      expect(uk.pupilId).toBe('DEMO-010');
      expect(uk.actions.map((a) => a.data)).toContainEqual({ verb: 'exclusion.form', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: '2' });
      expect(only(await check('2026-02-31', '2'), 'check-form').error).toMatch(/^31 February 2026 is not a real date/);
      expect(only(await check('the day after', '2'), 'check-form').error).toMatch(/23\/03\/2026/);
      expect(only(await check('2026-03-23', 'two'), 'check-form').error).toMatch(/^Please give the length in sessions/);
      expect(only(await check('2026-03-23', '0'), 'check-form').error).toMatch(/^Please give the length in sessions/);
    });

    it("does not check a pupil of another school", async () => {
      const otherHead = await addOtherSchool(store);
      expect(await assistant.handle(otherHead, { verb: 'suspension.check', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: '2' })).toEqual([
        { type: 'message', tone: 'error', text: 'No pupil DEMO-010 that you can see.' },
      ]);
    });
  });

  describe('the prompt a head receives', () => {
    it('gives the trigger\'s explanation for a PEAP the rules opened, and says nothing the record does not for one opened by hand', async () => {
      const [fromRules] = await peapCases('DEMO-001');
      expect(await assistant.prompt(fromRules!.id)).toMatchObject({ type: 'prompt', pupilId: 'DEMO-001', why: expect.stringContaining('2 suspensions started in the first half of the autumn term') });

      await assistant.handle(head, { verb: 'peap.start', pupilId: 'DEMO-007' });
      const [byHand] = await peapCases('DEMO-007');
      const prompt = await assistant.prompt(byHand!.id);
      expect(prompt).toMatchObject({ why: 'A pre-exclusion assessment (PEAP) has been started for this pupil by a member of staff.' });
      expect(JSON.stringify(prompt)).not.toContain('at risk');
    });
  });

  describe('finishing the statutory work', () => {
    type FormReply = Extract<Reply, { type: 'form' }>;
    const press = async (data: unknown, actor: Actor = head) => assistant.handle(actor, parseActionOk(data));
    /** Submits a form as a card would: its button's data with the inputs merged in. */
    const submit = (form: FormReply, inputs: Record<string, unknown>, actor: Actor = head) => press({ ...Object.fromEntries(form.fields.map((f) => [f.id, f.value ?? ''])), ...inputs, ...form.submit.data }, actor);
    const button = (actions: readonly { title: string; data: unknown }[], title: RegExp) => {
      const found = actions.find((a) => title.test(a.title));
      if (!found) throw new Error(`no button ${title} among: ${actions.map((a) => a.title).join('; ')}`);
      return found.data;
    };

    it('records a suspension from the check, its reasons in words, and opens its case with a button for each duty', async () => {
      const check = only(await assistant.handle(head, parseText('check suspension DEMO-010 23/03/2026 6')!), 'assessment');
      const form = only(await press(button(check.actions, /^Record this suspension$/)), 'form');
      expect(form.fields.find((f) => f.id === 'startDate')?.value).toBe('2026-03-23');
      expect(form.fields.find((f) => f.id === 'sessions')?.value).toBe('6');
      expect(form.fields.find((f) => f.id === 'reason1')?.choices).toContainEqual({ value: 'DB', title: 'Persistent or general disruptive behaviour' });

      // A reason forgotten: said under its field, what was entered kept.
      const again = only(await submit(form, { reason1: '' }), 'form');
      expect(again.fieldErrors).toEqual({ reason1: 'Choose at least one reason.' });
      expect(again.fields.find((f) => f.id === 'sessions')?.value).toBe('6');

      const replies = await submit(again, { reason1: 'DB', reason2: 'VA' });
      expect(messages(replies)[0]).toMatch(/^Recorded\. The rules have run again for pupil DEMO-010 and opened the case below/);
      const status = only(replies, 'case-status');
      expect(status.case.title).toBe('Suspension — DEMO-010, 3 days from Mon 23 Mar');
      expect(status.actions.map((a) => a.title)).toEqual(expect.arrayContaining(['Notice sent to the parents', 'Notice sent to the local authority', 'Cancel the exclusion', "Write the parents' notice of the suspension", "Write the local authority's notification"]));
      const record = await store.pupils.record(head, 'DEMO-010');
      expect(record.exclusions.find((e) => e.startDate === '2026-03-23')).toMatchObject({ sessions: 6, reasons: ['DB', 'VA'] });

      // The parents' notice, from its button: the form says how and when (today by default).
      const notice = only(await press(button(status.actions, /^Notice sent to the parents$/)), 'form');
      expect(notice.fields.find((f) => f.id === 'sentOn')?.value).toBe(TODAY);
      const noDate = only(await submit(notice, { sentOn: '31/02/2026' }), 'form');
      expect(noDate.fieldErrors?.sentOn).toMatch(/^31 February 2026 is not a real date/);
      const done = await submit(noDate, { method: 'email', sentOn: '20/03/2026' });
      expect(messages(done)).toEqual(['Recorded.']);
      const after = only(done, 'case-status');
      expect(after.actions.map((a) => a.title)).not.toContain('Notice sent to the parents');
      expect(after.duties.find((d) => /parents/.test(d.what))?.done).toMatch(/^Friday 20 Mar 2026 \(email\), recorded by demo-head/);
      const saved = await store.cases.get(SYSTEM, status.case.id, 'suspension');
      expect(saved.context.notices.parents?.sent).toMatchObject({ method: 'email', sentOn: '2026-03-20', by: 'demo-head' });

      // The same form pressed again (a stale card) is not recorded twice.
      const stale = await submit(notice, { method: 'letter', sentOn: TODAY });
      expect(messages(stale)[0]).toMatch(/^That form is out of date/);
    });

    it('asks before recording a permanent exclusion without a completed PEAP, naming what the gate lacks', async () => {
      const form = only(await press({ verb: 'exclusion.form', pupilId: 'demo-010' }), 'form');
      const asked = only(await submit(form, { category: 'PERM', startDate: '2026-03-23', reason1: 'PA', sessions: '' }), 'form');
      expect(asked.error).toMatch(/no completed pre-exclusion assessment/);
      expect(asked.notes?.[0]).toMatch(/^Still lacking: a pre-exclusion assessment/);
      expect(asked.submit.data).toMatchObject({ verb: 'exclusion.record', confirmWithoutPeap: true });
      expect((await store.pupils.record(head, 'DEMO-010')).exclusions.some((e) => e.category === 'PERM')).toBe(false);
      const replies = await submit(asked, {});
      expect(only(replies, 'case-status').case.title).toBe('Permanent exclusion — DEMO-010 from Mon 23 Mar');
      expect((await store.audit.entriesOf('exclusion-recorded')).at(-1)?.data).toMatchObject({ category: 'PERM', confirmedWithoutCompletedPeap: expect.any(Array) });
    });

    it('counts the dates the law sets when the parents ask for a review, and offers day-6 provision from its date', async () => {
      // Seven days in the spring term (recorded late): more than five, so the parents may ask the board to meet.
      const replies = await press({ verb: 'exclusion.record', pupilId: 'DEMO-010', category: 'FIXD', startDate: '2026-03-09', startSession: 'AM', sessions: '14', reason1: 'DB', missesPublicExam: 'no' });
      const status = only(replies, 'case-status');
      const provision = only(await press(button(status.actions, /^Day-6 education arranged$/)), 'form');
      expect(provision.intro).toMatch(/^Due from /);
      const missing = only(await submit(provision, { provider: '' }), 'form');
      expect(missing.fieldErrors).toEqual({ provider: 'Please give provider.' });
      const arranged = only(await submit(missing, { provider: 'Borough Learning Centre', address: '1 High St' }), 'case-status');
      const view = await store.cases.get(SYSTEM, arranged.case.id, 'suspension');
      expect(view.context.provision).toMatchObject({ provider: 'Borough Learning Centre', address: '1 High St', from: view.context.provisionFrom });
      const request = only(await press(button(arranged.actions, /^Parents asked for a review$/)), 'form');
      // A request dated after today is refused under its field, and nothing is recorded.
      const ahead = only(await submit(request, { requestedOn: '2026-03-24' }), 'form');
      expect(ahead.fieldErrors).toEqual({ requestedOn: '2026-03-24 is after today (2026-03-20): record it on the day it was done, or after.' });
      only(await submit(ahead, { requestedOn: '2026-03-20' }), 'case-status');
      const reviewed = await store.cases.get(SYSTEM, arranged.case.id, 'suspension');
      // 50 school days from the request, on the demo calendar (the Easter holiday and May bank holiday skipped).
      expect(reviewed.context.boardReview).toMatchObject({ kind: 'on-request', requestedOn: '2026-03-20' });
      expect(reviewed.context.boardReview!.dueDate > '2026-06-01').toBe(true);
    });

    it('cancels an exclusion with the reason, and sets a notice to everyone told of it running, each with its button', async () => {
      const status = only(await press({ verb: 'exclusion.record', pupilId: 'DEMO-010', category: 'FIXD', startDate: '2026-03-23', startSession: 'AM', sessions: '2', reason1: 'DB', missesPublicExam: 'no' }), 'case-status');
      const form = only(await press(button(status.actions, /^Cancel the exclusion$/)), 'form');
      expect(only(await submit(form, { reason: '  ' }), 'form').fieldErrors).toEqual({ reason: 'Please give why it is cancelled.' });
      const cancelled = only(await submit(form, { reason: 'CCTV shows the pupil was not involved' }), 'case-status');
      expect(cancelled.case.stateText).toMatch(/cancelled/);
      expect(cancelled.actions.map((a) => a.title)).toEqual([
        'Cancellation told to the parents',
        'Cancellation told to the local authority',
        'Cancellation told to the governing board',
        'Write the notice that the exclusion is cancelled',
      ]);
      expect(cancelled.duties.filter((d) => /cancelled, with the reason/.test(d.what)).map((d) => d.status)).toEqual(['to do', 'to do', 'to do']);
      expect((await store.pupils.record(head, 'DEMO-010')).exclusions.find((e) => e.startDate === '2026-03-23')?.cancelled).toBe(true);
      const told = only(await press(button(cancelled.actions, /^Cancellation told to the parents$/)), 'form');
      expect(told.intro).toBe('With the reason: CCTV shows the pupil was not involved.');
      const after = only(await submit(told, { method: 'letter' }), 'case-status');
      expect(after.actions.map((a) => a.title)).not.toContain('Cancellation told to the parents');
    });

    it('writes a letter from the case, keeping the names only with the letter', async () => {
      const suspension = (await store.cases.list(SYSTEM)).find((c) => c.kind === 'suspension' && c.status === 'active')!;
      const status = only(await assistant.handle(head, { verb: 'case.status', caseId: suspension.id }), 'case-status');
      const form = only(await press(button(status.actions, /^Write the local authority's notification$/)), 'form');
      const letter = only(await submit(form, { format: 'pdf', pupilName: 'Sam Example', laName: 'Exclusions Officer', laAddress: 'Town Hall\nHigh Street' }), 'letter');
      expect(letter.title).toBe("the local authority's notification");
      expect(letter.fileName).toMatch(/^local-authority-suspension-.*\.pdf$/);
      const kept = await store.letters.forCase(head, suspension.id);
      expect(kept).toHaveLength(1);
      const audit = JSON.stringify(await store.audit.entriesOf('letter-made'));
      expect(audit).toContain(kept[0]!.sha256);
      expect(audit).not.toMatch(/Sam Example|Town Hall/);
      // An officer reads cases but does not write their letters.
      const officer = await store.staff.actorFor('demo-officer');
      expect(messages(await press({ verb: 'letter.make', caseId: suspension.id, kind: 'local-authority', format: 'pdf' }, officer))[0]).toMatch(/inclusion officer/);
    });
  });
});
