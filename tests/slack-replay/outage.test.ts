/**
 * One channel's outage stops nothing else: the running service with Slack's Web API hanging (it
 * never answers), and again answering 503, from the start. Teams prompts and a deadline's
 * reminder still reach the head in Teams within a few seconds; `/healthz` says Slack is backing
 * off (and the service is ok); Slack is not called once it backs off; and SIGTERM, with a Slack
 * call in flight, ends the service within a bound. On SQLite, and on PostgreSQL when there is a
 * server (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeConnector, type FakeConnector, type SentActivity } from '../support/fakeConnector.js';
import { startFakeSlackApi, type FakeSlackApi, type SlackBehaviour } from '../support/fakeSlackApi.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase } from '../support/stores.js';
import { SIGNING_SECRET, slashCommand } from '../support/slackRequests.js';
import { cardOf, cardText, elements, executeActivity, installActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from '../teams-replay/teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const conversation = 'a:demo-head-personal-chat';
/** Each send waits this long at most (SEND_TIMEOUT_SECONDS). */
const SEND_TIMEOUT_SECONDS = 3;
/** What "on time" means here for a Teams message while Slack is dead: sooner than one Slack send's timeout. */
const ON_TIME_MS = 2_500;
/** SIGTERM ends the service within this, a Slack call hanging meanwhile. */
const STOPS_WITHIN_MS = 10_000;

type Health = { status: string; channels: { name: string; state: string; failures: number; retryAt?: string }[] };
const health = async (url: string): Promise<{ status: number; body: Health }> => {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Health };
};
const cardTextOf = (a: SentActivity) => (a.activity.attachments?.length ? cardText(cardOf(a.activity)) : '');

