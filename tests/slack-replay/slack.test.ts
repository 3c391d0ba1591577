/**
 * The Slack app against the running service, with signed requests as Slack sends them and a fake
 * Slack Web API on loopback recording what the app calls: the `/peap` command opening the
 * interview in a modal, every step answered by `view_submission` (errors shown in the field),
 * buttons, the digest sent as a DM; forged, stale and foreign requests refused with nothing
 * written; and one PEAP answered half in Teams, half in Slack, ending as one case with one trail.
 * All of it with the service on SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, type CaseView } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fakeSlackApi.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { auditRowsBesideDeliveries, outboxSent, serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { SIGNING_SECRET, answerState, blockAction, blocksText, interaction, signedPost, slashCommand, viewSubmission } from '../support/slackRequests.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from '../teams-replay/teamsHttp.js';

const teamsHead: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };

describe.each(backends())('the Slack app, signed requests against the running service (%s store)', (backend) => {
  let slack: FakeSlackApi;
  let connector: FakeConnector;
  let service: ServiceProcess;
  let db: ServiceDatabase;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    connector = await startFakeConnector();
    const dir = dataDir('bot-slack-');
    db = await serviceDatabase(backend, dir, 'slack');
    // With Slack credentials the demo school is loaded only when asked for.
    // TEAMS_LOCAL: the same head in Teams (without tokens, on loopback) beside Slack.
    service = await startService(dir, { ...db.env, DEMO: 'on', TEAMS_LOCAL: 'on', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.url, SLACK_ALLOWED_TEAMS: 'T0DEMO' });
    // What the demo queued (its digest, the reminders due) goes first: each test's messages and rows are its own.
    await outboxSent(db);
  });
  afterAll(async () => {
    await service?.stop();
    await slack?.close();
    await connector?.close();
  });

  /** The rows requests wrote to the audit log (verified; the outbox's background deliveries left out). */
  const auditRows = () => auditRowsBesideDeliveries(db);
  /** The pupil's PEAP cases, as the store holds them. */
  const peapContext = (pupilId: string) =>
    withStore(db, async (store) => (await store.cases.list(SYSTEM, { pupilId })).filter((c): c is CaseView<'peap'> => c.kind === 'peap'));

  /** Submits the modal's steps until the review; returns the review view and the progress seen. */
  async function answerAll(view: any): Promise<{ review: any; progress: string[] }> {
    const progress: string[] = [];
    while (view.callback_id === 'peap_question') {
      progress.push(blocksText(view.blocks).match(/Question (\d+ of \d+)/)![1]!);
      const res = await interaction(service.url, viewSubmission(view, answerState(view)));
      expect(res.status).toBe(200);
      expect(res.body.response_action).toBe('update');
      view = res.body.view;
    }
    return { review: view, progress };
  }

  it('DMs the head the cases waiting for them, unprompted', async () => {
    const dm = await slack.waitForCall('chat.postMessage');
    expect(dm.args.channel).toBe('D-U0DEMOHEAD');
    expect(blocksText(dm.args.blocks)).toMatch(/\d+ cases have opened for your school/);
  });

  it('opens the interview in a modal from /peap, takes every step by view_submission, and records the decision', async () => {
    const before = slack.calls.length;
    const res = await slashCommand(service.url, 'start DEMO-003');
    expect(res.status).toBe(200);
    const opened = await slack.waitForCall('views.open', before);
    expect(opened.args.trigger_id).toMatch(/^trigger-/);
    expect(blocksText(opened.args.view.blocks)).toContain('Question 1 of');

    // An empty answer: the error is shown in the field, and nothing is saved.
    const rows = await auditRows();
    const empty = await interaction(service.url, viewSubmission(opened.args.view, { answer: { value: { type: 'datepicker', selected_date: null } } }));
    expect(empty.body).toEqual({ response_action: 'errors', errors: { answer: 'Please give a date, written YYYY-MM-DD.' } });
    expect(await auditRows()).toBe(rows + 1); // the case was read (audited); nothing written

    const { review, progress } = await answerAll(opened.args.view);
    expect(progress[0]).toMatch(/^1 of/);
    expect(progress.length).toBeGreaterThanOrEqual(14);
    expect(review.callback_id).toBe('peap_review');
    expect(review.blocks.length).toBeLessThanOrEqual(100);
    expect(JSON.stringify(review.private_metadata).length).toBeLessThan(3000);

    const missing = await interaction(service.url, viewSubmission(review, { decision: { value: { type: 'radio_buttons', selected_option: { value: 'no-exclusion-support-plan' } } }, rationale: { value: { type: 'plain_text_input', value: '' } }, followUpDate: { value: { type: 'datepicker', selected_date: '2026-05-01' } } }));
    expect(missing.body).toEqual({ response_action: 'errors', errors: { rationale: 'Please give the rationale for the decision.' } });

    const decided = await interaction(
      service.url,
      viewSubmission(review, {
        decision: { value: { type: 'radio_buttons', selected_option: { value: 'no-exclusion-support-plan' } } },
        rationale: { value: { type: 'plain_text_input', value: 'Support plan agreed with the family.' } },
        followUpDate: { value: { type: 'datepicker', selected_date: '2026-05-01' } },
      }),
    );
    expect(decided.body.response_action).toBe('update');
    expect(blocksText(decided.body.view.blocks)).toContain('Decision recorded · pupil DEMO-003');

    const [peap] = await peapContext('DEMO-003');
    expect(peap!.state).toBe('decided');
    expect(peap!.context.answers['pupil-voice.likes']?.value).toBe('An answer given in Slack');
    expect(peap!.context.decision).toMatchObject({ decision: 'no-exclusion-support-plan', rationale: 'Support plan agreed with the family.', by: 'demo-head' });
  });

  it('answers a button from the Home tab in a DM, and opens a modal for one that starts an interview step', async () => {
    let before = slack.calls.length;
    expect((await interaction(service.url, blockAction({ verb: 'cases.mine' }))).status).toBe(200);
    // The service's own prompts may reach the head meanwhile: the answer is the message listing their cases.
    const dm = await slack.waitForCall('chat.postMessage', before, undefined, (c) => blocksText(c.args.blocks).includes('Your open cases'));
    expect(dm.args.channel).toBe('D-U0DEMOHEAD');

    before = slack.calls.length;
    await interaction(service.url, blockAction({ verb: 'suspension.form' }));
    const form = await slack.waitForCall('views.open', before);
    expect(form.args.view.callback_id).toBe('suspension_check');
    const checked = await interaction(service.url, viewSubmission(form.args.view, { pupilId: { value: { type: 'plain_text_input', value: 'DEMO-010' } }, startDate: { value: { type: 'datepicker', selected_date: '2026-03-23' } }, sessions: { value: { type: 'number_input', value: '40' } } }));
    expect(checked.body.response_action).toBe('update');
    expect(blocksText(checked.body.view.blocks)).toContain('REFUSED');
    const saturday = await interaction(service.url, viewSubmission(form.args.view, { pupilId: { value: { type: 'plain_text_input', value: 'DEMO-010' } }, startDate: { value: { type: 'datepicker', selected_date: '2026-03-21' } }, sessions: { value: { type: 'number_input', value: '2' } } }));
    expect(saturday.body).toMatchObject({ response_action: 'errors', errors: { startDate: expect.stringContaining('not a school day') } });
  });

  it("publishes the Home tab: what the app does and the head's open cases", async () => {
    const before = slack.calls.length;
    const event = { token: 'legacy', team_id: 'T0DEMO', api_app_id: 'A0DEMO', type: 'event_callback', event_id: 'Ev1', event_time: Math.floor(Date.now() / 1000), event: { type: 'app_home_opened', user: 'U0DEMOHEAD', channel: 'D0DEMO', tab: 'home', event_ts: `${Date.now() / 1000}` } };
    expect((await signedPost(`${service.url}/slack/events`, JSON.stringify(event), 'application/json')).status).toBe(200);
    const published = await slack.waitForCall('views.publish', before);
    expect(published.args.user_id).toBe('U0DEMOHEAD');
    expect(published.args.view.type).toBe('home');
    const text = blocksText(published.args.view.blocks);
    expect(text).toContain('Before Exclusion');
    expect(text).toContain('Your open cases');
    expect(text).toMatch(/ — DEMO-\d{3}/);
  });

  it('refuses a bad signature, a stale timestamp and another workspace, writing nothing', async () => {
    const rows = await auditRows();
    const calls = slack.calls.length;
    expect((await slashCommand(service.url, 'start DEMO-001', undefined, undefined, { secret: 'not-the-secret' })).status).toBe(401);
    expect((await slashCommand(service.url, 'start DEMO-001', undefined, undefined, { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 })).status).toBe(401);
    const foreign = await slashCommand(service.url, 'start DEMO-001', 'U0DEMOHEAD', 'T0ELSEWHERE');
    expect(foreign.status).toBe(200);
    expect(foreign.body.text).toContain('only help staff');
    const stranger = await slashCommand(service.url, 'my cases', 'U0STRANGER');
    expect(stranger.body.text).toContain('only help staff');
    expect(await auditRows()).toBe(rows);
    expect(slack.calls.slice(calls).filter((c) => c.method.startsWith('views.') || c.method === 'chat.postMessage')).toEqual([]);
    expect((await peapContext('DEMO-001')).every((p) => Object.keys(p.context.answers).length === 0)).toBe(true);
  });

  it('reads a case back with /peap status in the DM only: in a channel it says to ask in a personal chat, reading nothing', async () => {
    const [peap] = await peapContext('DEMO-001');
    const caseId = peap!.id;
    const rows = await auditRows();
    const calls = slack.calls.length;
    for (const text of [`status ${caseId}`, 'cases', 'check DEMO-010 2026-03-23 2']) {
      const refused = await slashCommand(service.url, text, undefined, undefined, { channelId: 'C0STAFFROOM' });
      expect(refused.body.response_type).toBe('ephemeral');
      expect(blocksText(refused.body.blocks)).toMatch(/I only talk about pupils and cases in a personal chat/);
      expect(JSON.stringify(refused.body)).not.toMatch(/DEMO-0|peap-/);
    }
    expect(await auditRows()).toBe(rows);
    expect(slack.calls.slice(calls).filter((c) => c.method.startsWith('views.') || c.method === 'chat.postMessage')).toEqual([]);

    const read = await slashCommand(service.url, `status ${caseId}`);
    expect(read.body.response_type).toBe('ephemeral');
    const text = blocksText(read.body.blocks);
    expect(text).toContain(`Case ${caseId}`);
    expect(text).toContain('Pre-exclusion assessment — DEMO-001');
    expect(text).toContain('*Timeline*');
    // Slack's credentials and no WORKSPACE_URL: nobody can sign in to this service's workspace, so no link leads there.
    expect(text).not.toContain('/workspace/');
  });

  it('keeps one case and one audit trail when a head answers half in Teams and half in Slack', async () => {
    // In Teams: start DEMO-001's PEAP and answer three questions.
    const conversation = 'a:demo-head-teams';
    const start = messageActivity(teamsHead, connector.url, conversation, 'start peap DEMO-001');
    await post(service.url, start);
    let card = cardOf((await connector.waitForReplyTo(start.id)).activity);
    for (let i = 0; i < 3; i++) {
      card = (await post(service.url, executeActivity(teamsHead, connector.url, conversation, 'c', 'peap.answer', { ...actionData(card, 'peap.answer'), answer: answerFor(card, 'answered in Teams') }))).body.value;
    }
    expect(cardText(card)).toContain('question 4 of');

    // In Slack: the same head carries on at question 4.
    const before = slack.calls.length;
    await slashCommand(service.url, 'start DEMO-001');
    const opened = await slack.waitForCall('views.open', before);
    expect(blocksText(opened.args.view.blocks)).toContain('Question 4 of');
    const { review } = await answerAll(opened.args.view);
    const done = await interaction(
      service.url,
      viewSubmission(review, {
        decision: { value: { type: 'radio_buttons', selected_option: { value: 'no-exclusion-support-plan' } } },
        rationale: { value: { type: 'plain_text_input', value: 'Agreed.' } },
        followUpDate: { value: { type: 'datepicker', selected_date: '2026-05-01' } },
      }),
    );
    expect(blocksText(done.body.view.blocks)).toContain('Decision recorded · pupil DEMO-001');

    const peaps = await peapContext('DEMO-001');
    expect(peaps).toHaveLength(1);
    expect(peaps[0]!.state).toBe('decided');
    expect(peaps[0]!.context.answers['exclusion.details']?.value).toContain('DEMO-001-X1'); // confirmed in Teams
    expect(peaps[0]!.context.answers['pupil-voice.likes']?.value).toBe('An answer given in Slack');

    await withStore(db, async (store) => {
      const events = (await store.audit.entriesFor(peaps[0]!.id)).filter((r) => r.action === 'event' && r.actor === 'demo-head');
      expect(events.map((e) => e.event)).toContain('DECIDE');
      expect(events.filter((e) => e.event === 'ANSWER' || e.event === 'SCHEDULE_MEETING').length).toBe(Object.keys(peaps[0]!.context.answers).length + 1);
      expect((await store.audit.verify()).ok).toBe(true);
    });
  });
});
