/**
 * One service per SQLite file. Two services on one file would both fire deadlines and send the
 * outbox (duplicate prompts); PostgreSQL deployments run many, coordinated by the database.
 *
 * The lock is SQLite's own: an exclusive transaction held open on `FILE.instance.lock`. The
 * kernel drops it when the process exits, however it exits, so a crash never leaves a lock
 * behind. Who holds it is written beside it (`FILE.instance.json`: host, pid, since), for the
 * refusal's message; that file left by a process that died is reported as taken over.
 */
import { hostname } from 'node:os';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { InstanceRunning } from '../errors.js';
import { checkWritable } from './sqlite.js';

/** Who runs (or ran) a service on the file. */
export interface InstanceOwner {
  readonly host: string;
  readonly pid: number;
  /** When it started (ISO 8601). */
  readonly since: string;
}

export interface InstanceClaim {
  /** The owner a previous service left behind without releasing (it crashed or was killed); undefined after a clean stop. */
  readonly tookOverFrom: InstanceOwner | undefined;
  /** Gives the file up (at shutdown); exiting the process does too. */
  release(): void;
}

/**
 * Claims `file` for this process alone.
 * @throws InstanceRunning naming the service that holds it.
 * @throws DatabaseUnavailable when the lock cannot be made beside the file.
 */
export function claimSqliteFile(file: string, now: Date = new Date()): InstanceClaim {
  checkWritable(file);
  const lockPath = `${file}.instance.lock`;
  const ownerPath = `${file}.instance.json`;
  const lock = new BetterSqlite3(lockPath);
  try {
    // Fail at once rather than wait: the holder keeps it for as long as it runs.
    lock.pragma('busy_timeout = 0');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
    const owner = readOwner(ownerPath);
    const who = owner ? `host ${owner.host}, pid ${owner.pid}, since ${owner.since}` : 'its owner is still starting';
    throw new InstanceRunning(`another service is running on ${file} (${who}): stop it first, or run several instances on PostgreSQL (DATABASE_URL)`);
  }
  const tookOverFrom = readOwner(ownerPath);
  const mine: InstanceOwner = { host: hostname(), pid: process.pid, since: now.toISOString() };
  // Written whole, then renamed: a reader never sees half of it.
  writeFileSync(`${ownerPath}.tmp`, `${JSON.stringify(mine)}\n`);
  renameSync(`${ownerPath}.tmp`, ownerPath);
  let released = false;
  return {
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      rmSync(ownerPath, { force: true });
      lock.close();
    },
  };
}

function readOwner(path: string): InstanceOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Partial<InstanceOwner>;
    return typeof o.host === 'string' && typeof o.pid === 'number' && typeof o.since === 'string' ? { host: o.host.slice(0, 100), pid: o.pid, since: o.since.slice(0, 40) } : undefined;
  } catch {
    return undefined;
  }
}
