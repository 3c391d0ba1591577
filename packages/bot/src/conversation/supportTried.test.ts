/**
 * A head keeps support tried on the record from the chat, over a real case store holding the demo
 * school on its demo date (Friday 20 March 2026): "record support PUPIL" opens one form whose one
 * press opens the support plan with its assessment and plan; errors come back under their fields
 * with nothing lost or written; the PEAP's support question offers the form and comes back
 * pre-filled; the review is recorded from its form, from "my cases" and from its reminder; stale
 * forms save nothing twice; and only staff acting for the pupil's school may record.
 */
import { ledTo, openByHand, SYSTEM, type Actor, type CaseStore, type CaseView } from '@before-exclusion/workflows';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addOtherSchool, BACKENDS, demoAssistant, demoStore, messages, only, type StoreAt } from '../testing/fixtures.js';
import type { Assistant } from './assistant.js';
import { parseAction, parseText, type Command } from './commands.js';
import type { FormReply, Reply } from './replies.js';

const PUPIL = 'DEMO-002';

let store: CaseStore;
let at: StoreAt;
let assistant: Assistant;
let head: Actor;
const opened: CaseStore[] = [];

/** What a form's button sends when pressed with these inputs (as Teams merges them in). */
function press(form: FormReply, inputs: Record<string, string>): Command {
  const fields = Object.fromEntries(form.fields.map((f) => [f.id, f.value ?? '']));
  const parsed = parseAction({ ...fields, ...inputs, ...form.submit.data });
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed.command;
}

const supportPlans = async (pupilId = PUPIL) => (await store.cases.list(SYSTEM, { pupilId })).filter((c): c is CaseView<'support-plan'> => c.kind === 'support-plan');
const typed = (text: string, actor: Actor = head) => assistant.handle(actor, parseText(text)!);

/** Mentoring with the learning mentor from 2 March, review by 24 April, and a baseline SDQ of 22. */
const MENTORING = { intervention: 'mentoring', provider: 'Learning mentor', external: 'no', startDate: '02/03/2026', reviewDue: '24 April 2026', measure: 'sdq', score: '22' };

async function recordMentoring(): Promise<CaseView<'support-plan'>> {
  const form = only(await typed(`record support ${PUPIL.toLowerCase()}`), 'form');
  await assistant.handle(head, press(form, MENTORING));
  const [plan] = await supportPlans();
  return plan!;
}

