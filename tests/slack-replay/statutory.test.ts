/**
 * The statutory work of a suspension, finished through Slack's modals — the same flow as in Teams,
 * with signed requests as Slack sends them to the running service (the demo school, school date
 * Friday 20 March 2026) and a fake Slack Web API on loopback recording views.open, views.update
 * and chat.postMessage:
 *
 * 1. `/peap check DEMO-010 20/03/2026 12` in the app's DM: the assessment, with "Record this
 *    suspension"; pressing it opens the form modal (views.open, with the press's trigger id) with
 *    the check's first day and length in it.
 * 2. Submitted without a reason: the error comes back under the reason's block, and nothing is
 *    saved — no audit row, no exclusion on the pupil's record, no case.
 * 3. Submitted with two reasons: the modal becomes "Recorded." and the case, a button per duty.
 * 4. The service's scheduler fires the notices' deadline (the first day, notices unsent): the head
 *    gets a DM "Reminder · <case title>" with a button per notice; each button opens its form in a
 *    modal (views.open with that press's trigger id); the parents' and the local authority's
 *    notices are recorded from them.
 * 5. From the modal the last notice left, "Day-6 education arranged" updates the same modal
 *    (views.update, its view id and hash) to the provision's form; a missing provider is shown
 *    under its block; then it is recorded.
 * 6. "Write the parents' notice of the suspension" → its form → "Written: …" with a link to the
 *    letter in the workspace. The link gives nothing without a session; signed in (OpenID Connect:
 *    with Slack configured the workspace offers no staff list) it downloads the PDF, whose SHA-256
 *    is the audit trail's `letter-made` and `letter-read`. The names typed for it are in no audit
 *    row and no log line.
 * 7. The store, through the case store's façade: the pupil's record (both reasons), the case's
 *    context (each notice's method and date, the provision), the audit trail (exclusion-recorded,
 *    RECORD_NOTICE ×2, ARRANGE_PROVISION, letter-made, letter-read), the chain verified.
 * 8. Further scheduler ticks post no second notices reminder.
 *
 * On SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM, caseSummary, type CaseView } from '../../packages/workflows/dist/index.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackCall } from '../support/fakeSlackApi.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { auditRowsBesideDeliveries, serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { SIGNING_SECRET, blocksText, interaction, slashCommand, viewSubmission } from '../support/slackRequests.js';
import { buttonData, buttonPress, buttonTitles, inputBlock, modalState, type Entered } from '../support/slackModals.js';
import { CookieBrowser, FakeOidcProvider, freePort, oidcServiceEnv } from '../support/workspaceSignIn.js';

const PUPIL = 'DEMO-010';
const SCHOOL_DATE = '2026-03-20';
/** The exclusion's id: its first day (the pupil has no other starting then). */
const EXCLUSION_ID = SCHOOL_DATE;
const DM = 'D0DEMO';
/** Typed into the letter's form: kept with the letter only. */
const PUPIL_NAME = 'Sam Example-Pupil';
const PARENT_NAMES = 'Alex Example-Parent, Jo Example-Parent';

