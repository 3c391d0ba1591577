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
 */
import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Queryable, SqlValue } from './database.js';
import { GroupCommit } from './groupCommit.js';
import { MIGRATIONS } from './migrations.js';

type Connection = BetterSqlite3.Database;

export function openSqlite(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, path);
  return new SqliteDatabase(db, path, fileQueue(path));
}

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

class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const;
  readonly location: string;
  readonly #db: Connection;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #queue: FileQueue;
  #closed = false;
  readonly #direct: Queryable;
  readonly #groups = new GroupCommit((group) =>
    this.#exclusive(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      await group({ tx: this.#direct, exec: async (sql) => void this.#db.exec(sql) });
    }),
  );

  constructor(db: Connection, path: string, queue: FileQueue) {
    this.#db = db;
    this.location = path;
    this.#queue = queue;
    this.#direct = {
      all: async <T>(sql: string, params: readonly SqlValue[] = []) => this.#statement(sql).all(...params) as T[],
      get: async <T>(sql: string, params: readonly SqlValue[] = []) => this.#statement(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly SqlValue[] = []) => this.#statement(sql).run(...params).changes,
    };
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#exclusive(() => this.#direct.all<T>(sql, params));
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#exclusive(() => this.#direct.get<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#exclusive(() => this.#direct.run(sql, params));
  }

  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#groups.write(fn);
  }

  read<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // A deferred transaction's first read fixes its WAL snapshot; other processes write on meanwhile.
    return this.#exclusive(async () => {
      this.#db.exec('BEGIN');
      try {
        return await fn(this.#direct);
      } finally {
        this.#db.exec('COMMIT');
      }
    });
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
    await this.#exclusive(async () => {
      this.#db.close();
    });
    release(this.#queue);
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#groups.refuseInsideWrite();
    const run = this.#queue.tail.then(fn, fn);
    this.#queue.tail = run.catch(() => undefined);
    return run;
  }

  #statement(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}
