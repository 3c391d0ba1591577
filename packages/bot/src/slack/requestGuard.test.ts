/**
 * Slack's signed requests are taken once across instances: two services on one store (as
 * behind a load balancer) each guard their Slack routes with the store's shared claim, so a
 * request replayed to the other instance within the window is refused as it is on the first;
 * a different request is not.
 */
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { CaseStore } from '@before-exclusion/workflows';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../service/log.js';
import { BACKENDS, demoStore, openStore } from '../testing/fixtures.js';
import { slackRequestGuard } from './requestGuard.js';

const SECRET = 'test-signing-secret';
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** An instance: its own store connection, its guard on the shared claim, a route behind it. */
async function instance(store: CaseStore, now: () => number): Promise<string> {
  const app = express();
  const firstSeen = (signature: string, until: number) => store.leases.claimOnce(`slack-request:${signature}`, new Date(until * 1000), new Date(now() * 1000));
  app.post('/slack/events', ...slackRequestGuard(SECRET, quiet, { now, firstSeen }), (_req, res) => void res.status(200).send('ok'));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
}

function signed(body: string, ts: number): RequestInit {
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-signature': signature, 'x-slack-request-timestamp': String(ts) }, body };
}

describe.each(BACKENDS)('Slack requests across instances (%s store)', (backend) => {
  it('refuses a request replayed to another instance within the window, and only that request', async () => {
    let clock = 1_800_000_000;
    const now = () => clock;
    const { store, at } = await demoStore({ evaluate: false, backend });
    const other = await openStore(at);
    closers.push(() => store.close(), () => other.close());
    const [a, b] = [await instance(store, now), await instance(other, now)];

    const first = signed('{"type":"event_callback","n":1}', clock);
    expect((await fetch(a, first)).status).toBe(200);
    const replayed = await fetch(b, first);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ error: 'unauthorized' });
    expect((await fetch(a, first)).status).toBe(401);
    expect((await fetch(b, signed('{"type":"event_callback","n":2}', clock))).status).toBe(200);

    // Past the window the first is refused as too old; the same body sent anew is a new request.
    clock += 6 * 60;
    expect((await fetch(b, first)).status).toBe(401);
    expect((await fetch(a, signed('{"type":"event_callback","n":1}', clock))).status).toBe(200);
  });
});
