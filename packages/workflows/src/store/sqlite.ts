/**
 * SQLite through better-sqlite3: one file, WAL, `synchronous=FULL` (a lost answer or audit row
 * matters). better-sqlite3 is synchronous and has one connection, so every statement waits its
 * turn in a queue: an async transaction's statements never interleave with another's.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Queryable, SqlValue } from './database.js';
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
  return new SqliteDatabase(db, path);
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
  #queue: Promise<unknown> = Promise.resolve();
  readonly #direct: Queryable;

  constructor(db: Connection, path: string) {
    this.#db = db;
    this.location = path;
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
    return this.#exclusive(async () => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.#direct);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async backup(file: string): Promise<void> {
    mkdirSync(dirname(file), { recursive: true });
    await this.#db.backup(file);
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => undefined);
    this.#db.close();
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
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