/** Waits for the first activity after `from` that `matches`, and how long it took since `since`. */
async function sentAfter(connector: FakeConnector, from: number, matches: (a: SentActivity) => boolean, since: number, timeoutMs = 15_000): Promise<{ sent: SentActivity; ms: number }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const sent = connector.sent.slice(from).find(matches);
    if (sent) return { sent, ms: Date.now() - since };
    if (Date.now() > until) throw new Error(`nothing matching in ${timeoutMs} ms; the bot sent:\n${connector.sent.slice(from).map((a) => cardTextOf(a).split('\n')[0] || a.activity.type).join('\n')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const cases = backends().flatMap((backend) => (['hang', '503'] as SlackBehaviour[]).map((behaviour) => [backend, behaviour] as const));

describe.each(cases)('a dead Slack stops nothing else (%s store, Slack answering: %s)', (backend, behaviour) => {
  let slack: FakeSlackApi;
  let connector: FakeConnector;
  let service: ServiceProcess;

  beforeAll(async () => {
    slack = await startFakeSlackApi(behaviour);
    connector = await startFakeConnector();
    const dir = dataDir('bot-outage-');
    const db = await serviceDatabase(backend, dir, 'outage');
    service = await startService(dir, {
      ...db.env,
      DEMO: 'on',
      // Teams without tokens beside Slack, on loopback (a Slack-configured service closes Teams otherwise).
      TEAMS_LOCAL: 'on',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.url,
      SLACK_ALLOWED_TEAMS: 'T0DEMO',
      SEND_TIMEOUT_SECONDS: String(SEND_TIMEOUT_SECONDS),
    });
  });
  afterAll(async () => {
    if (service?.child.exitCode === null) await service.stop();
    await slack?.close();
    await connector?.close();
  });

  it("sends the head's Teams prompts at once when they install the app while Slack holds the same messages up", async () => {
    // The demo's prompts are being sent: Slack's first call is not answered (or fails) meanwhile.
    while (!slack.calls.some((c) => c.method === 'conversations.open')) await new Promise((r) => setTimeout(r, 10));
    const from = connector.sent.length;
    const started = Date.now();
    await post(service.url, installActivity(head, connector.url, conversation));
    const { sent, ms } = await sentAfter(connector, from, (a) => /\d+ cases have opened for your school/.test(cardTextOf(a)), started);
    expect(sent.conversationId).toBe(conversation);
    console.log(`[outage ${backend}/${behaviour}] Teams digest ${ms} ms after install, Slack dead`);
    expect(ms).toBeLessThan(ON_TIME_MS);
  });

  it('backs off from Slack after a few failed sends, says so in /healthz, and stays healthy', async () => {
    const until = Date.now() + 30_000;
    let seen = await health(service.url);
    while (seen.body.channels.find((c) => c.name === 'slack')?.state !== 'backing-off') {
      if (Date.now() > until) throw new Error(`Slack is not backing off after 30 s: ${JSON.stringify(seen.body)}`);
      await new Promise((r) => setTimeout(r, 100));
      seen = await health(service.url);
    }
    expect(seen.status).toBe(200);
    expect(seen.body.status).toBe('ok');
    const slackHealth = seen.body.channels.find((c) => c.name === 'slack')!;
    expect(slackHealth.failures).toBeGreaterThanOrEqual(3);
    expect(Date.parse(slackHealth.retryAt!)).toBeGreaterThan(Date.now());
    expect(seen.body.channels.find((c) => c.name === 'teams')).toEqual({ name: 'teams', state: 'ok', failures: 0 });
    expect(service.logs.some((l) => l.includes('"msg":"slack: backing off after repeated failures'))).toBe(true);

    // While it backs off, Slack is not called for the outbox at all (once the client's one retry
    // of a call abandoned at its timeout has been and gone).
    await new Promise((r) => setTimeout(r, SEND_TIMEOUT_SECONDS * 1000 + 1_500));
    const calls = slack.calls.length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(slack.calls.length).toBe(calls);
  });

  it('sends the reminder of a deadline that falls due (notices of a suspension recorded today) to Teams within a few seconds', async () => {
    // The head checks and records a suspension that starts today: its notices fall due at once.
    const check = messageActivity(head, connector.url, conversation, 'check suspension DEMO-010 20/03/2026 6');
    await post(service.url, check);
    const checkCard = cardOf((await connector.waitForReplyTo(check.id)).activity);
    const button = (card: ReturnType<typeof cardOf>, title: string) => {
      const found = elements(card).find((e) => e.type === 'Action.Execute' && e.title === title);
      if (!found) throw new Error(`no "${title}" button:\n${cardText(card)}`);
      return { verb: String(found.verb), data: found.data as Record<string, unknown> };
    };
    const press = async (b: { verb: string; data: Record<string, unknown> }, inputs: Record<string, unknown> = {}) => {
      const res = await post(service.url, executeActivity(head, connector.url, conversation, 'check-card', b.verb, { ...b.data, ...inputs }));
      expect(res.status).toBe(200);
      return res.body.value as ReturnType<typeof cardOf>;
    };
    const form = await press(button(checkCard, 'Record this suspension'));
    const inputs: Record<string, string> = {};
    for (const e of elements(form)) if (typeof e.type === 'string' && e.type.startsWith('Input.') && typeof e.id === 'string') inputs[e.id] = e.value === undefined || e.value === null ? '' : String(e.value);
    const from = connector.sent.length;
    const started = Date.now();
    const recorded = await press(button(form, 'Record the exclusion'), { ...inputs, reason1: 'PA' });
    expect(cardText(recorded)).toContain('Recorded.');

    const { ms } = await sentAfter(connector, from, (a) => /^Reminder · Suspension — DEMO-010/.test(cardTextOf(a)), started);
    console.log(`[outage ${backend}/${behaviour}] deadline reminder in Teams ${ms} ms after the head pressed Record, Slack dead`);
    expect(ms).toBeLessThan(ON_TIME_MS);
  });

  it('stops on SIGTERM within a bound while a Slack call hangs or fails', async () => {
    // A head in Slack starts a PEAP: the service calls Slack (Bolt's auth.test first), which does not answer well.
    const calls = slack.calls.length;
    const pending = slashCommand(service.url, 'start DEMO-003').catch(() => undefined);
    while (slack.calls.length === calls) await new Promise((r) => setTimeout(r, 10));
    const started = Date.now();
    const code = await service.stop();
    const ms = Date.now() - started;
    console.log(`[outage ${backend}/${behaviour}] SIGTERM to exit ${ms} ms (exit ${code})`);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(STOPS_WITHIN_MS);
    expect(service.logs.at(-1)).toContain('"msg":"stopped"');
    await pending;
  });
});
