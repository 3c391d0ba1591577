/**
 * The database underneath the case store, behind one small interface so nothing outside
 * `store/` knows which it is: SQLite (one file, the embedded default) or PostgreSQL (several
 * service instances on one database). SQL here is written once, in the subset both speak, with
 * `?` placeholders.
 *
 * Writes are serialised: `write()` runs its function as the only writer — SQLite's
 * `BEGIN IMMEDIATE`, PostgreSQL's transaction-scoped advisory lock — so the audit chain has one
 * head and a case is never transitioned from a stale row, whichever instance writes.
 */
import type { InstanceClaim } from './instanceLock.js';

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;

/** Reads and writes; inside `write()` they belong to its transaction. */
export interface Queryable {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface Database extends Queryable {
  readonly dialect: Dialect;
  /** Where the data is, safe to print (a PostgreSQL password is masked). */
  readonly location: string;
  /** Runs `fn` in one transaction as the only writer; commits when it resolves, rolls back when it throws. No network calls inside. */
  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs `fn`'s reads on one consistent snapshot, however long they take and whoever writes meanwhile (copying a running store). */
  read<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Whether the database answers, asked in turn with the writes (on SQLite, on the connection
   * that writes): while another process holds the write lock it waits, so `/healthz` can say busy.
   */
  ping(): Promise<boolean>;
  /** A consistent copy to `file` while the database is in use (SQLite's online backup). */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}

/** The default database file, relative to the working directory. */
export const DEFAULT_DATABASE_PATH = 'data/cases.db';

/** How long the store waits in all for another writer's lock before refusing with StoreBusy (either backend). */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** Whether `url` names a PostgreSQL database (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** A SQLite location: `sqlite:FILE` or a plain path. */
export function sqlitePath(url: string): string {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
}

/**
 * Opens the database `url` names — `postgres://…` for PostgreSQL, otherwise a SQLite file
 * (`sqlite:FILE` or a path) — and applies pending migrations under a lock.
 * @throws Error when the database was written by a newer version of this package.
 */
export async function openDatabase(url: string = DEFAULT_DATABASE_PATH): Promise<Database> {
  if (isPostgresUrl(url)) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(url);
  }
  const { openSqlite } = await import('./sqlite.js');
  return openSqlite(sqlitePath(url));
}

/**
 * Claims the database for one service process: a SQLite file takes one service at a time (its
 * lock, instanceLock.ts); PostgreSQL takes many, so there is nothing to claim (undefined).
 * @throws InstanceRunning naming the service already running on the file.
 */
export async function claimInstance(url: string = DEFAULT_DATABASE_PATH): Promise<InstanceClaim | undefined> {
  if (isPostgresUrl(url)) return undefined;
  const path = sqlitePath(url);
  if (path === ':memory:' || path === '') return undefined;
  const { claimSqliteFile } = await import('./instanceLock.js');
  return claimSqliteFile(path);
}

/** The password in a connection URL, masked for messages and logs. */
export function maskedUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

/** Creates an empty PostgreSQL database `name` on the server at `serverUrl`; resolves to its URL. */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  const postgres = await import('./postgres.js');
  return postgres.createPostgresDatabase(serverUrl, name);
}
