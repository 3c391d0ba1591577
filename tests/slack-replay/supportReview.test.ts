/**
 * A support plan's review, recorded from Slack's modals against the running service (the demo
 * school, school date Friday 20 March 2026), with signed requests as Slack sends them and a fake
 * Slack Web API on loopback recording views.open, views.update and chat.postMessage:
 *
 * 1. `/peap record support DEMO-007` in the app's DM opens the support form in a modal; submitted
 *    (a nurture group since 12 January, review by Friday 13 March, a baseline SDQ of 24), the modal
 *    becomes "Recorded: …" and the support plan holds it.
 * 2. The review date has passed: the service's scheduler fires it, and the head gets a DM
 *    "Reminder · …" with "Record the review"; pressing it opens the review form in a modal.
 * 3. "Continue" without a next date is refused under the next date's block, nothing saved; with a
 *    next date and a follow-up SDQ of 17, the modal becomes "Review recorded." and the case holds
 *    the review and both measures, audited as the head's.
 * 4. In a PEAP's modal, the school-based support question offers "Record support tried": pressed,
 *    the same modal becomes the support form (views.update); submitted, it comes back to that
 *    question, now pre-filled from the record.
 *
 * On SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, type CaseView } from '../../packages/workflows/dist/index.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fakeSlackApi.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { SIGNING_SECRET, answerState, blocksText, interaction, slashCommand, viewSubmission } from '../support/slackRequests.js';
import { buttonPress, inputBlock, modalState, type Entered } from '../support/slackModals.js';

const PUPIL = 'DEMO-007';

describe.each(backends())("a support plan's review recorded from Slack modals, against the running service (%s store)", (backend) => {
  let slack: FakeSlackApi;
  let service: ServiceProcess;
  let db: ServiceDatabase;
  let planId = '';

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    const dir = dataDir('bot-slack-support-');
    db = await serviceDatabase(backend, dir, 'slack_support');
    service = await startService(dir, {
      ...db.env,
      DEMO: 'on',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.url,
      SLACK_ALLOWED_TEAMS: 'T0DEMO',
      TICK_EVERY_SECONDS: '0.5',
    });
    // The demo's cases reach the head first (the digest): the service is up and has evaluated.
    await slack.waitForCall('chat.postMessage', 0, 30_000);
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
    await slack?.close();
  });

  const submit = (view: any, entered: Entered = {}) => interaction(service.url, viewSubmission(view, modalState(view, entered)));
  const plan = () => withStore(db, async (store) => (await store.cases.list(SYSTEM, { pupilId: PUPIL })).find((c): c is CaseView<'support-plan'> => c.kind === 'support-plan'));

  it('records the support from the modal /peap opens', async () => {
    const before = slack.calls.length;
    const typed = await slashCommand(service.url, `record support ${PUPIL}`);
    expect(typed.status).toBe(200);
    const form = (await slack.waitForCall('views.open', before)).args.view;
    expect(blocksText(form.blocks)).toContain(`Record support tried · pupil ${PUPIL}`);
    expect(inputBlock(form, 'startDate').element).toMatchObject({ type: 'datepicker', initial_date: '2026-03-20' });
    // A score from 0 (an SDQ of 0 is possible): the number input allows it.
    expect(inputBlock(form, 'score').element).toMatchObject({ type: 'number_input', min_value: '0' });

    const done = await submit(form, { intervention: 'nurture-group', provider: 'The school', startDate: '2026-01-12', reviewDue: '2026-03-13', measure: 'sdq', score: '24' });
    expect(done.status).toBe(200);
    expect(done.body.response_action).toBe('update');
    expect(blocksText(done.body.view.blocks)).toMatch(/Recorded: a nurture group with The school from Monday 12 Jan 2026, review by Friday 13 Mar 2026/);
    const recorded = await plan();
    expect(recorded?.context.plans).toMatchObject([{ intervention: 'nurture-group', provider: 'The school', startDate: '2026-01-12', reviewDue: '2026-03-13' }]);
    planId = recorded!.id;
  });

  it('reminds the head in a DM once the review date has passed, and "Record the review" opens its form; continuing needs a next date; recorded, the case holds it', async () => {
    expect(planId).not.toBe('');
    // The scheduler fires the passed review date; the reminder is posted to the head's DM.
    let reminder: any;
    for (let seen = 0; !reminder; ) {
      const call = await slack.waitForCall('chat.postMessage', seen, 30_000);
      seen = slack.calls.indexOf(call) + 1;
      if (blocksText(call.args.blocks).startsWith('Reminder · ') && JSON.stringify(call.args.blocks).includes(planId)) reminder = call;
    }
    expect(blocksText(reminder.args.blocks)).toContain('A review of the support plan is due');

    const before = slack.calls.length;
    const press = buttonPress(reminder.args.blocks, 'Record the review', { message: { channel: String(reminder.args.channel) } });
    expect((await interaction(service.url, press)).status).toBe(200);
    const opened = await slack.waitForCall('views.open', before);
    expect(opened.args.trigger_id).toBe(press.trigger_id);
    const form = opened.args.view;
    expect(blocksText(form.blocks)).toMatch(/A nurture group with The school from Monday 12 Jan 2026, review overdue since Friday 13 Mar 2026/);

    const refused = await submit(form, { outcome: 'continue', nextReviewDue: null });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { nextReviewDue: expect.stringMatching(/next review date/) } });
    expect((await plan())!.context.reviews).toEqual([]);

    const done = await submit(form, { outcome: 'continue', nextReviewDue: '2026-05-22', measure: 'sdq', score: '17' });
    expect(done.body.response_action).toBe('update');
    expect(blocksText(done.body.view.blocks)).toContain('Review recorded.');
    const reviewed = (await plan())!;
    expect(reviewed.context.reviews).toMatchObject([{ heldOn: '2026-03-20', outcome: 'continue', nextReviewDue: '2026-05-22', by: 'demo-head' }]);
    expect(reviewed.context.overdue).toEqual([]);
    expect(reviewed.context.measures.map((m) => [m.stage, 'totalDifficulties' in m ? m.totalDifficulties : undefined])).toEqual([
      ['baseline', 24],
      ['follow-up', 17],
    ]);
    const events = await withStore(db, async (store) => (await store.audit.entriesFor(planId)).filter((r) => r.action === 'event').map((r) => [r.event, r.actor]));
    expect(events.slice(-2)).toEqual([
      ['RECORD_MEASURE', 'demo-head'],
      ['HOLD_REVIEW', 'demo-head'],
    ]);
  });

  it("offers the support form inside the PEAP's modal, and comes back to the support question pre-filled", async () => {
    const peapPupil = 'DEMO-001';
    let before = slack.calls.length;
    expect((await slashCommand(service.url, `start ${peapPupil}`)).status).toBe(200);
    let view = (await slack.waitForCall('views.open', before)).args.view;
    for (let i = 0; i < 30 && !blocksText(view.blocks).includes('Which school-based interventions have been tried'); i++) {
      const next = await interaction(service.url, viewSubmission(view, answerState(view)));
      expect(next.body.response_action).toBe('update');
      view = next.body.view;
    }
    expect(blocksText(view.blocks)).toContain('Which school-based interventions have been tried');
    expect(inputBlock(view, 'answer').element.initial_value).toBeUndefined();

    before = slack.calls.length;
    const press = buttonPress(view.blocks, 'Record support tried', { modal: { view, id: 'V-peap', hash: 'hash-peap' } });
    expect((await interaction(service.url, press)).status).toBe(200);
    const updated = await slack.waitForCall('views.update', before);
    expect(updated.args.view_id).toBe('V-peap');
    const form = updated.args.view;
    expect(blocksText(form.blocks)).toContain(`Record support tried · pupil ${peapPupil}`);

    const back = await submit(form, { intervention: 'mentoring', provider: 'Learning mentor', startDate: '2026-02-23', reviewDue: '2026-04-24' });
    expect(back.body.response_action).toBe('update');
    const question = back.body.view;
    expect(blocksText(question.blocks)).toMatch(/Recorded: mentoring with Learning mentor from Monday 23 Feb 2026/);
    expect(blocksText(question.blocks)).toContain('Which school-based interventions have been tried');
    expect(String(inputBlock(question, 'answer').element.initial_value)).toMatch(/2026-02-23: mentoring with Learning mentor/);
  });
});
