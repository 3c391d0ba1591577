/**
 * A SQLite file on a bad day: another process holding its write lock, a second service on it,
 * a path that cannot be written. Each is refused with a message naming the file, and the event
 * loop keeps turning while the store waits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailable, InstanceRunning, StoreBusy } from '../errors.js';
import { claimInstance } from './database.js';
import { claimSqliteFile } from './instanceLock.js';
import { openSqlite } from './sqlite.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-faults-'));
  dirs.push(dir);
  return dir;
};
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Another process holding `BEGIN IMMEDIATE` on `file` until killed; resolves once it holds it. */
function holdWriteLock(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./holdWriteLock.mjs', import.meta.url)), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
}

/** A store (waiting `busyTimeoutMs` for a lock) with a table `t`, its write lock held by another process. */
async function lockedTable(busyTimeoutMs: number) {
  const file = join(fresh(), 'cases.db');
  const db = openSqlite(file, { busyTimeoutMs });
  cleanups.push(() => void db.close());
  await db.run('CREATE TABLE t (x INTEGER)');
  return { db, holder: await holdWriteLock(file) };
}

describe('another process holding the write lock', () => {
  it('refuses a write with StoreBusy after the bounded wait, the event loop turning meanwhile', async () => {
    const { db } = await lockedTable(600);
    // The longest the loop went without a turn while the write waited.
    let last = Date.now();
    let longestStall = 0;
    const beat = setInterval(() => {
      longestStall = Math.max(longestStall, Date.now() - last);
      last = Date.now();
    }, 5);
    const started = Date.now();
    const error = await db.write((tx) => tx.run('INSERT INTO t VALUES (1)')).catch((e: unknown) => e);
    clearInterval(beat);
    expect(error).toBeInstanceOf(StoreBusy);
    expect((error as Error).message).toMatch(/is busy: another process held its write lock .* nothing was saved, try again/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    // Never blocked for the wait (600 ms), only for slices of it; the margin is for a loaded machine.
    expect(longestStall).toBeLessThan(400);
    // Reads go on meanwhile (WAL): the lock holder blocks writers only.
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM t')).toEqual({ n: 0 });
  });

  it('refuses statements queued behind a waiting write within one wait of being asked, not one wait each', async () => {
    const { db } = await lockedTable(1000);
    const started = Date.now();
    const settled = (p: Promise<unknown>) => p.then((v) => (v === true ? 'answered' : 'saved'), (e: unknown) => (e instanceof StoreBusy ? 'busy' : String(e))).then((how) => ({ how, after: Date.now() - started }));
    // A write waiting for the lock; behind it, as in the service, a ping, two statements and another
    // write. The ping needs no lock (WAL) and answers in its turn; the others are refused.
    const first = settled(db.write((tx) => tx.run('INSERT INTO t VALUES (1)')));
    await new Promise((r) => setTimeout(r, 50));
    const results = await Promise.all([
      first,
      settled(db.ping()),
      settled(db.run('UPDATE t SET x = 2')),
      settled(db.run('UPDATE t SET x = 3')),
      settled(db.write((tx) => tx.run('INSERT INTO t VALUES (4)'))),
    ]);
    expect(results.map((r) => r.how)).toEqual(['busy', 'answered', 'busy', 'busy', 'busy']);
    // Each counted its wait from when it was asked: the last settles about one wait in, where
    // waiting from its own turn would have taken three (3 s and more).
    expect(Math.max(...results.map((r) => r.after))).toBeLessThan(2_000);
  });

  it('writes once the lock is let go within the wait', async () => {
    const { db, holder } = await lockedTable(5000);
    setTimeout(() => holder.kill('SIGKILL'), 300);
    await db.write((tx) => tx.run('INSERT INTO t VALUES (1)'));
    expect(await db.get<{ n: number }>('SELECT count(*) AS n FROM t')).toEqual({ n: 1 });
  });
});

describe('one service per SQLite file', () => {
  it('refuses a second claim, naming the first (host, pid, since), and gives the file up on release', () => {
    const file = join(fresh(), 'cases.db');
    const first = claimSqliteFile(file, new Date('2026-03-20T09:00:00Z'));
    expect(first.tookOverFrom).toBeUndefined();
    expect(() => claimSqliteFile(file)).toThrow(InstanceRunning);
    expect(() => claimSqliteFile(file)).toThrow(`another service is running on ${file} (host ${hostname()}, pid ${process.pid}, since 2026-03-20T09:00:00.000Z)`);
    first.release();
    const second = claimSqliteFile(file);
    expect(second.tookOverFrom).toBeUndefined();
    second.release();
  });

  it('takes over from a service that died without releasing, and says whose it was', () => {
    const file = join(fresh(), 'cases.db');
    const dead = { host: hostname(), pid: 999_999, since: '2026-03-19T08:00:00.000Z' };
    writeFileSync(`${file}.instance.json`, JSON.stringify(dead));
    const claim = claimSqliteFile(file);
    expect(claim.tookOverFrom).toEqual(dead);
    claim.release();
  });

  it('claims nothing for PostgreSQL, where many instances share the database', async () => {
    expect(await claimInstance('postgres://u@127.0.0.1:1/db')).toBeUndefined();
  });
});

describe('a path that cannot be written', () => {
  it('names a database path that is a folder', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'cases.db'));
    expect(() => openSqlite(join(dir, 'cases.db'))).toThrow(DatabaseUnavailable);
    expect(() => openSqlite(join(dir, 'cases.db'))).toThrow(`${join(dir, 'cases.db')} is a folder, not a database file: choose a file's path (CASES_DB)`);
  });

  it('names a folder that cannot be made', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'data'), 'a file where the folder would be');
    const path = join(dir, 'data', 'cases.db');
    expect(() => openSqlite(path)).toThrow(`cannot create the folder ${join(dir, 'data')} for the database ${path} (EEXIST): create it, writable by this user, or choose another path (CASES_DB)`);
    expect(() => claimSqliteFile(path)).toThrow(DatabaseUnavailable);
  });
});
