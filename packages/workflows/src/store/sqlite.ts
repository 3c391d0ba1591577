/**
 * SQLite through better-sqlite3: one file, WAL, `synchronous=FULL` (a lost answer or audit row
 * matters). better-sqlite3 is synchronous and has one connection, so every statement waits its
 * turn in a queue: an async transaction's statements never interleave with another's.
 *
 * The queue is per file, shared by every store this process opens on it: a second connection
 * in the same thread that met a write lock held across an `await` would block the thread in
 * SQLite's busy wait, so the holder could never commit ("database is locked"). Other processes
 * wait in the busy handler as usual.
 *
 * Writes are group-committed (groupCommit.ts): a burst shares one transaction and one fsync.
 *
 * Another process holding the write lock: better-sqlite3's busy wait blocks the whole event loop,
 * so SQLite waits only BUSY_SLICE_MS at a time and the queue retries after a timer, up to
 * `busyTimeoutMs` in all (then StoreBusy). Meanwhile the loop serves everything that does not
 * need the database (/healthz), and other processes' readers are never blocked (WAL).
 */
import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseUnavailable, StoreBusy } from '../errors.js';
import { DEFAULT_BUSY_TIMEOUT_MS, type Database, type Queryable, type SqlValue } from './database.js';
import { GroupCommit } from './groupCommit.js';
import { MIGRATIONS } from './migrations.js';

type Connection = BetterSqlite3.Database;

/** How long one statement may block the event loop waiting for another process's lock. */
const BUSY_SLICE_MS = 20;

export interface SqliteOptions {
  /** How long a statement waits in all for another process's write lock (default 5 s) before StoreBusy. */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating and migrating) the SQLite file at `path`.
 * @throws DatabaseUnavailable when the file or its folder cannot be written, naming the path.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): Database {
  checkWritable(path);
  let db: Connection | undefined;
  try {
    db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Long enough for start-up (migrations), before the queue's own waiting takes over.
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS}`);
    migrate(db, path);
    db.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
  } catch (error) {
    db?.close();
    throw unavailable(error, path) ?? error;
  }
  return new SqliteDatabase(db, path, fileQueue(path), options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
}

/**
 * Checks that the database at `path` can be written (and made, with its folder), before
 * SQLite says "attempt to write a readonly database" without saying which.
 * @throws DatabaseUnavailable naming the path and what to do.
 */
export function checkWritable(path: string): void {
  if (path === ':memory:' || path === '') return;
  const dir = dirname(resolve(path));
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DatabaseUnavailable(`cannot create the folder ${dir} for the database ${path} (${codeOf(error)}): create it, writable by this user, or choose another path (CASES_DB)`);
  }
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new DatabaseUnavailable(`${path} is a folder, not a database file: choose a file's path (CASES_DB)`);
    if (!canWrite(path)) throw new DatabaseUnavailable(`the database ${path} is read-only for this user: let it write the file, or choose a writable copy (CASES_DB)`);
  }
  if (!canWrite(dir)) throw new DatabaseUnavailable(`the folder ${dir} of the database ${path} is read-only for this user (SQLite writes its -wal and -shm files there): make it writable, or choose another path (CASES_DB)`);
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** SQLite's own "cannot write" errors (a read-only mount, which even root cannot write), said with the path. */
function unavailable(error: unknown, path: string): DatabaseUnavailable | undefined {
  const code = codeOf(error);
  if (code.startsWith('SQLITE_READONLY')) return new DatabaseUnavailable(`the database ${path} is read-only (${code}): let this user write it and its folder, or choose another path (CASES_DB)`);
  if (code.startsWith('SQLITE_CANTOPEN')) return new DatabaseUnavailable(`cannot open the database ${path} (${code}): check that the path and its folder exist and are writable, or choose another path (CASES_DB)`);
  return undefined;
}

function codeOf(error: unknown): string {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : 'unknown error';
}

const isBusy = (error: unknown) => /^SQLITE_BUSY/.test(codeOf(error));

/** The statements of every connection this process has open on one file, in turn. */
interface FileQueue {
  tail: Promise<unknown>;
  users: number;
  readonly key: string | undefined;
}

const fileQueues = new Map<string, FileQueue>();

function fileQueue(path: string): FileQueue {
  if (path === ':memory:' || path === '') return { tail: Promise.resolve(), users: 1, key: undefined }; // a database of its own
  const key = realpathSync(resolve(path));
  let queue = fileQueues.get(key);
  if (!queue) fileQueues.set(key, (queue = { tail: Promise.resolve(), users: 0, key }));
  queue.users++;
  return queue;
}

function release(queue: FileQueue): void {
  if (--queue.users === 0 && queue.key !== undefined && fileQueues.get(queue.key) === queue) fileQueues.delete(queue.key);
}