describe.each(backends())('the statutory work of a suspension through Slack modals, against the running service (%s store)', (backend) => {
  let slack: FakeSlackApi;
  let provider: FakeOidcProvider;
  let service: ServiceProcess;
  let db: ServiceDatabase;
  let workspaceUrl: string;

  // Carried from step to step, as the head goes.
  let recordForm: any;
  let caseId: string;
  let reminder: SlackCall;
  let afterNotices: any;
  let afterProvision: any;
  let letterLink: string;
  let letterId: string;
  let downloadedSha256: string;

  beforeAll(async () => {
    slack = await startFakeSlackApi();
    provider = await FakeOidcProvider.start();
    const port = await freePort();
    const dir = dataDir('bot-slack-statutory-');
    db = await serviceDatabase(backend, dir, 'slack_statutory');
    const oidc = oidcServiceEnv(provider, port);
    workspaceUrl = oidc.WORKSPACE_URL!;
    service = await startService(dir, {
      ...db.env,
      ...oidc,
      // With Slack credentials the demo school is loaded only when asked for.
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
    await provider?.close();
  });

  /** The rows requests wrote to the audit log (verified; the outbox's background deliveries left out). */
  const auditRows = () => auditRowsBesideDeliveries(db);
  /** This exclusion's suspension case, if it has opened. */
  const suspensionCase = () =>
    withStore(db, async (store) =>
      (await store.cases.list(SYSTEM, { pupilId: PUPIL })).find((c): c is CaseView<'suspension'> => c.kind === 'suspension' && c.context.exclusion.id === EXCLUSION_ID),
    );
  const exclusionOnRecord = () => withStore(db, async (store) => (await store.pupils.record(SYSTEM, PUPIL)).exclusions.find((e) => e.id === EXCLUSION_ID));

  /** Submits a modal with what the person entered (the rest as the modal drew it). */
  const submit = (view: any, entered: Entered = {}) => interaction(service.url, viewSubmission(view, modalState(view, entered)));

  /** Presses a button in a message; resolves with the modal the app opened for it (views.open with that press's trigger id). */
  async function pressForModal(blocks: any[], title: string, where: Parameters<typeof buttonPress>[2]): Promise<any> {
    const before = slack.calls.length;
    const press = buttonPress(blocks, title, where);
    expect((await interaction(service.url, press)).status).toBe(200);
    const opened = await slack.waitForCall('views.open', before);
    expect(opened.args.trigger_id).toBe(press.trigger_id);
    return opened.args.view;
  }

  /** Presses a button inside an open modal; resolves with the view the app replaced it with (views.update of that view). */
  async function pressInModal(view: any, title: string, viewId: string): Promise<any> {
    const before = slack.calls.length;
    const hash = `hash-${viewId}`;
    expect((await interaction(service.url, buttonPress(view.blocks, title, { modal: { view, id: viewId, hash } }))).status).toBe(200);
    const updated = await slack.waitForCall('views.update', before);
    expect(updated.args.view_id).toBe(viewId);
    expect(updated.args.hash).toBe(hash);
    expect(slack.calls.slice(before).filter((c) => c.method === 'views.open')).toEqual([]);
    return updated.args.view;
  }

  /** The DMs reminding the head of this case's notices. */
  const noticeReminders = () =>
    slack.calls.filter((c) => c.method === 'chat.postMessage' && blocksText(c.args.blocks).startsWith('Reminder · ') && JSON.stringify(c.args.blocks).includes(caseId) && blocksText(c.args.blocks).includes('Not every notice of the exclusion is recorded as sent'));

  it('checks the suspension in the DM, and "Record this suspension" opens the form in a modal with the first day and length from the check', async () => {
    const checked = await slashCommand(service.url, `check ${PUPIL} 20/03/2026 12`);
    expect(checked.status).toBe(200);
    expect(checked.body.response_type).toBe('ephemeral');
    const text = blocksText(checked.body.blocks);
    expect(text).toContain(`Proposed suspension · ${PUPIL}`);
    expect(text).toContain('Full-time education from the sixth school day — due Friday 27 Mar 2026');
    expect(buttonData(checked.body.blocks, 'Record this suspension')).toEqual({ verb: 'exclusion.form', pupilId: PUPIL, startDate: SCHOOL_DATE, sessions: '12' });

    recordForm = await pressForModal(checked.body.blocks, 'Record this suspension', { message: { channel: DM, ephemeral: true } });
    expect(recordForm.callback_id).toBe('form');
    expect(recordForm.title.text).toBe('Record the exclusion');
    expect(JSON.parse(recordForm.private_metadata)).toEqual({ verb: 'exclusion.record', pupilId: PUPIL });
    expect(inputBlock(recordForm, 'category').element.initial_option.value).toBe('FIXD');
    expect(inputBlock(recordForm, 'startDate').element).toMatchObject({ type: 'datepicker', initial_date: SCHOOL_DATE });
    expect(inputBlock(recordForm, 'sessions').element).toMatchObject({ type: 'number_input', initial_value: '12' });
    expect(inputBlock(recordForm, 'reason1')).toMatchObject({ optional: false, element: { type: 'static_select' } });
    expect(inputBlock(recordForm, 'reason1').element.initial_option).toBeUndefined();
  });

  it('shows "Choose at least one reason." under the reason when none is chosen, and saves nothing', async () => {
    const rows = await auditRows();
    const res = await submit(recordForm, { reason1: null, reason2: null, reason3: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ response_action: 'errors', errors: { reason1: 'Choose at least one reason.' } });
    expect(await auditRows()).toBe(rows);
    expect(await exclusionOnRecord()).toBeUndefined();
    expect(await suspensionCase()).toBeUndefined();
  });

  it('records the suspension with two reasons: the modal says "Recorded." and shows the case with a button per duty', async () => {
    const res = await submit(recordForm, { reason1: 'VA', reason2: 'DM' });
    expect(res.status).toBe(200);
    expect(res.body.response_action).toBe('update');
    const view = res.body.view;
    expect(view.callback_id).toBe('info');
    const text = blocksText(view.blocks);
    expect(text).toMatch(/^Recorded\. The rules have run again for pupil DEMO-010 and opened the case below/);

    const opened = await suspensionCase();
    expect(opened).toBeDefined();
    caseId = opened!.id;
    expect(text).toContain(`Case ${caseId} · school DEMO-SCH`);
    expect(text).toContain(caseSummary(opened!, SCHOOL_DATE).title);
    expect(buttonTitles(view.blocks)).toEqual(
      expect.arrayContaining(['Notice sent to the parents', 'Notice sent to the local authority', 'Notice sent to the governing board', 'Day-6 education arranged', "Write the parents' notice of the suspension"]),
    );
    expect(buttonData(view.blocks, 'Notice sent to the parents')).toEqual({ verb: 'duty.form', caseId, duty: 'notice', recipient: 'parents' });
    // Recorded as it happens: the notices are reminded of on the first day.
    expect(opened!.deadlines.find((d) => d.key === 'notices')).toMatchObject({ dueDate: SCHOOL_DATE });
    expect(opened!.deadlines.find((d) => d.key === 'provision')).toMatchObject({ dueDate: '2026-03-27', status: 'pending' });
  });

  it('reminds the head in a DM when the scheduler finds the notices unsent on the first day, and records the parents\' and the local authority\'s notices from its buttons', async () => {
    const title = caseSummary((await suspensionCase())!, SCHOOL_DATE).title;
    for (const until = Date.now() + 20_000; noticeReminders().length === 0; ) {
      if (Date.now() > until) throw new Error(`no notices reminder within 20 s; DMs: ${slack.calls.filter((c) => c.method === 'chat.postMessage').map((c) => blocksText(c.args.blocks).split('\n')[0]).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    reminder = noticeReminders()[0]!;
    expect(reminder.args.channel).toBe('D-U0DEMOHEAD');
    expect(reminder.args.text).toBe(`Reminder: ${title}`);
    expect(blocksText(reminder.args.blocks).split('\n')[0]).toBe(`Reminder · ${title}`);
    expect(buttonTitles(reminder.args.blocks)).toEqual(['Notice sent to the parents', 'Notice sent to the local authority', 'Notice sent to the governing board', 'See the case']);
    expect((await suspensionCase())!.deadlines.find((d) => d.key === 'notices')?.status).toBe('fired');

    // The parents' notice: the reminder's button opens its form in a modal.
    const where = { message: { channel: reminder.args.channel as string } };
    const parentsForm = await pressForModal(reminder.args.blocks, 'Notice sent to the parents', where);
    expect(parentsForm.callback_id).toBe('form');
    // Slack's 24 characters of a modal title: what submitting does; whom it concerns, in full in the modal.
    expect(parentsForm.title.text).toBe('Record the notice');
    expect(blocksText(parentsForm.blocks)).toContain('*Notice sent to the parents · pupil DEMO-010*');
    const revision = (await suspensionCase())!.revision;
    expect(JSON.parse(parentsForm.private_metadata)).toEqual({ verb: 'duty.record', caseId, duty: 'notice', revision, recipient: 'parents' });
    expect(inputBlock(parentsForm, 'method').element.initial_option.value).toBe('letter');
    expect(inputBlock(parentsForm, 'sentOn').element.initial_date).toBe(SCHOOL_DATE);
    const parents = await submit(parentsForm, { method: 'email' });
    expect(parents.body.response_action).toBe('update');
    expect(blocksText(parents.body.view.blocks)).toMatch(/^Recorded\./);
    expect(buttonTitles(parents.body.view.blocks)).not.toContain('Notice sent to the parents');
    expect(buttonTitles(parents.body.view.blocks)).toContain('Notice sent to the local authority');

    // The local authority's, from the same reminder.
    const laForm = await pressForModal(reminder.args.blocks, 'Notice sent to the local authority', where);
    expect(laForm.title.text).toBe('Record the notice');
    expect(blocksText(laForm.blocks)).toContain('*Notice sent to the local authority · pupil DEMO-010*');
    expect(JSON.parse(laForm.private_metadata)).toMatchObject({ verb: 'duty.record', caseId, duty: 'notice', recipient: 'local-authority', revision: revision + 1 });
    const la = await submit(laForm, { method: 'portal' });
    expect(la.body.response_action).toBe('update');
    afterNotices = la.body.view;
    expect(blocksText(afterNotices.blocks)).toMatch(/^Recorded\./);
    const left = buttonTitles(afterNotices.blocks);
    expect(left).not.toContain('Notice sent to the parents');
    expect(left).not.toContain('Notice sent to the local authority');
    expect(left).toContain('Notice sent to the governing board');
    expect(left).toContain('Day-6 education arranged');
  });

  it('arranges day-6 education from the case in the modal: its form replaces the modal, a missing provider is shown under its block, then it is recorded', async () => {
    const provisionForm = await pressInModal(afterNotices, 'Day-6 education arranged', 'V-after-notices');
    expect(provisionForm.callback_id).toBe('form');
    expect(blocksText(provisionForm.blocks)).toContain('Due from Friday 27 Mar 2026');
    expect(inputBlock(provisionForm, 'from').element.initial_date).toBe('2026-03-27');

    const rows = await auditRows();
    const missing = await submit(provisionForm, { provider: null });
    expect(missing.body).toEqual({ response_action: 'errors', errors: { provider: 'Please give provider.' } });
    expect(await auditRows()).toBe(rows + 1); // the form read the case back (audited); nothing recorded
    expect((await suspensionCase())!.context.provision).toBeUndefined();

    const arranged = await submit(provisionForm, { provider: 'Riverside Learning Centre', address: 'Unit 4, Mill Road, Demo Town' });
    expect(arranged.body.response_action).toBe('update');
    afterProvision = arranged.body.view;
    expect(blocksText(afterProvision.blocks)).toMatch(/^Recorded\./);
    expect(buttonTitles(afterProvision.blocks)).not.toContain('Day-6 education arranged');
  });

  it("writes the parents' notice from the modal, and its link downloads the letter only with a signed-in session; its SHA-256 is the audit trail's", async () => {
    const letterForm = await pressInModal(afterProvision, "Write the parents' notice of the suspension", 'V-after-provision');
    expect(letterForm.callback_id).toBe('form');
    expect(JSON.parse(letterForm.private_metadata)).toEqual({ verb: 'letter.make', caseId, kind: 'parents-suspension' });
    expect(inputBlock(letterForm, 'format').element.initial_option.value).toBe('pdf');
    const written = await submit(letterForm, { pupilName: PUPIL_NAME, parentNames: PARENT_NAMES, address: '12 Demo Street\nDemo Town\nDT1 1AA' });
    expect(written.body.response_action).toBe('update');
    const text = blocksText(written.body.view.blocks);
    expect(text).toContain("Written: the parents' notice of the suspension");
    const link = text.match(/<([^|>]+)\|Open the letter>/)?.[1];
    expect(link).toMatch(new RegExp(`^${workspaceUrl}/cases/${caseId}/letters/[A-Za-z0-9_-]+$`));
    letterLink = link!;
    letterId = decodeURIComponent(letterLink.split('/').at(-1)!);

    // No session: sent to sign in, the letter neither given nor read.
    const browser = new CookieBrowser();
    const refused = await browser.get(letterLink);
    expect(refused.status).toBe(303);
    expect(refused.location).toBe(`${workspaceUrl}/sign-in`);
    expect(refused.text()).not.toContain('%PDF');
    expect(await withStore(db, (store) => store.audit.entriesOf('letter-read'))).toEqual([]);

    // Signed in as the demo head (OpenID Connect), the link gives the letter.
    expect(await browser.signInWithOidc(workspaceUrl)).toBe(`${workspaceUrl}/cases`);
    const letter = await browser.get(letterLink);
    expect(letter.status).toBe(200);
    expect(letter.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(letter.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.pdf"$/);
    expect(letter.headers.get('cache-control')).toBe('no-store');
    expect(letter.body.subarray(0, 5).toString()).toBe('%PDF-');
    downloadedSha256 = createHash('sha256').update(letter.body).digest('hex');

    await withStore(db, async (store) => {
      const trail = await store.audit.entriesFor(caseId);
      const made = trail.filter((r) => r.action === 'letter-made');
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ actor: 'demo-head', data: { letterId, kind: 'parents-suspension', format: 'pdf', sha256: downloadedSha256, bytes: letter.body.length } });
      const read = trail.filter((r) => r.action === 'letter-read');
      expect(read).toHaveLength(1);
      expect(read[0]).toMatchObject({ actor: 'demo-head', data: { letterId, sha256: downloadedSha256 } });
      // The names typed for the letter are kept with it, never in the trail.
      const everything = JSON.stringify(await store.audit.entriesOf('letter-made')) + JSON.stringify(trail);
      for (const name of ['Sam Example-Pupil', 'Alex Example-Parent', 'Jo Example-Parent', '12 Demo Street']) expect(everything).not.toContain(name);
    });
    for (const name of ['Sam Example-Pupil', 'Alex Example-Parent', '12 Demo Street']) expect(service.logs.join('\n')).not.toContain(name);
  });

  it("holds it all in the store: the pupil's record with both reasons, each notice's method and date and the provision in the case, every step in the audit trail", async () => {
    expect(await exclusionOnRecord()).toEqual({ id: EXCLUSION_ID, category: 'FIXD', startDate: SCHOOL_DATE, startSession: 'AM', sessions: 12, reasons: ['VA', 'DM'], missesPublicExam: false, cancelled: false });

    const view = (await suspensionCase())!;
    expect(view.status).toBe('active');
    expect(view.context.notices.parents?.sent).toMatchObject({ method: 'email', sentOn: SCHOOL_DATE, by: 'demo-head' });
    expect(view.context.notices['local-authority']?.sent).toMatchObject({ method: 'portal', sentOn: SCHOOL_DATE, by: 'demo-head' });
    expect(view.context.notices['governing-board']).toEqual({ due: true });
    expect(view.context.provision).toMatchObject({ provider: 'Riverside Learning Centre', address: 'Unit 4, Mill Road, Demo Town', from: '2026-03-27', by: 'demo-head', late: false });
    expect(view.deadlines.find((d) => d.key === 'provision')?.status).toBe('cancelled');

    await withStore(db, async (store) => {
      const recorded = (await store.audit.entriesOf('exclusion-recorded')).filter((r) => (r.data as { pupilId?: string; exclusionId?: string }).pupilId === PUPIL && (r.data as { exclusionId?: string }).exclusionId === EXCLUSION_ID);
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ actor: 'demo-head', role: 'headteacher', data: { category: 'FIXD', startDate: SCHOOL_DATE, sessions: 12, reasons: ['VA', 'DM'] } });

      const trail = await store.audit.entriesFor(caseId);
      const byHead = trail.filter((r) => r.actor === 'demo-head' && (r.action === 'event' || r.action === 'letter-made' || r.action === 'letter-read'));
      expect(byHead.map((r) => r.event ?? r.action)).toEqual(['RECORD_NOTICE', 'RECORD_NOTICE', 'ARRANGE_PROVISION', 'letter-made', 'letter-read']);
      expect(byHead[0]!.data).toMatchObject({ recipient: 'parents', method: 'email', sentOn: SCHOOL_DATE });
      expect(byHead[1]!.data).toMatchObject({ recipient: 'local-authority', method: 'portal', sentOn: SCHOOL_DATE });
      expect(byHead[2]!.data).toMatchObject({ provider: 'Riverside Learning Centre', from: '2026-03-27' });
      expect((await store.audit.verify()).ok).toBe(true);
    });
  });

  it('posts no further notices reminder on later scheduler ticks', async () => {
    expect(noticeReminders()).toHaveLength(1);
    const before = slack.calls.length;
    // TICK_EVERY_SECONDS is 0.5: several ticks pass.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(noticeReminders()).toHaveLength(1);
    expect(slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args.blocks).includes(caseId))).toEqual([]);
    expect((await suspensionCase())!.deadlines.find((d) => d.key === 'notices')?.status).toBe('fired');
  });
});
