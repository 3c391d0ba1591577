/**
 * The statutory work of a suspension, over HTTP as Teams talks to the running service (the demo
 * school, on its school date, Friday 20 March 2026), with a fake Bot Connector on loopback:
 *
 * a head checks a suspension that starts today and runs to a sixth day, records it with two
 * reasons; when the scheduler sends the reminder that its notices are due, records the parents'
 * notice and the local authority's from the reminder's own buttons (`Action.Execute`, the card
 * replaced in place each time); records the education arranged from the sixth day; writes the
 * parents' letter as a PDF and opens the chat's link to it in the workspace, signed in — the
 * bytes downloaded are those whose SHA-256 the audit trail's `letter-made` row names. The pupil's
 * record, the case and the audit trail hold every step; the names typed for the letter reach no
 * audit row and no log line; and while the scheduler and the rules keep running, no reminder of
 * the notices comes again. On SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL).
 */
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceBrowser } from '../../packages/bot/src/testing/workspaceBrowser.js';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { sentActivityId, startFakeConnector, type FakeConnector, type SentActivity } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { actionData, cardOf, cardText, elements, executeActivity, installActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

/** The demo head, as Agents Playground and Teams identify them. */
const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const conversation = 'a:demo-head-personal-chat';

const PUPIL = 'DEMO-010';
/** The demo's school date: the suspension starts today, so its notices fall due at once. */
const TODAY = '2026-03-20';
/** Twelve sessions from Friday 20 March: six school days, the sixth Friday 27 March. */
const SESSIONS = 12;
const SIXTH_DAY = '2026-03-27';
/** Physical assault against an adult; damage (CBDS codes, equally weighted). */
const REASONS = ['PA', 'DM'] as const;
const PROVIDER = 'Larchwood Pupil Referral Unit';
const PROVIDER_ADDRESS = 'Larchwood Lane, Demo Town';
/** Names as a head types them for the letter: kept with the letter only. */
const TYPED = { pupilName: 'Peregrine Ashdown-Vale', parentNames: 'Morwenna Ashdown-Vale, Caspian Vale', address: '12 Quillon Terrace\nBramblecote\nBC4 7XY' };
const NAMES = ['Peregrine', 'Ashdown', 'Morwenna', 'Caspian', 'Quillon', 'Bramblecote', 'BC4 7XY'];
/** The rules run over every pupil this often (minutes) here, so that "the scheduler ran on" can be seen in the log. */
const EVALUATE_EVERY_MINUTES = '0.03';

type Card = ReturnType<typeof cardOf>;
interface Button {
  readonly verb: string;
  readonly data: Record<string, unknown>;
}

/** The `Action.Execute` with this title on a card: its verb and data. */
function buttonOn(card: Card, title: string): Button {
  const action = elements(card).find((e) => e.type === 'Action.Execute' && e.title === title);
  if (!action) throw new Error(`no "${title}" button on the card; it has: ${titlesOf(card).join(' | ')}\n${cardText(card)}`);
  return { verb: String(action.verb), data: action.data as Record<string, unknown> };
}

/** The titles of a card's `Action.Execute` buttons, in order. */
function titlesOf(card: Card): string[] {
  return elements(card)
    .filter((e) => e.type === 'Action.Execute')
    .map((e) => String(e.title));
}

/** A form card's inputs as Teams merges them into a pressed button's data: each a string, blank ones too. */
function inputsOf(card: Card): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const e of elements(card)) if (typeof e.type === 'string' && e.type.startsWith('Input.') && typeof e.id === 'string') inputs[e.id] = e.value === undefined || e.value === null ? '' : String(e.value);
  return inputs;
}

/**
 * A browser following a link to the workspace: a navigation, marked as coming from `site`, with the
 * session's cookies. Over node:http, which sends the Sec-Fetch headers as given (fetch puts its own
 * `Sec-Fetch-Mode: cors` in), and keeps the body's bytes as they came.
 */
