/**
 * Slack answering for one person it cannot reach (`user_not_found`: they left the workspace) is
 * that person's failure, not Slack's: however many sends to them fail, the service does not back
 * off from Slack for everyone else — `/healthz` says Slack is ok — and Teams goes on as ever.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fakeSlackApi.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { SIGNING_SECRET } from '../support/slackRequests.js';
import { serviceDatabase } from '../support/stores.js';

let slack: FakeSlackApi;
let connector: FakeConnector;
let service: ServiceProcess;

beforeAll(async () => {
  slack = await startFakeSlackApi('user_not_found');
  connector = await startFakeConnector();
  const dir = dataDir('bot-recipient-');
  const db = await serviceDatabase('sqlite', dir, 'recipient');
  service = await startService(dir, { ...db.env, DEMO: 'on', TEAMS_LOCAL: 'on', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.url, SLACK_ALLOWED_TEAMS: 'T0DEMO' });
});
afterAll(async () => {
  await service?.stop();
  await slack?.close();
  await connector?.close();
});

it('keeps Slack open for everyone after repeated sends to a person Slack cannot find', async () => {
  // The demo head's prompts and reminders go to Slack, each refused for the person: more than the breaker's threshold (3).
  await expect.poll(() => slack.calls.filter((c) => c.method === 'conversations.open').length, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
  const health = (await (await fetch(`${service.url}/healthz`)).json()) as { status: string; channels: { name: string; state: string; failures: number }[] };
  expect(health.status).toBe('ok');
  expect(health.channels.find((c) => c.name === 'slack')).toMatchObject({ state: 'ok', failures: 0 });
  expect(service.logs.some((l) => l.includes('slack: backing off'))).toBe(false);
});