function migrate(db: Connection, path: string): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    db.close();
    throw new Error(`${path} has schema version ${applied}, newer than this program knows (${MIGRATIONS.length}); upgrade the program`);
  }
  if (applied === MIGRATIONS.length) return;
  // BEGIN IMMEDIATE takes the write lock: two processes starting together migrate once.
  db.transaction(() => {
    const now = db.pragma('user_version', { simple: true }) as number;
    for (let v = now; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!.sqlite);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** Whether a statement only reads (so a read-only connection may run it). */
const isSelect = (sql: string): boolean => /^\s*(SELECT|WITH)\b/i.test(sql);

/** A connection's statements as the store asks for them, each prepared once. */
function queryableOn(connection: Connection): Queryable {
  const statements = new Map<string, BetterSqlite3.Statement>();
  const statement = (sql: string) => {
    let prepared = statements.get(sql);
    if (!prepared) statements.set(sql, (prepared = connection.prepare(sql)));
    return prepared;
  };
  return {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => statement(sql).all(...params) as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => statement(sql).run(...params).changes,
  };
}

/** A read-only connection to the store's file (a write on it is refused by SQLite). */
interface Reader {
  readonly connection: Connection;
  readonly queryable: Queryable;
}

function openReader(path: string): Reader {
  const connection = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  connection.pragma(`busy_timeout = ${BUSY_SLICE_MS}`);
  return { connection, queryable: queryableOn(connection) };
}

class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: Connection;
  readonly #queue: FileQueue;
  #closed = false;
  readonly #direct: Queryable;
  /** The read-only connection `read` uses, opened at its first use; its queue of reads. */
  #reader: Reader | undefined;
  #readerTail: Promise<unknown> = Promise.resolve();
  readonly #busyTimeoutMs: number;
  /** The read-only connection plain reads (`all`, `get` of a SELECT) use, opened at the first. */
  #plainReader: Reader | undefined;
  readonly #groups = new GroupCommit((group, since) =>
    this.#exclusive(async () => {
      // The wait counts from the group's oldest write, not from its turn: writes queued behind
      // another group that waited out the lock are refused at once, not after a second wait.
      await this.#whenFree(() => this.#db.exec('BEGIN IMMEDIATE'), since);
      await group({ tx: this.#direct, exec: async (sql) => void this.#db.exec(sql) });
    }),
  );

  constructor(db: Connection, path: string, queue: FileQueue, busyTimeoutMs: number) {
    this.#db = db;
    this.location = path;
    this.#queue = queue;
    this.#busyTimeoutMs = busyTimeoutMs;
    this.#direct = queryableOn(db);
  }

  // A SELECT outside a transaction reads on a connection of its own, at once: never queued behind
  // writes waiting for another process's lock (a head's turn reads first, then writes). Anything
  // else (a PRAGMA) runs on the main connection, in turn. A busy statement did nothing yet, so it
  // is safe to run again.
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (isSelect(sql)) return this.#readPlain((q) => q.all<T>(sql, params));
    return this.#inTurn(() => this.#direct.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    if (isSelect(sql)) return this.#readPlain((q) => q.get<T>(sql, params));
    return this.#inTurn(() => this.#direct.get<T>(sql, params));
  }

  async ping(): Promise<boolean> {
    return (await this.#inTurn(() => this.#direct.get<{ ok: number }>('SELECT 1 AS ok')))?.ok === 1;
  }

  #readPlain<T>(query: (q: Queryable) => Promise<T>): Promise<T> {
    this.#groups.refuseInsideWrite();
    if (this.#closed) return Promise.reject(new Error(`the case store (${this.location}) is closed`));
    const reader = (this.#plainReader ??= openReader(this.location));
    return this.#whenFree(() => query(reader.queryable));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#inTurn(() => this.#direct.run(sql, params));
  }

  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#groups.write(fn);
  }

  /**
   * A long consistent read (verifying the whole audit trail) on a read-only connection of its
   * own: its transaction's first read fixes a WAL snapshot, and the store's writes, on the main
   * connection, go on meanwhile instead of queueing behind it. Reads take turns among themselves.
   */
  read<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.#groups.refuseInsideWrite();
    const run = this.#readerTail.then(async () => {
      const reader = (this.#reader ??= openReader(this.location));
      await this.#whenFree(() => reader.connection.exec('BEGIN'));
      try {
        return await fn(reader.queryable);
      } finally {
        reader.connection.exec('COMMIT');
      }
    });
    this.#readerTail = run.catch(() => undefined);
    return run;
  }

  async backup(file: string): Promise<void> {
    mkdirSync(dirname(file), { recursive: true });
    await this.#db.backup(file);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // A group commit scheduled just before closing goes first.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#readerTail;
    this.#reader?.connection.close();
    this.#plainReader?.connection.close();
    await this.#exclusive(async () => {
      this.#db.close();
    });
    release(this.#queue);
  }

  /** Runs `attempt` (a statement that has done nothing when it fails busy), again after a pause while another process holds the lock. */
  async #whenFree<T>(attempt: () => T | Promise<T>, started = Date.now()): Promise<T> {
    for (let pause = 5; ; pause = Math.min(pause * 2, 100)) {
      try {
        return await attempt();
      } catch (error) {
        const waited = Date.now() - started;
        if (!isBusy(error)) throw error;
        if (waited >= this.#busyTimeoutMs) throw new StoreBusy(this.location, waited);
        await sleep(pause);
      }
    }
  }

  /**
   * One statement on the main connection in its turn, waiting for another process's lock up to
   * the bound counted from when it was asked, not from its turn: behind a queue that waited out
   * the lock it is refused at once, so the queue drains within one wait (a head's write queued
   * behind the outbox's lease update on each tick is refused in 5 s, not saved by luck once the lock went).
   */
  #inTurn<T>(statement: () => T | Promise<T>): Promise<T> {
    const asked = Date.now();
    return this.#exclusive(() => this.#whenFree(statement, asked));
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#groups.refuseInsideWrite();
    const run = this.#queue.tail.then(fn, fn);
    this.#queue.tail = run.catch(() => undefined);
    return run;
  }
}
