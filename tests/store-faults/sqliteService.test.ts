/**
 * The service on a SQLite file on a bad day, as `pnpm start` runs: another process holding the
 * file's write lock for 10 s leaves /healthz answering within 200 ms and a head's pressed answer
 * told "busy" (not an HTTP error); a second service on the same file refuses to start naming the
 * first, and one killed leaves nothing in the way; a read-only file or a folder that cannot be
 * made stops the start with one line naming the path.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeConnector } from '../support/fakeConnector.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from '../teams-replay/teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const conversation = 'a:demo-head-personal-chat';
const main = join(root, 'packages/bot/dist/main.js');

const running: ServiceProcess[] = [];
const holders: ChildProcess[] = [];
afterAll(async () => {
  for (const h of holders) h.kill('SIGKILL');
  for (const s of running) if (s.child.exitCode === null) await s.stop();
});

/** Another process holding `BEGIN IMMEDIATE` on `file` for `ms`; resolves once it holds the lock. */
function holdWriteLock(file: string, ms: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(root, 'packages/workflows/src/store/holdWriteLock.mjs'), file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  holders.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
}

/**
 * Whether an unprivileged user can run the service from here: root ignores file modes, so a
 * read-only store is tried as `nobody` — which needs to read the checkout (a clone in a private
 * temporary folder, say, it cannot).
 */
const unprivilegedCanRun =
  process.getuid?.() !== 0 || spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(main)}, 4)`], { uid: 65534, gid: 65534 }).status === 0;

/** Runs the service to its exit (it should refuse to start); `asNobody` runs it as an unprivileged user when this is root. */
function startRefused(dir: string, env: Record<string, string>, asNobody = false) {
  const ids = asNobody && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  const r = spawnSync(process.execPath, [main], { cwd: dir, env: { PATH: process.env.PATH ?? '', PORT: '0', ...env }, encoding: 'utf8', timeout: 20_000, ...ids });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('another process holding the write lock for 10 s', () => {
  it('leaves /healthz answering within 200 ms, and a pressed answer is told the store is busy', async () => {
    const connector = await startFakeConnector();
    const dir = dataDir('held-lock-');
    const service = await startService(dir, { SCHOOL_DATE: '2026-03-20' });
    running.push(service);
    const start = messageActivity(head, connector.url, conversation, 'start peap DEMO-001');
    await post(service.url, start);
    const card = cardOf((await connector.waitForReplyTo(start.id)).activity);
    const data = actionData(card, 'peap.answer');
    // The start-up work (the rules over the demo school, the first prompts) is done: what is measured is the lock.
    for (const until = Date.now() + 20_000; !service.logs.some((l) => l.includes('"msg":"tick"')); ) {
      if (Date.now() > until) throw new Error('the first tick did not come');
      await new Promise((r) => setTimeout(r, 50));
    }

    const holder = await holdWriteLock(join(dir, 'cases.db'), 10_000);
    const heldAt = Date.now();
    // A head presses an answer while the lock is held: the service's write waits for it.
    const pressed = post(service.url, executeActivity(head, connector.url, conversation, 'card', 'peap.answer', { ...data, answer: answerFor(card, 'given while the store is locked') }));
    const latencies: number[] = [];
    const bodies: unknown[] = [];
    while (Date.now() - heldAt < 9_500) {
      const t = performance.now();
      const res = await fetch(`${service.url}/healthz`);
      bodies.push(await res.json());
      latencies.push(performance.now() - t);
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    const answered = await pressed;
    latencies.sort((a, b) => a - b);
    const report = `/healthz over ${latencies.length} calls in 9.5 s under the lock: p50 ${latencies[latencies.length >> 1]!.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`;
    console.log(report);
    // The target is 200 ms; a loaded CI machine's scheduler can add to one call, so the median is held
    // to it and every call to a second — before, /healthz waited out the whole lock (9.5 s).
    expect(latencies[latencies.length >> 1], report).toBeLessThan(200);
    expect(latencies.at(-1), report).toBeLessThan(1_000);
    expect(bodies.some((b) => (b as { database?: string }).database === 'busy')).toBe(true);
    // Not an HTTP error: the card says the store is busy and nothing was saved.
    expect(answered.status).toBe(200);
    expect(cardText(answered.body.value)).toContain('The case store is busy just now, so nothing from this was saved. Please try again in a moment.');
    await new Promise<void>((r) => (holder.exitCode !== null ? r() : holder.once('exit', () => r())));
    // Once the lock is let go, the same press is saved.
    const again = await post(service.url, executeActivity(head, connector.url, conversation, 'card', 'peap.answer', { ...data, answer: answerFor(card, 'given once the lock is gone') }));
    expect(again.status).toBe(200);
    expect(cardText(again.body.value)).toMatch(/question 2 of/);
    const health = async () => ((await (await fetch(`${service.url}/healthz`)).json()) as { database?: string }).database;
    for (const until = Date.now() + 2_000; (await health()) !== 'ok' && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
    expect(await health()).toBe('ok');
    await connector.close();
  }, 60_000);
});

describe('one service per SQLite file', () => {
  it('refuses a second service on the same file, naming the first; after the first is killed the next takes over and says so', async () => {
    const dir = dataDir('one-instance-');
    const first = await startService(dir);
    running.push(first);
    const second = startRefused(dir, { CASES_DB: join(dir, 'cases.db'), AUDIT_ANCHOR_KEY: 'test-anchor-key-0123456789abcdef' });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^could not start: another service is running on ${join(dir, 'cases.db')} \\(host ${hostname()}, pid ${first.child.pid}, since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\): stop it first, or run several instances on PostgreSQL \\(DATABASE_URL\\)\\n$`));
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    await first.kill();
    const third = await startService(dir);
    running.push(third);
    expect(third.logs.some((l) => l.includes(`instance lock: taken over from a service that stopped without releasing it (host ${hostname()}, pid ${first.child.pid}, since `))).toBe(true);
    // A clean stop gives the file up: the next start takes over from nobody.
    expect(await third.stop()).toBe(0);
    const fourth = await startService(dir);
    running.push(fourth);
    expect(fourth.logs.some((l) => l.includes('taken over'))).toBe(false);
    await fourth.stop();
  }, 60_000);
});