function navigate(url: string, site: 'cross-site' | 'same-origin', cookie: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  const target = new URL(url);
  const headers = { cookie, 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(backends())('a suspension recorded and its statutory work done from Teams, over HTTP (%s store)', (backend) => {
  let connector: FakeConnector;
  let service: ServiceProcess;
  let db: ServiceDatabase;

  /** Filled in as the head goes. */
  let caseId = '';
  let reminderId = '';
  let letterUrl = '';
  let downloaded = '';
  let downloadedName = '';
  /** The card the reminder has become: each press replaces it in place. */
  let current: Card | undefined;

  beforeAll(async () => {
    connector = await startFakeConnector();
    const dir = dataDir('statutory-');
    db = await serviceDatabase(backend, dir, 'statutory');
    service = await startService(dir, { ...db.env, EVALUATE_EVERY_MINUTES });
    // The head installs the bot: greeted, and from then on reachable for reminders (the demo's backlog comes as one digest).
    await post(service.url, installActivity(head, connector.url, conversation));
    await connector.waitFor(2);
  });
  afterAll(async () => {
    await service?.stop();
    await connector?.close();
  });

  /** Sends a message and returns the bot's reply to it. */
  const say = async (text: string): Promise<SentActivity> => {
    const activity = messageActivity(head, connector.url, conversation, text);
    expect((await post(service.url, activity)).status).toBe(200);
    return connector.waitForReplyTo(activity.id);
  };
  /** Presses a button on the message `replyToId`; the card it is replaced with. */
  const press = async (replyToId: string, button: Button, inputs: Record<string, unknown> = {}): Promise<Card> => {
    const res = await post(service.url, executeActivity(head, connector.url, conversation, replyToId, button.verb, { ...button.data, ...inputs }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    return res.body.value as Card;
  };
  /** Fills in a form card (only inputs it has) and presses its button. */
  const submit = async (replyToId: string, form: Card, title: string, typed: Record<string, string> = {}): Promise<Card> => {
    const inputs = inputsOf(form);
    for (const id of Object.keys(typed)) expect(Object.keys(inputs), `an input "${id}" on the form`).toContain(id);
    return press(replyToId, buttonOn(form, title), { ...inputs, ...typed });
  };
  /**
   * The reminders sent unprompted about this case (its "See the case" button names it). Sent
   * unprompted, botbuilder posts them as replies to the continuation's own made-up id, so they are
   * told apart by what they say, not by where they were posted.
   */
  const remindersFor = (id: string): SentActivity[] =>
    connector.sent.filter((a) => {
      if (a.method !== 'POST' || !a.activity.attachments?.length) return false;
      const card = cardOf(a.activity);
      return cardText(card).startsWith('Reminder · ') && elements(card).some((e) => e.type === 'Action.Execute' && e.verb === 'case.status' && (e.data as { caseId?: unknown }).caseId === id);
    });

  it('checks a suspension from today that reaches a sixth day, and records it with two reasons: the case opens with a button per duty and letter', async () => {
    const check = await say(`check suspension ${PUPIL} 20/03/2026 ${SESSIONS}`);
    const checkId = sentActivityId(connector, check);
    let card = cardOf(check.activity);
    expect(cardText(card)).toContain(`Proposed suspension · pupil ${PUPIL}`);
    expect(cardText(card)).toContain('Allowed by the 45-day limit');
    expect(cardText(card)).toContain('Full-time education from the sixth school day — due Friday 27 Mar 2026');
    const record = buttonOn(card, 'Record this suspension');
    expect(record.data).toEqual({ verb: 'exclusion.form', pupilId: PUPIL, startDate: TODAY, sessions: String(SESSIONS) });

    card = await press(checkId, record);
    expect(cardText(card)).toContain(`Record the exclusion · pupil ${PUPIL}`);
    // The check's first day and length come filled in; a suspension, from the morning, no public exam missed.
    expect(inputsOf(card)).toMatchObject({ category: 'FIXD', startDate: TODAY, startSession: 'AM', sessions: String(SESSIONS), reason1: '', reason2: '', reason3: '', missesPublicExam: 'no' });

    card = await submit(checkId, card, 'Record the exclusion', { reason1: REASONS[0], reason2: REASONS[1] });
    expect(cardText(card)).toContain(`Recorded. The rules have run again for pupil ${PUPIL} and opened the case below with its duties and dates.`);
    const notice = buttonOn(card, 'Notice sent to the parents');
    caseId = String(notice.data.caseId);
    expect(notice.data).toEqual({ verb: 'duty.form', caseId, duty: 'notice', recipient: 'parents' });
    expect(titlesOf(card)).toEqual(
      expect.arrayContaining([
        'Notice sent to the parents',
        'Notice sent to the local authority',
        'Day-6 education arranged',
        'Cancel the exclusion',
        "Write the parents' notice of the suspension",
        "Write the local authority's notification",
      ]),
    );
  });

  it("sends the head a reminder that the notices are due, and the parents' and the local authority's notices are recorded from its buttons", async () => {
    expect(caseId).not.toBe('');
    const until = Date.now() + 15_000;
    while (remindersFor(caseId).length === 0) {
      if (Date.now() > until) throw new Error(`no reminder of case ${caseId} in 15 s; the bot sent:\n${connector.sent.map((a) => (a.activity.attachments?.length ? cardText(cardOf(a.activity)).split('\n')[0] : a.activity.type)).join('\n')}`);
      await sleep(50);
    }
    const [sent] = remindersFor(caseId);
    expect(sent!.conversationId).toBe(conversation);
    reminderId = sentActivityId(connector, sent!);
    const reminder = cardOf(sent!.activity);
    expect(cardText(reminder)).toMatch(new RegExp(`^Reminder · Suspension — ${PUPIL}`));
    expect(cardText(reminder)).toContain('Not every notice of the exclusion is recorded as sent.');
    // The notices still to send, and nothing else to record.
    const parents = buttonOn(reminder, 'Notice sent to the parents');
    const la = buttonOn(reminder, 'Notice sent to the local authority');
    expect(parents.data).toEqual({ verb: 'duty.form', caseId, duty: 'notice', recipient: 'parents' });
    expect(la.data).toEqual({ verb: 'duty.form', caseId, duty: 'notice', recipient: 'local-authority' });
    expect(titlesOf(reminder)).toEqual(['Notice sent to the parents', 'Notice sent to the local authority', 'Notice sent to the governing board', 'See the case']);

    let card = await press(reminderId, parents);
    expect(cardText(card)).toContain(`Notice sent to the parents · pupil ${PUPIL}`);
    expect(inputsOf(card)).toEqual({ method: 'letter', sentOn: TODAY });
    card = await submit(reminderId, card, 'Record the notice', { method: 'email' });
    expect(cardText(card)).toMatch(/^Recorded\.\n/);
    // The reminder, replaced in place by the case, still offers the local authority's notice as it did; the parents' no more.
    expect(buttonOn(card, 'Notice sent to the local authority')).toEqual(la);
    expect(titlesOf(card)).not.toContain('Notice sent to the parents');

    card = await press(reminderId, la);
    expect(cardText(card)).toContain(`Notice sent to the local authority · pupil ${PUPIL}`);
    card = await submit(reminderId, card, 'Record the notice', { method: 'portal' });
    expect(cardText(card)).toMatch(/^Recorded\.\n/);
    expect(titlesOf(card)).not.toContain('Notice sent to the local authority');
    current = card;
  });

  it('records the full-time education arranged from the sixth day', async () => {
    expect(current).toBeDefined();
    let card = await press(reminderId, buttonOn(current!, 'Day-6 education arranged'));
    expect(cardText(card)).toContain(`Full-time education from the sixth day · pupil ${PUPIL}`);
    expect(cardText(card)).toContain('Due from Friday 27 Mar 2026.');
    expect(inputsOf(card)).toEqual({ provider: '', address: '', from: SIXTH_DAY });
    card = await submit(reminderId, card, 'Record the provision', { provider: PROVIDER, address: PROVIDER_ADDRESS });
    expect(cardText(card)).toMatch(/^Recorded\.\n/);
    expect(titlesOf(card)).not.toContain('Day-6 education arranged');
    // The case's duties as the card words them: each met, when, how and by whom.
    const duties = cardText(card);
    expect(duties).toContain('notify the parents in writing, without delay — due Friday 20 Mar 2026: **on time** (Friday 20 Mar 2026 (email), recorded by demo-head)');
    expect(duties).toContain('notify the local authority in writing, without delay — due Friday 20 Mar 2026: **on time** (Friday 20 Mar 2026 (portal), recorded by demo-head)');
    expect(duties).toContain(`full-time education from the sixth day — due Friday 27 Mar 2026: **on time** (Friday 27 Mar 2026 (${PROVIDER}), recorded by demo-head)`);
    current = card;
  });

  it("writes the parents' letter as a PDF, and the chat's link opens it for the signed-in head: the bytes the audit trail's hash names", async () => {
    expect(current).toBeDefined();
    let card = await press(reminderId, buttonOn(current!, "Write the parents' notice of the suspension"));
    expect(cardText(card)).toContain(`Write the parents' notice of the suspension · pupil ${PUPIL}`);
    expect(inputsOf(card)).toMatchObject({ format: 'pdf' });
    card = await submit(reminderId, card, 'Write the letter', TYPED);
    expect(cardText(card)).toContain("Written: the parents' notice of the suspension");
    const open = elements(card).find((e) => e.type === 'Action.OpenUrl' && e.title === 'Open the letter');
    expect(open, cardText(card)).toBeDefined();
    letterUrl = String(open!.url);
    expect(letterUrl).toMatch(new RegExp(`^${service.url.replace(/[.]/g, '\\.')}/workspace/cases/${caseId}/letters/[A-Za-z0-9_-]+$`));
    const path = new URL(letterUrl).pathname;

    const browser = new WorkspaceBrowser(service.url);
    // Not signed in: to the sign-in page.
    const anonymous = await browser.get(letterUrl);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe('/workspace/sign-in');
    // The local trial's sign-in: the demo head from the staff list.
    const signIn = await browser.get('/workspace/sign-in');
    expect(signIn.status).toBe(200);
    expect((await browser.post('/workspace/sign-in', { staffId: 'demo-head' }, signIn, { origin: service.url })).status).toBe(303);
    expect(browser.signedInAs()).toBe('demo-head');
    // Followed from the chat, as a browser marks it (another site): the workspace's own page, with a link to go on.
    const fromChat = await navigate(letterUrl, 'cross-site', browser.cookies());
    expect(fromChat.status).toBe(403);
    const page = fromChat.body.toString();
    expect(page).toContain('Open this page from the workspace');
    expect(page).toContain(`href="${path}"`);
    // That link, from the workspace's own page: the letter itself.
    const res = await navigate(new URL(path, service.url).href, 'same-origin', browser.cookies());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/pdf/);
    expect(res.headers['cache-control']).toBe('no-store');
    const disposition = res.headers['content-disposition'] ?? '';
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+\.pdf"$/);
    downloadedName = disposition.match(/filename="([^"]+)"/)![1]!;
    const bytes = new Uint8Array(res.body);
    expect(res.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    downloaded = sha256(bytes);
    expect(cardText(card)).toContain(`${downloadedName} is kept with the case`);

    const made = await withStore(db, (store) => store.audit.entriesFor(caseId));
    const letterId = decodeURIComponent(path.split('/').at(-1)!);
    const madeRows = made.filter((r) => r.action === 'letter-made');
    expect(madeRows).toHaveLength(1);
    expect(madeRows[0]).toMatchObject({ actor: 'demo-head', data: { letterId, kind: 'parents-suspension', format: 'pdf', fileName: downloadedName, sha256: downloaded, bytes: bytes.length } });
  });

  it('holds every step in the pupil record, the case and the audit trail, and keeps the names typed for the letter out of the trail and the log', async () => {
    expect(downloaded).not.toBe('');
    const letterId = decodeURIComponent(new URL(letterUrl).pathname.split('/').at(-1)!);
    const { record, view, trail, recorded, verified } = await withStore(db, async (store) => ({
      record: await store.pupils.record(SYSTEM, PUPIL),
      view: await store.cases.get(SYSTEM, caseId, 'suspension'),
      trail: await store.audit.entriesFor(caseId),
      recorded: (await store.audit.entriesOf('exclusion-recorded')).filter((r) => (r.data as { pupilId?: unknown }).pupilId === PUPIL),
      verified: await store.audit.verify(),
    }));

    // The pupil's record: the exclusion, both reasons, as the head gave it.
    const exclusionId = view.context.exclusion.id;
    expect(exclusionId).toBe(TODAY);
    expect(record.exclusions.find((e) => e.id === exclusionId)).toMatchObject({ category: 'FIXD', startDate: TODAY, startSession: 'AM', sessions: SESSIONS, reasons: [...REASONS], missesPublicExam: false });

    // The case: each notice with how and when it went, and the provision.
    const c = view.context;
    expect(c.pupilId).toBe(PUPIL);
    expect(c.exclusion).toMatchObject({ id: exclusionId, category: 'FIXD', startDate: TODAY, sessions: SESSIONS });
    expect(c.notices.parents?.sent).toMatchObject({ by: 'demo-head', method: 'email', sentOn: TODAY });
    expect(c.notices['local-authority']?.sent).toMatchObject({ by: 'demo-head', method: 'portal', sentOn: TODAY });
    expect(c.provisionFrom).toBe(SIXTH_DAY);
    expect(c.provision).toMatchObject({ provider: PROVIDER, address: PROVIDER_ADDRESS, from: SIXTH_DAY, by: 'demo-head', late: false });
    expect(c.overdue).toContain('notices'); // the reminder came because none was recorded by then
    expect(view.deadlines.find((d) => d.key === 'notices')).toMatchObject({ dueDate: TODAY, status: 'fired' });

    // The audit trail: the exclusion recorded, each notice, the provision, the letter made and read — in that order.
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ actor: 'demo-head', role: 'headteacher', data: { pupilId: PUPIL, exclusionId, category: 'FIXD', startDate: TODAY, sessions: SESSIONS, reasons: [...REASONS], missesPublicExam: false } });
    const events = (type: string) => trail.filter((r) => r.action === 'event' && r.event === type);
    const notices = events('RECORD_NOTICE');
    expect(notices.map((r) => ({ actor: r.actor, data: r.data }))).toEqual([
      { actor: 'demo-head', data: { recipient: 'parents', method: 'email', sentOn: TODAY } },
      { actor: 'demo-head', data: { recipient: 'local-authority', method: 'portal', sentOn: TODAY } },
    ]);
    const provision = events('ARRANGE_PROVISION');
    expect(provision.map((r) => ({ actor: r.actor, data: r.data }))).toEqual([{ actor: 'demo-head', data: { provider: PROVIDER, address: PROVIDER_ADDRESS, from: SIXTH_DAY } }]);
    const made = trail.filter((r) => r.action === 'letter-made');
    const read = trail.filter((r) => r.action === 'letter-read');
    expect(made).toHaveLength(1);
    expect(made[0]!.data).toMatchObject({ letterId, sha256: downloaded });
    // Read once: the link followed signed out, and from another site, read nothing.
    expect(read).toHaveLength(1);
    expect(read[0]).toMatchObject({ actor: 'demo-head', data: { letterId, kind: 'parents-suspension', sha256: downloaded } });
    const opened = trail.find((r) => r.action === 'case-opened')!;
    const order = [recorded[0]!, opened, notices[0]!, notices[1]!, provision[0]!, made[0]!, read[0]!].map((r) => r.seq);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(verified).toMatchObject({ ok: true });

    // The names typed for the letter: in the letter only.
    const everywhere = JSON.stringify([trail, recorded]) + service.logs.join('\n');
    for (const name of NAMES) expect(everywhere).not.toContain(name);
  });

  it('sends no reminder of the notices again while the scheduler and the rules run on', async () => {
    expect(caseId).not.toBe('');
    expect(remindersFor(caseId)).toHaveLength(1);
    // Two more runs of the rules, on the same queue as the ticks (every 0.5 s): the scheduler has fired and sent what was due meanwhile.
    const evaluations = () => service.logs.filter((l) => l.includes('"msg":"rules evaluated"')).length;
    const from = evaluations();
    const until = Date.now() + 30_000;
    while (evaluations() < from + 2) {
      if (Date.now() > until) throw new Error('the rules did not run twice in 30 s');
      await sleep(100);
    }
    await sleep(1500); // and a few more ticks
    expect(remindersFor(caseId)).toHaveLength(1);

    const { reminders, deliveries } = await withStore(db, async (store) => ({
      reminders: (await store.outbox.entries({ kind: 'remind-deadline' })).filter((m) => m.caseId === caseId),
      deliveries: await store.outbox.deliveries(),
    }));
    // One reminder was queued for this case — its notices — sent once, to the head in Teams.
    expect(reminders).toHaveLength(1);
    expect(reminders[0]).toMatchObject({ payload: { deadline: 'notices' }, lastError: null });
    expect(reminders[0]!.sentAt).not.toBeNull();
    expect(deliveries.filter((d) => d.outboxId === reminders[0]!.id)).toEqual([{ outboxId: reminders[0]!.id, channel: 'teams', staffId: 'demo-head' }]);
    expect(service.logs.filter((l) => /"msg":"(tick failed|rules evaluation failed|teams: turn failed|teams: request failed)"/.test(l))).toEqual([]);
  });
});
