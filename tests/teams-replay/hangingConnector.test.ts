/**
 * A Bot Connector that takes the head's message and then never answers the reply: the turn ends
 * within the send timeout (SEND_TIMEOUT_SECONDS) instead of holding the request for as long as
 * the connector hangs; what the turn recorded is saved; the service keeps answering /healthz and
 * other heads' turns meanwhile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore } from '../support/stores.js';
import { messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
/** The connector answers each send after this: far longer than the service waits. */
const CONNECTOR_HANGS_MS = 60_000;

describe('Teams replies to a connector that hangs', () => {
  let service: ServiceProcess | undefined;
  let connector: FakeConnector | undefined;
  afterAll(async () => {
    await service?.stop();
    await connector?.close();
  });

  it('end the turn within the send timeout, keeping what it recorded, while the service answers others', async () => {
    const dir = dataDir('hang-');
    const db = await serviceDatabase('sqlite', dir, 'hang');
    connector = await startFakeConnector(CONNECTOR_HANGS_MS);
    service = await startService(dir, { ...db.env, SEND_TIMEOUT_SECONDS: '1' });
    const readsBefore = (await withStore(db, (s) => s.audit.entriesOf('case-list-read'))).length;

    const started = Date.now();
    const asking = post(service.url, messageActivity(head, connector.url, 'a:demo-head-personal-chat', 'my cases'));
    // Meanwhile the service answers.
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    await asking;
    expect(Date.now() - started).toBeLessThan(CONNECTOR_HANGS_MS / 4);
    // The reply was attempted (the connector got it) and the audited read was recorded.
    expect(connector.answering()).toBeGreaterThan(0);
    expect((await withStore(db, (s) => s.audit.entriesOf('case-list-read'))).length).toBe(readsBefore + 1);
    expect(service.logs.some((l) => l.includes('Teams did not answer within 1000 ms'))).toBe(true);
    expect((await withStore(db, (s) => s.cases.list(SYSTEM))).length).toBeGreaterThan(0);
  }, 40_000);
});
