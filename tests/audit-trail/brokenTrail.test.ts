/**
 * The running service on a broken audit trail: started on a store whose case snapshot was forged
 * (or whose anchor was deleted) it verifies the trail first, answers /healthz with 503 and the
 * reason (no paths), logs an alert, and writes nothing — an audited read in Teams included —
 * on SQLite, and on PostgreSQL when there is a server.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { forgeSnapshot } from '../support/attacker.js';
import { startFakeConnector } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from '../teams-replay/teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const officer: TeamsUser = { id: '29:demo-officer', name: 'Demo Officer', aadObjectId: '7b1e9c4d-2a3f-4e5b-9c6d-1f2a3b4c5d6e' };

async function health(url: string): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(`${url}/healthz`);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, text };
}

describe.each(backends())('the service on a broken audit trail (%s store)', (backend) => {
  const running: ServiceProcess[] = [];
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) await s.stop();
  });

  /** A service that has loaded the demo and run the rules, stopped; its database. */
  async function storeWithDemo(): Promise<{ dir: string; db: ServiceDatabase }> {
    const dir = dataDir('audit-');
    const db = await serviceDatabase(backend, dir, 'audit');
    const service = await startService(dir, db.env);
    running.push(service);
    expect(await health(service.url)).toMatchObject({ status: 200, body: { status: 'ok', audit: { status: 'verified' } } });
    await expect.poll(async () => (await withStore(db, (s) => s.cases.list(SYSTEM))).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await service.stop();
    return { dir, db };
  }

  /** Starts the service on `db`, checks it is unhealthy and writes nothing, however asked. */
  async function expectStoppedWrites(dir: string, db: ServiceDatabase, alert: RegExp): Promise<void> {
    const rowsBefore = (await withStore(db, (s) => s.audit.entriesOf('case-list-read'))).length;
    const connector = await startFakeConnector();
    const service = await startService(dir, db.env);
    running.push(service);
    const seen = await health(service.url);
    expect(seen).toMatchObject({ status: 503, body: { status: 'audit trail broken: writes stopped', audit: { status: 'broken', action: 'run "cases audit verify" on the server' } } });
    expect(seen.text).not.toContain(dir); // no internal paths
    expect(service.logs.some((l) => /"level":"error"/.test(l) && alert.test(l))).toBe(true);
    // An audited read in Teams (a head's case list) is a write: refused, nothing appended.
    const asked = messageActivity(head, connector.url, 'a:demo-head-personal-chat', 'my cases');
    await post(service.url, asked);
    expect(JSON.stringify((await connector.waitForReplyTo(asked.id)).activity)).toContain('Recording is paused: the audit trail failed its integrity check, so nothing from this was saved.');
    await service.stop();
    expect((await withStore(db, (s) => s.audit.entriesOf('case-list-read'))).length).toBe(rowsBefore);
  }

  it('reports a forged case snapshot: 503, an alert naming the case, no writes', async () => {
    const { dir, db } = await storeWithDemo();
    const [victim] = await withStore(db, (s) => s.cases.list(SYSTEM));
    await forgeSnapshot(db.url, victim!.id, (s) => ({ ...s, context: { ...(s.context as object), forged: true } }));
    await expectStoppedWrites(dir, db, new RegExp(`ALERT the audit trail does not verify, writes are stopped: case ${victim!.id} has been altered`));
  });

  it('finds a break made while it runs, at its next scheduled verification, and stops writing', async () => {
    const { dir, db } = await storeWithDemo();
    const service = await startService(dir, { ...db.env, AUDIT_VERIFY_EVERY_MINUTES: '0.02' });
    running.push(service);
    expect((await health(service.url)).status).toBe(200);
    const [victim] = await withStore(db, (s) => s.cases.list(SYSTEM));
    await forgeSnapshot(db.url, victim!.id, (s) => ({ ...s, context: { ...(s.context as object), forged: true } }));
    await expect.poll(async () => (await health(service.url)).status, { timeout: 10_000 }).toBe(503);
    expect(service.logs.some((l) => l.includes(`case ${victim!.id} has been altered`))).toBe(true);
    await service.stop();
  });

  it('tells the inclusion officer in Teams of a break, once however many checks find it, with nothing about a case or pupil', async () => {
    const dir = dataDir('audit-');
    const db = await serviceDatabase(backend, dir, 'audit');
    const connector = await startFakeConnector();
    const first = await startService(dir, db.env);
    running.push(first);
    // The officer has spoken to the bot once, so it can reach them.
    const hello = messageActivity(officer, connector.url, 'a:demo-officer-personal-chat', 'hello');
    await post(first.url, hello);
    await connector.waitForReplyTo(hello.id);
    await expect.poll(async () => (await withStore(db, (s) => s.cases.list(SYSTEM))).length, { timeout: 20_000 }).toBeGreaterThan(0);
    await first.stop();
    const [victim] = await withStore(db, (s) => s.cases.list(SYSTEM));
    await forgeSnapshot(db.url, victim!.id, (s) => ({ ...s, context: { ...(s.context as object), forged: true } }));

    const alertsToOfficer = () => connector.sent.filter((a) => a.conversationId === 'a:demo-officer-personal-chat' && JSON.stringify(a.activity).includes('failed its integrity check'));
    const service = await startService(dir, { ...db.env, AUDIT_VERIFY_EVERY_MINUTES: '0.01' });
    running.push(service);
    await expect.poll(() => alertsToOfficer().length, { timeout: 15_000 }).toBe(1);
    const alert = JSON.stringify(alertsToOfficer()[0]!.activity);
    expect(alert).toContain('Recording is paused');
    expect(alert).toContain('cases audit verify');
    expect(alert).not.toContain(victim!.id);
    expect(alert).not.toContain(victim!.pupilId);
    // Several more checks find the same break: still the one alert, and none to the head.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(alertsToOfficer()).toHaveLength(1);
    expect(connector.sent.some((a) => a.conversationId !== 'a:demo-officer-personal-chat' && JSON.stringify(a.activity).includes('failed its integrity check'))).toBe(false);
    await service.stop();
    await connector.close();
  });

  it('reports a deleted anchor: 503, an alert naming the anchor, no writes', async () => {
    const { dir, db } = await storeWithDemo();
    rmSync(db.anchorPath);
    await expectStoppedWrites(dir, db, /ALERT the audit trail does not verify, writes are stopped: no anchor found at/);
  });
});