describe.each(BACKENDS)('support tried, recorded from the chat (%s)', (backend) => {
  beforeEach(async () => {
    ({ store, at } = await demoStore({ backend }));
    opened.push(store);
    assistant = demoAssistant(store);
    head = await store.staff.actorFor('demo-head');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  it('opens the support plan with its assessment, baseline and plan from one form, and reads it back in words', async () => {
    const form = only(await typed('Record support demo-002 please'), 'form');
    expect(form.title).toBe('Record support tried · pupil DEMO-002');
    // Today, and a review six school weeks on (30 school days, past the Easter holiday), as suggestions.
    const start = form.fields.find((f) => f.id === 'startDate')!;
    const review = form.fields.find((f) => f.id === 'reviewDue')!;
    expect(start.value).toBe('2026-03-20');
    expect(review.value! > '2026-04-30').toBe(true);
    expect(form.fields.find((f) => f.id === 'intervention')!.choices).toContainEqual({ value: 'mentoring', title: 'Mentoring' });

    const replies = await assistant.handle(head, press(form, { ...MENTORING, targets: 'Arrives calmly after breakfast club' }));
    expect(messages(replies)[0]).toMatch(/^Recorded: mentoring with Learning mentor from Monday 2 Mar 2026, review by Friday 24 Apr 2026 \(case support-plan-\w+\)/);
    expect(only(replies, 'case-status').case.kind).toBe('support-plan');
    // Told apart from the pupil's other plans by what it is and who gives it.
    expect(only(replies, 'case-status').case.title).toMatch(/^Support plan — DEMO-\d{3}: mentoring with Learning mentor$/);

    const [plan, ...others] = await supportPlans();
    expect(others).toEqual([]);
    expect(plan!.state).toEqual({ do: 'running' });
    expect(plan!.context).toMatchObject({ assessedOn: '2026-03-02', nextReviewDue: '2026-04-24', plans: [{ intervention: 'mentoring', provider: 'Learning mentor', startDate: '2026-03-02', reviewDue: '2026-04-24', external: false, agreedBy: 'demo-head' }] });
    expect(plan!.context.measures).toMatchObject([{ measure: 'sdq', stage: 'baseline', takenOn: '2026-03-02', totalDifficulties: 22 }]);
    // One press, one transaction: the three events audited in order, by the head.
    // The targets are words about the pupil, and the provider may name a person: read back by those
    // who may, sealed where they are kept (the intervention, a word from a list, stays plain to be counted).
    expect(plan!.context.plans[0]!.targets).toBe('Arrives calmly after breakfast club');
    if (backend === 'sqlite') {
      const kept = ['', '-wal'].filter((suffix) => existsSync(`${at.url}${suffix}`)).map((suffix) => readFileSync(`${at.url}${suffix}`).toString('latin1'));
      expect(kept.join('')).toContain('"intervention":"mentoring"');
      expect(kept.join('')).not.toContain('Learning mentor');
      expect(kept.join('')).not.toContain('breakfast club');
    }
    const events = (await store.audit.entriesFor(plan!.id)).filter((r) => r.action === 'event');
    expect(events.map((r) => [r.event, r.actor])).toEqual([
      ['ASSESS', 'demo-head'],
      ['RECORD_MEASURE', 'demo-head'],
      ['AGREE_PLAN', 'demo-head'],
    ]);
  });

  it('says what is wrong under each field, keeps what was typed, and writes nothing', async () => {
    const form = only(await typed(`record support ${PUPIL}`), 'form');
    const replies = await assistant.handle(head, press(form, { intervention: 'key-adult', provider: '', startDate: '20/03/2026', reviewDue: '13/03/2026', measure: 'boxall', score: '140', targets: 'Settles in the morning' }));
    const again = only(replies, 'form');
    expect(again.fieldErrors).toEqual({
      provider: 'Give the provider (the school, or a service).',
      reviewDue: 'The review must be after the day it starts: give a later date.',
      score: expect.stringMatching(/^Expected 0 to 136 \(Boxall developmental strands/),
      diagnostic: 'Give the Boxall diagnostic profile too (0–136): a Boxall Profile has both sections.',
    });
    // What was typed comes back, the form's key with it (a second press is still one case).
    const values = Object.fromEntries(again.fields.map((f) => [f.id, f.value]));
    expect(values).toMatchObject({ intervention: 'key-adult', reviewDue: '13/03/2026', targets: 'Settles in the morning', score: '140' });
    expect(again.submit.data).toEqual(form.submit.data);
    expect(await supportPlans()).toEqual([]);

    // A date no one can read, and a score without its measure.
    const unreadable = only(await assistant.handle(head, press(form, { intervention: 'key-adult', provider: 'Form tutor', startDate: 'next blursday', score: '12' })), 'form');
    expect(unreadable.fieldErrors?.startDate).toMatch(/next blursday/);
    expect(unreadable.fieldErrors?.measure).toBe('Choose which measure the score is from (Boxall Profile, SDQ or Thrive), or clear the score.');
    expect(await supportPlans()).toEqual([]);

    // A review on a day the school is closed, said under its field before any case opens.
    const weekend = only(await assistant.handle(head, press(form, { ...MENTORING, reviewDue: 'Saturday 25 April 2026' })), 'form');
    expect(weekend.fieldErrors).toEqual({ reviewDue: expect.stringMatching(/^Saturday 25 Apr 2026 is a weekend at school .+: the next school day is Monday 27 Apr 2026\.$/) });
    expect(await supportPlans()).toEqual([]);
    // So is a start in the Easter holiday, beside it.
    const holiday = only(await assistant.handle(head, press(form, { ...MENTORING, startDate: '28/03/2026', reviewDue: 'Saturday 25 April 2026' })), 'form');
    expect(holiday.fieldErrors).toEqual({
      startDate: expect.stringMatching(/^Saturday 28 Mar 2026 is .+: the next school day is Monday 13 Apr 2026\.$/),
      reviewDue: expect.stringMatching(/^Saturday 25 Apr 2026 is a weekend/),
    });
    expect(await supportPlans()).toEqual([]);
  });

  it('records once when the same form is pressed twice (a double tap, or a second device)', async () => {
    const form = only(await typed(`record support ${PUPIL}`), 'form');
    await assistant.handle(head, press(form, MENTORING));
    const second = await assistant.handle(head, press(form, MENTORING));
    expect(messages(second)[0]).toBe('That support was already recorded from this form.');
    expect(await supportPlans()).toHaveLength(1);
    // A new form is new support.
    await assistant.handle(head, press(only(await typed(`record support ${PUPIL}`), 'form'), { ...MENTORING, intervention: 'counselling', provider: 'Kooth', external: 'yes', measure: '', score: '' }));
    expect((await supportPlans()).map((p) => p.context.plans[0]!.intervention).sort()).toEqual(['counselling', 'mentoring']);
  });

  it('completes the support plan a team-around-the-school action opened, rather than opening a second — once, however often the form is pressed', async () => {
    const { case: action } = await openByHand(store, head, 'tats-action', PUPIL, '2026-03-16', { action: 'school-support-plan', owner: 'demo-head', dueDate: '2026-03-27' });
    const [led] = await ledTo(store, SYSTEM, action.id);
    const [waiting, ...none] = await supportPlans();
    expect(none).toEqual([]);
    expect([waiting!.id, waiting!.state]).toEqual([led!.caseId, 'assess']);

    const form = only(await typed(`record support ${PUPIL}`), 'form');
    expect(form.intro).toContain(`It completes the pupil’s support plan waiting for its plan (case ${waiting!.id})`);
    // A mistake first: the form comes back still completing that plan.
    const fixed = only(await assistant.handle(head, press(form, { ...MENTORING, provider: '' })), 'form');
    expect(fixed.submit.data).toEqual(form.submit.data);
    const replies = await assistant.handle(head, press(fixed, MENTORING));
    expect(messages(replies)[0]).toContain(`(case ${waiting!.id})`);
    const [plan, ...others] = await supportPlans();
    expect(others).toEqual([]);
    expect(plan!.id).toBe(waiting!.id);
    expect(plan!.state).toEqual({ do: 'running' });
    expect(plan!.context).toMatchObject({ assessedOn: '2026-03-02', nextReviewDue: '2026-04-24', plans: [{ intervention: 'mentoring', provider: 'Learning mentor' }] });
    expect(plan!.context.measures).toMatchObject([{ measure: 'sdq', stage: 'baseline', totalDifficulties: 22 }]);

    // Pressed again: nothing more, on that plan or a new one.
    expect(messages(await assistant.handle(head, press(fixed, MENTORING)))[0]).toBe('That support was already recorded from this form.');
    expect((await supportPlans()).map((p) => [p.id, p.context.plans.length])).toEqual([[waiting!.id, 1]]);
    // With no plan waiting, a new form is new support.
    expect(only(await typed(`record support ${PUPIL}`), 'form').intro).not.toMatch(/completes/);
  });

  it("offers the form on the PEAP's support question, and comes back to it pre-filled from what was recorded", async () => {
    // DEMO-003's PEAP was opened by the rules; walk to its school-based support question.
    let reply: Reply | undefined = (await typed('start peap DEMO-003')).find((r) => r.type === 'question');
    while (reply?.type === 'question' && reply.question.prefill !== 'support-school') {
      const value: unknown = reply.value ?? (reply.question.kind === 'date' ? '2026-03-23' : reply.question.kind === 'yes-no' ? 'yes' : reply.question.kind === 'text' ? 'An answer.' : reply.question.options?.[0]?.value);
      reply = (await assistant.handle(head, { verb: 'peap.answer', caseId: reply.caseId, questionId: reply.question.id, revision: reply.revision, answer: value })).find((r) => r.type === 'question' || r.type === 'review');
    }
    if (reply?.type !== 'question') throw new Error('no support question in the PEAP');
    expect(reply.value).toBeUndefined();
    const button = reply.actions?.find((a) => a.title === 'Record support tried');
    expect(button?.data).toEqual({ verb: 'support.form', pupilId: 'DEMO-003', peapCaseId: reply.caseId, questionId: reply.question.id });

    const parsed = parseAction(button!.data);
    if ('error' in parsed) throw new Error(parsed.error);
    const form = only(await assistant.handle(head, parsed.command), 'form');
    const back = await assistant.handle(head, press(form, { intervention: 'nurture-group', provider: 'The school', startDate: '2026-01-12', reviewDue: '2026-02-27' }));
    const question = only(back, 'question');
    expect(question.question.id).toBe(reply.question.id);
    expect(question.suggested).toBe(true);
    expect(question.value).toMatch(/2026-01-12: a nurture group with The school/);

    // The PEAP read back in the chat carries it too, beside the decision.
    const status = only(await typed(`status ${reply.caseId}`), 'case-status');
    expect(status.support).toEqual([expect.stringMatching(/^from 2026-01-12: a nurture group with The school — running, review due 2026-02-27/)]);
  });

  it('records a review from its form (continue, with a follow-up SDQ), and a stale form saves nothing', async () => {
    const plan = await recordMentoring();
    const form = only(await typed(`review support ${PUPIL}`), 'form');
    expect(form.intro).toMatch(/^Mentoring with Learning mentor from Monday 2 Mar 2026, review due Friday 24 Apr 2026/);
    // Continue needs its next date; escalate its destination.
    const missing = only(await assistant.handle(head, press(form, { outcome: 'escalate' })), 'form');
    expect(missing.fieldErrors).toEqual({ escalatedTo: 'Choose where it escalates to.' });
    const early = only(await assistant.handle(head, press(form, { outcome: 'continue', nextReviewDue: '2026-03-19' })), 'form');
    expect(early.fieldErrors).toEqual({ nextReviewDue: 'To continue it, give the next review date, after this review.' });

    const replies = await assistant.handle(head, press(form, { outcome: 'continue', nextReviewDue: '2026-05-22', measure: 'sdq', score: '15', notes: 'Calmer at lunchtimes' }));
    expect(messages(replies)[0]).toBe('Review recorded.');
    const reviewed = await store.cases.get(SYSTEM, plan.id, 'support-plan');
    expect(reviewed.context.reviews).toMatchObject([{ heldOn: '2026-03-20', outcome: 'continue', nextReviewDue: '2026-05-22', by: 'demo-head' }]);
    expect(reviewed.context.nextReviewDue).toBe('2026-05-22');
    expect(reviewed.context.measures.map((m) => [m.stage, m.measure, 'totalDifficulties' in m ? m.totalDifficulties : undefined])).toEqual([
      ['baseline', 'sdq', 22],
      ['follow-up', 'sdq', 15],
    ]);

    // The same form pressed again: drawn from the case before the review, so refused as out of date.
    const stale = await assistant.handle(head, press(form, { outcome: 'needs-met' }));
    expect(messages(stale)[0]).toMatch(/^That form is out of date/);
    expect((await store.cases.get(SYSTEM, plan.id, 'support-plan')).context.reviews).toHaveLength(1);
  });

  it("offers \"Record the review\" in my cases and in the reminder once the review is due, and nothing once it is recorded", async () => {
    const form = only(await typed(`record support ${PUPIL}`), 'form');
    await assistant.handle(head, press(form, { ...MENTORING, startDate: '2026-01-12', reviewDue: '2026-03-13' }));
    const [plan] = await supportPlans();
    // Not yet fired: due already (13 March is past), so offered in my cases.
    const before = (await typed(`my cases ${PUPIL}`)).find((r) => r.type === 'case-list');
    expect(before?.type === 'case-list' && before.cases.find((c) => c.id === plan!.id)?.act?.data).toEqual({ verb: 'support.review-form', target: plan!.id });

    // The scheduler fires the review deadline: the reminder carries the button.
    await store.fireDueDeadlines(new Date('2026-03-20T08:00:00Z'));
    expect((await store.outbox.entries({ kind: 'remind-deadline' })).filter((m) => m.caseId === plan!.id)).toHaveLength(1);
    const reminder = await assistant.reminder(plan!.id, 'support-plan-review', 'A review of the support plan is due.');
    expect(reminder).toMatchObject({ type: 'reminder', pupilId: PUPIL, actions: [{ title: 'Record the review', data: { verb: 'support.review-form', target: plan!.id } }] });

    const parsed = parseAction(reminder!.type === 'reminder' ? reminder!.actions[0]!.data : {});
    if ('error' in parsed) throw new Error(parsed.error);
    const reviewForm = only(await assistant.handle(head, parsed.command), 'form');
    expect(reviewForm.intro).toMatch(/review overdue since Friday 13 Mar 2026/);
    await assistant.handle(head, press(reviewForm, { outcome: 'needs-met', measure: 'sdq', score: '12' }));
    expect((await store.cases.get(SYSTEM, plan!.id, 'support-plan')).state).toBe('needs-met');
    // Reviewed since: the reminder says nothing, and the form says why.
    expect(await assistant.reminder(plan!.id, 'support-plan-review', 'A review of the support plan is due.')).toBeUndefined();
    expect(messages(await typed(`review support ${plan!.id}`))).toEqual(['This support plan has ended (needs met): there is no review to record.']);
  });

  it('goes round the cycle in the chat: a review that revises the plan offers "Agree the revised plan", drawn from the last plan, and the new plan runs', async () => {
    const plan = await recordMentoring();
    await assistant.handle(head, press(only(await typed(`review support ${plan.id}`), 'form'), { outcome: 'revise-plan' }));
    const revising = await store.cases.get(SYSTEM, plan.id, 'support-plan');
    expect(revising.state).toBe('plan');
    // My cases offers the next step; the status too; "review support PUPIL" says what is waiting.
    const list = only(await typed(`my cases ${PUPIL}`), 'case-list');
    expect(list.cases.find((c) => c.id === plan.id)?.act).toEqual({ title: 'Agree the revised plan', data: { verb: 'support.replan-form', caseId: plan.id }, primary: true });
    const byPupil = await typed(`review support ${PUPIL}`);
    expect(messages(byPupil)).toEqual([`The last review of pupil ${PUPIL}'s support decided to revise the plan: agree the revised plan first.`]);
    const form = only(byPupil, 'form');
    expect(form.title).toBe(`The revised plan · pupil ${PUPIL}`);
    expect(Object.fromEntries(form.fields.map((f) => [f.id, f.value]))).toMatchObject({ intervention: 'mentoring', provider: 'Learning mentor', external: 'no', startDate: '2026-03-20' });

    const agreed = await assistant.handle(head, press(form, { intervention: 'key-adult', reviewDue: '2026-05-15' }));
    expect(messages(agreed)[0]).toBe('Revised plan agreed: a key adult with Learning mentor from Friday 20 Mar 2026, review by Friday 15 May 2026.');
    const running = await store.cases.get(SYSTEM, plan.id, 'support-plan');
    expect(running.state).toEqual({ do: 'running' });
    expect(running.context.plans.map((p) => p.intervention)).toEqual(['mentoring', 'key-adult']);
    expect(running.context.nextReviewDue).toBe('2026-05-15');
    // The same form again: out of date, nothing agreed twice.
    expect(messages(await assistant.handle(head, press(form, { intervention: 'key-adult', reviewDue: '2026-05-15' })))[0]).toMatch(/^That form is out of date/);
    expect((await store.cases.get(SYSTEM, plan.id, 'support-plan')).context.plans).toHaveLength(2);
  });

  it('escalates from the review: the PEAP the store opens (or links) is shown to carry on with; an escalation with no case here says what is left to do', async () => {
    const plan = await recordMentoring();
    const replies = await assistant.handle(head, press(only(await typed(`review support ${plan.id}`), 'form'), { outcome: 'escalate', escalatedTo: 'peap' }));
    expect(messages(replies)[0]).toMatch(/^Review recorded: escalated, and (opened a case|linked to the pupil’s open case): pre-exclusion assessment \(peap-\w+\)\.$/);
    const peap = only(replies, 'case-status');
    expect(peap.case.kind).toBe('peap');
    expect(peap.case.pupilId).toBe(PUPIL);
    expect(peap.actions[0]).toMatchObject({ title: 'Continue the assessment', data: { verb: 'peap.resume', caseId: peap.case.id } });
    expect((await store.cases.get(SYSTEM, plan.id, 'support-plan')).state).toBe('escalated');

    const second = await recordMentoring().then(async () => (await supportPlans()).find((p) => p.status === 'active')!);
    const social = await assistant.handle(head, press(only(await typed(`review support ${second.id}`), 'form'), { outcome: 'escalate', escalatedTo: 'social-care' }));
    expect(messages(social)[0]).toMatch(/^Review recorded: escalated\. No case for social care here: the owner makes the referral/);
  });

  it('lets only staff acting for the pupil’s school record support: not an officer, not another school’s head', async () => {
    const officer = await store.staff.actorFor('demo-officer');
    expect(messages(await typed(`record support ${PUPIL}`, officer))).toEqual([expect.stringMatching(/^Support tried is recorded by the school/)]);
    const form = only(await typed(`record support ${PUPIL}`), 'form');
    expect(messages(await assistant.handle(officer, press(form, MENTORING)))).toEqual([expect.stringMatching(/^Support tried is recorded by the school/)]);
    const other = await addOtherSchool(store);
    const refused = messages(await typed(`record support ${PUPIL}`, other));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/DEMO-002/);
    expect(messages(await assistant.handle(other, press(form, MENTORING)))[0]).toMatch(/DEMO-002/);
    expect(await supportPlans()).toEqual([]);
    // Nor may another school's head review this school's plan.
    const plan = await recordMentoring();
    expect(messages(await typed(`review support ${plan.id}`, other))[0]).toMatch(/no case|cannot|not/i);
  });

  it('reads the typed forms people use', () => {
    expect(parseText('record support DEMO-002')).toEqual({ verb: 'support.form', pupilId: 'DEMO-002' });
    expect(parseText('support for pupil demo-002')).toEqual({ verb: 'support.form', pupilId: 'demo-002' });
    expect(parseText('record support tried')).toEqual({ verb: 'support.form' });
    expect(parseText('review support support-plan-0a1b2c3d4e')).toEqual({ verb: 'support.review-form', target: 'support-plan-0a1b2c3d4e' });
    expect(parseText('record the support review for DEMO-002')).toEqual({ verb: 'support.review-form', target: 'DEMO-002' });
    expect(parseText('support review DEMO-002?')).toEqual({ verb: 'support.review-form', target: 'DEMO-002' });
  });
});
