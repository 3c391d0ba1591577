/**
 * The edges of authentication, against the service as `pnpm start` runs it: each refusal with its
 * status code and whole body. Local mode only on loopback; a Slack-only production deployment
 * starts and closes Teams rather than serving it without tokens; every refused Teams token is 401
 * with a fixed body (never botbuilder's error text, which names internal URLs); an activity
 * without a type is 400; Slack's routes refuse an oversized body before reading it, a replayed
 * signed request, and a timestamp from the future.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { dataDir, root, SERVICE_ANCHOR_KEY, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { SIGNING_SECRET, signedPost } from '../support/slackRequests.js';
import { messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from '../teams-replay/teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const APP_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
const SESSION_SECRET = 'x'.repeat(32);

const running: ServiceProcess[] = [];
let connector: FakeConnector;
beforeAll(async () => {
  connector = await startFakeConnector();
});
afterAll(async () => {
  for (const s of running) if (s.child.exitCode === null) await s.stop();
  await connector.close();
});
const started = async (env: Record<string, string>) => {
  const s = await startService(dataDir('auth-'), env);
  running.push(s);
  return s;
};
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** Internal text botbuilder's errors carried: URLs, host names, DNS and socket errors, stack frames. */
const INTERNAL = /https?:|botframework|microsoftonline|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo|\bat \w+ \(/i;

describe('local mode only on loopback', () => {
  it('refuses to start on a non-loopback HOST without credentials, saying why', () => {
    const r = spawnSync(process.execPath, [join(root, 'packages/bot/dist/main.js')], { cwd: dataDir('auth-host-'), env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '0.0.0.0' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'the service cannot start with these settings:\n  - HOST is 0.0.0.0, not a loopback address: without MicrosoftAppId (or Slack or OpenID Connect credentials) the bot takes requests without a token, so it listens on this computer only — set HOST=127.0.0.1, or configure the credentials\n',
    );
  });
});

describe('a Slack-only production deployment', () => {
  it('starts without a Microsoft App ID, and refuses POST /api/messages (404) rather than serving it unauthenticated', async () => {
    const service = await started({ NODE_ENV: 'production', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', WORKSPACE_SESSION_SECRET: SESSION_SECRET, DEMO: 'on', SCHOOL_DATE: '2026-03-20' });
    expect(service.logs.join('\n')).toContain('(Teams off: no Microsoft App ID)');
    // The demo head, asking for their cases: no case list, and nothing reaches the connector.
    const asked = messageActivity(head, connector.url, 'a:slack-only', 'my cases');
    const res = await post(service.url, asked);
    expect(res).toEqual({ status: 404, body: { error: 'Teams is not set up on this service' } });
    await new Promise((r) => setTimeout(r, 300));
    expect(connector.sent.filter((s) => s.conversationId === 'a:slack-only')).toEqual([]);
  });
});

describe('Teams with a Microsoft App ID: every refused request has a fixed status and body', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await started({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret' });
  });
  const activity = () => messageActivity(head, connector.url, 'a:auth', 'my cases');

  it('no token: 401 {"error":"unauthorized"}', async () => {
    expect(await post(service.url, activity())).toEqual({ status: 401, body: { error: 'unauthorized' } });
  });

  it('an alg=none token: 401, the same body', async () => {
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ aud: APP_ID, iss: 'https://api.botframework.com', serviceurl: connector.url, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    const res = await post(service.url, activity(), { authorization: `Bearer ${none}` });
    expect(res).toEqual({ status: 401, body: { error: 'unauthorized' } });
  });

  it("a token signed with another key under Microsoft's key id, whose keys are out of reach here: 401, the same body, nothing internal", async () => {
    const header = b64url({ alg: 'RS256', typ: 'JWT', kid: 'KeyIdOfTheRealSigningKey' });
    const claims = b64url({ aud: APP_ID, iss: 'https://api.botframework.com', serviceurl: connector.url, nbf: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) + 600 });
    const forged = `${header}.${claims}.${createHmac('sha256', 'not-microsoft').update(`${header}.${claims}`).digest('base64url')}`;
    const res = await post(service.url, activity(), { authorization: `Bearer ${forged}` });
    expect(res).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect(JSON.stringify(res.body)).not.toMatch(INTERNAL);
  });

  it('an activity without a type: 400 {"error":"an activity with a type is expected"}', async () => {
    const { type: _type, ...untyped } = activity();
    expect(await post(service.url, untyped)).toEqual({ status: 400, body: { error: 'an activity with a type is expected' } });
    expect(await post(service.url, untyped, { authorization: 'Bearer x.y.z' })).toEqual({ status: 400, body: { error: 'an activity with a type is expected' } });
  });
});

describe('Teams in local mode', () => {
  it('answers an activity without a type with 400, not 500', async () => {
    const service = await started({});
    const { type: _type, ...untyped } = messageActivity(head, connector.url, 'a:local', 'my cases');
    expect(await post(service.url, untyped)).toEqual({ status: 400, body: { error: 'an activity with a type is expected' } });
  });
});

describe("Slack's routes", () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await started({ SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: 'http://127.0.0.1:9/api/', AUDIT_ANCHOR_KEY: SERVICE_ANCHOR_KEY });
  });
  const challenge = (c: string) => JSON.stringify({ token: 'legacy', challenge: c, type: 'url_verification' });

  it('refuses a body over 1 MB with 413 before reading it or checking its signature, on every route', async () => {
    for (const route of ['/slack/events', '/slack/commands', '/slack/interactivity']) {
      const res = await fetch(`${service.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) });
      expect(res.status, route).toBe(413);
      expect(await res.text()).toBe('');
    }
  });

  it('takes a signed request once: the same signature again within the window is refused (401)', async () => {
    const body = challenge('first');
    const timestamp = Math.floor(Date.now() / 1000);
    expect(await signedPost(`${service.url}/slack/events`, body, 'application/json', { timestamp })).toEqual({ status: 200, body: { challenge: 'first' } });
    expect(await signedPost(`${service.url}/slack/events`, body, 'application/json', { timestamp })).toEqual({ status: 401, body: { error: 'unauthorized' } });
    // A new request (another timestamp, so another signature) is taken.
    expect((await signedPost(`${service.url}/slack/events`, body, 'application/json', { timestamp: timestamp - 1 })).status).toBe(200);
  });

  it('refuses a timestamp more than five minutes away, in the future as in the past (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await signedPost(`${service.url}/slack/events`, challenge('future'), 'application/json', { timestamp: now + 6 * 60 })).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect(await signedPost(`${service.url}/slack/events`, challenge('past'), 'application/json', { timestamp: now - 6 * 60 })).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect(await signedPost(`${service.url}/slack/events`, challenge('forged'), 'application/json', { secret: 'another-secret' })).toEqual({ status: 401, body: { error: 'unauthorized' } });
    expect((await signedPost(`${service.url}/slack/events`, challenge('skewed'), 'application/json', { timestamp: now + 60 })).status).toBe(200);
  });
});
