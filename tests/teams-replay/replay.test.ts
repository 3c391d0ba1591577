/**
 * The Teams bot over HTTP, as Teams talks to it: real-shape activities (install, messages,
 * `adaptiveCard/action` invokes, `Action.Submit` fallbacks) posted to the running service's
 * `/api/messages`, with `serviceUrl` pointing at a fake connector on loopback that records what
 * the bot sends. Then: with an app id, a request without a token is refused; a tenant off the
 * allow-list gets nothing. All of it with the service on SQLite, and on PostgreSQL when there is
 * a server (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, installActivity, messageActivity, submitActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

/** The demo head, as Agents Playground and Teams identify them. */
const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const stranger: TeamsUser = { id: '29:stranger', name: 'Someone Else', aadObjectId: '11111111-2222-3333-4444-555555555555' };

/** The service on a fresh database of this kind, in a folder of its own. */
async function startOn(backend: 'sqlite' | 'postgres', env: Record<string, string> = {}): Promise<{ service: ServiceProcess; db: ServiceDatabase }> {
  const dir = dataDir();
  const db = await serviceDatabase(backend, dir, 'teams');
  return { service: await startService(dir, { ...db.env, ...env }), db };
}

describe.each(backends())('the Teams bot over HTTP, in local mode (%s store)', (backend) => {
  let connector: FakeConnector;
  let service: ServiceProcess;
  let db: ServiceDatabase;
  const conversation = 'a:demo-head-personal-chat';

  beforeAll(async () => {
    connector = await startFakeConnector();
    ({ service, db } = await startOn(backend));
  });
  afterAll(async () => {
    await service?.stop();
    await connector?.close();
  });

  /** Sends a message and returns the bot's reply to it (proactive messages may arrive in between). */
  const say = async (text: string, user = head) => {
    const activity = messageActivity(user, connector.url, conversation, text);
    const res = await post(service.url, activity);
    expect(res.status).toBe(200);
    return connector.waitForReplyTo(activity.id);
  };
  const press = async (replyToId: string, verb: string, data: Record<string, unknown>) => {
    const res = await post(service.url, executeActivity(head, connector.url, conversation, replyToId, verb, data));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    return res.body.value as Record<string, unknown>;
  };

  it('greets the head on install with what it can do, then sends the cases waiting for them as one card', async () => {
    await post(service.url, installActivity(head, connector.url, conversation));
    const [welcome] = await connector.waitFor(1);
    expect(welcome!.conversationId).toBe(conversation);
    expect(cardText(cardOf(welcome!.activity))).toContain('Before Exclusion');
    expect(() => actionData(cardOf(welcome!.activity), 'cases.mine')).not.toThrow();
    // The demo's cases opened before the head was reachable: one digest, sent unprompted.
    const sent = await connector.waitFor(2);
    const digest = cardText(cardOf(sent[1]!.activity));
    expect(digest).toMatch(/\d+ cases have opened for your school/);
    // A page of them, PEAPs first, in words, with the way to the rest.
    expect(digest).toMatch(/Pre-exclusion assessment — DEMO-\d{3}/);
    expect(digest).toMatch(/PEAPs first\. \d+ more are in your cases\./);
  });

  it('walks the head through a whole PEAP with Action.Execute, card by card, and saves every answer', async () => {
    let card = cardOf((await say('start peap DEMO-003')).activity);
    // The rules opened it (the pupil is flagged at risk): starting again carries on with that case.
    expect(cardText(card)).toContain('Pupil DEMO-003 already has a pre-exclusion assessment in progress');
    const progress: string[] = [];
    let first: Record<string, unknown> | undefined;
    while (/question \d+ of \d+/.test(cardText(card))) {
      progress.push(cardText(card).match(/question (\d+ of \d+)/)![1]!);
      const data = { ...actionData(card, 'peap.answer'), answer: answerFor(card) };
      first ??= data;
      card = await press('card-1', 'peap.answer', data);
    }
    expect(progress[0]).toMatch(/^1 of /);
    expect(progress.length).toBeGreaterThanOrEqual(14);
    expect(cardText(card)).toContain('Review before the decision · pupil DEMO-003');

    // A card pressed again after the case moved on saves nothing twice.
    expect(cardText(await press('card-1', 'peap.answer', first!))).toMatch(/already saved|out of date/);

    const decide = actionData(card, 'peap.decide');
    card = await press('card-1', 'peap.decide', { ...decide, decision: 'no-exclusion-support-plan', rationale: 'A support plan with a key adult; review in six weeks.', followUpDate: '2026-05-01' });
    expect(cardText(card)).toContain('Decision recorded · pupil DEMO-003');

    const peap = await withStore(db, async (store) => {
      const [found, ...others] = (await store.cases.list(SYSTEM, { pupilId: 'DEMO-003' })).filter((c) => c.kind === 'peap');
      expect(others).toEqual([]);
      return store.cases.get(SYSTEM, found!.id, 'peap');
    });
    const context = peap.context;
    expect(peap.state).toBe('decided');
    expect(context.meetingDate).toBe('2026-03-25');
    expect(Object.keys(context.answers)).toEqual(expect.arrayContaining(['pupil-voice.likes', 'head.factors-considered', 'support.exhausted', 'exclusion.details', 'pupil.needs']));
    expect(context.answers['pupil.needs']?.value).toContain('SEND:');
    expect(context.decision).toMatchObject({ decision: 'no-exclusion-support-plan', followUpDate: '2026-05-01', by: 'demo-head' });
  });

  it('with the Action.Submit fallback, turns the pressed card into a receipt and sends the next question', async () => {
    const sent = await say('start peap DEMO-001');
    const card = cardOf(sent.activity);
    expect(cardText(card)).toContain('question 1 of');
    const submit = submitActivity(head, connector.url, conversation, 'pressed-card-7', { ...actionData(card, 'peap.answer'), answer: '2026-03-24' });
    const res = await post(service.url, submit);
    expect(res.status).toBe(200);
    const next = await connector.waitForReplyTo(submit.id);
    const update = connector.sent.find((a) => a.method === 'PUT' && a.activityId === 'pressed-card-7');
    expect(JSON.stringify(update?.activity)).not.toContain('Action.Execute');
    expect(cardText(cardOf(next!.activity))).toContain('question 2 of');
    // The exclusions that fired the trigger are pre-filled for the head to confirm.
    expect(cardText(cardOf(next!.activity))).toContain('From the record');
    expect(JSON.stringify(cardOf(next!.activity))).toContain('DEMO-001-X2');
  });

  it('shows the duties and dates of a proposed suspension before the head decides, and refuses one past 45 days', async () => {
    const refused = cardText(cardOf((await say('check suspension DEMO-010 2026-03-23 40')).activity));
    expect(refused).toContain('REFUSED');
    expect(refused).toContain('45');
    const allowed = cardText(cardOf((await say('check suspension DEMO-003 2026-03-23 6')).activity));
    expect(allowed).toContain('Allowed by the 45-day limit');
    expect(allowed).toMatch(/notify the local authority/i);
  });

  it('reports its health, and its logs carry no answer a head gave', async () => {
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', mode: 'local', schoolDate: '2026-03-20', channels: [{ name: 'teams', state: 'ok', failures: 0 }] });
    const logs = service.logs.join('\n');
    expect(logs).toContain('"msg":"teams: turn"');
    expect(logs).not.toMatch(/An answer given in the test|A support plan with a key adult|SEND:/);
    for (const line of service.logs) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('answers an unknown Teams user politely and with nothing else', async () => {
    const reply = await say('my cases', stranger);
    const text = cardText(cardOf(reply.activity));
    expect(text).toContain('only help staff');
    expect(text).not.toMatch(/DEMO-|case/i);
  });
});

describe.each(backends())('the Teams bot over HTTP, secured (%s store)', (backend) => {
  it('refuses a request without a Bot Framework token when an app id is configured', async () => {
    const connector = await startFakeConnector();
    const { service } = await startOn(backend, { MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'not-a-real-secret' });
    try {
      const res = await post(service.url, messageActivity(head, connector.url, 'a:c', 'my cases'));
      expect(res.status).toBe(401);
      await new Promise((r) => setTimeout(r, 500));
      expect(connector.sent).toHaveLength(0);
    } finally {
      await service.stop();
      await connector.close();
    }
  });

  it('says nothing to a tenant that is not on the allow-list', async () => {
    const connector = await startFakeConnector();
    const { service } = await startOn(backend, { TEAMS_ALLOWED_TENANTS: 'aaaaaaaa-0000-0000-0000-000000000001' });
    try {
      const outsider = { ...head, tenantId: 'bbbbbbbb-0000-0000-0000-000000000002' };
      await post(service.url, messageActivity(outsider, connector.url, 'a:c', 'my cases'));
      await new Promise((r) => setTimeout(r, 1000));
      expect(connector.sent).toHaveLength(0);
      const insider = { ...head, tenantId: 'aaaaaaaa-0000-0000-0000-000000000001' };
      await post(service.url, messageActivity(insider, connector.url, 'a:c', 'my cases'));
      expect(cardText(cardOf((await connector.waitFor(1))[0]!.activity))).toContain('Your open cases');
    } finally {
      await service.stop();
      await connector.close();
    }
  });
});

describe.each(backends())('stopping the service (%s store)', (backend) => {
  it('finishes a turn in flight on SIGTERM, then exits cleanly', async () => {
    const slowConnector = await startFakeConnector(800);
    const { service } = await startOn(backend);
    try {
      const message = messageActivity(head, slowConnector.url, 'a:c', 'my cases');
      const pending = post(service.url, message);
      while (slowConnector.answering() === 0) await new Promise((r) => setTimeout(r, 10)); // the bot's reply is waiting on the connector
      const exited = service.stop();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(cardText(cardOf((await slowConnector.waitForReplyTo(message.id)).activity))).toContain('Your open cases');
      expect(await exited).toBe(0);
      expect(service.logs.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      await slowConnector.close();
    }
  });
});