describe('a database that cannot be written at start', () => {
  it.skipIf(!unprivilegedCanRun)('a read-only file: one line naming it and what to do, exit 1, no stack', async () => {
    const dir = dataDir('read-only-');
    const first = await startService(dir);
    await first.stop();
    const db = join(dir, 'cases.db');
    chmodSync(dir, 0o777); // the folder may be written; the file may not
    chmodSync(db, 0o444);
    const r = startRefused(dir, { CASES_DB: db, AUDIT_ANCHOR_KEY: 'test-anchor-key-0123456789abcdef' }, true);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`could not start: the database ${db} is read-only for this user: let it write the file, or choose a writable copy (CASES_DB)\n`);
  });

  it('a folder that cannot be made: one line naming it and what to do, exit 1, no stack', () => {
    const dir = dataDir('no-folder-');
    writeFileSync(join(dir, 'data'), 'a file where the folder should be');
    const db = join(dir, 'data', 'cases.db');
    const r = startRefused(dir, { CASES_DB: db });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`could not start: cannot create the folder ${join(dir, 'data')} for the database ${db} (EEXIST): create it, writable by this user, or choose another path (CASES_DB)\n`);
  });

  it.skipIf(!unprivilegedCanRun)('a folder that may not be written: one line naming it, exit 1', () => {
    const dir = dataDir('ro-folder-');
    mkdirSync(join(dir, 'data'));
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'data'), 0o555);
    const db = join(dir, 'data', 'cases.db');
    const r = startRefused(dir, { CASES_DB: db }, true);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`could not start: the folder ${join(dir, 'data')} of the database ${db} is read-only for this user (SQLite writes its -wal and -shm files there): make it writable, or choose another path (CASES_DB)\n`);
  });
});
