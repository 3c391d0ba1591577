/**
 * PostgreSQL through node-postgres, for a council or trust running several service instances
 * on one database. Writers take one transaction-scoped advisory lock, so writes are serialised
 * across instances exactly as SQLite serialises them in one file: the audit chain never forks.
 * Within an instance, writes are group-committed (groupCommit.ts): a burst takes the lock once.
 * Migrations run once, under a session advisory lock, whichever instance starts first.
 *
 * Nothing waits without bound: the write lock for DEFAULT_BUSY_TIMEOUT_MS as on SQLite (then
 * StoreBusy, nothing saved), a connection for CONNECT_TIMEOUT_MS (then DatabaseUnavailable), any
 * statement for STATEMENT_TIMEOUT_MS — so a stuck server or a session holding the lock shows as a
 * clear refusal to the head, not a turn that never ends.
 */
import pg from 'pg';
import { DatabaseUnavailable, StoreBusy, StoreRefused } from '../errors.js';
import { DEFAULT_BUSY_TIMEOUT_MS, maskedUrl, type Database, type Queryable, type SqlValue } from './database.js';
import { GroupCommit, type GroupTransaction } from './groupCommit.js';
import { MIGRATIONS } from './migrations.js';

/** Advisory lock keys (any fixed numbers; these spell "case" and "migr"). */
const WRITE_LOCK = 0x63617365;
const MIGRATION_LOCK = 0x6d696772;

/** The longest wait for a connection (the server unreachable, or every pooled connection busy). */
const CONNECT_TIMEOUT_MS = 10_000;
/** The longest any one statement may run (the store's are short; reports read in a few). */
const STATEMENT_TIMEOUT_MS = 60_000;
/** PostgreSQL's codes for a lock wait past lock_timeout, and a statement past statement_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

export async function openPostgres(url: string): Promise<Database> {
  // Writers wait for the write lock holding a connection: enough are left over for reads.
  const pool = new pg.Pool({ connectionString: url, max: 16, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, statement_timeout: STATEMENT_TIMEOUT_MS, idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS });
  // An idle client's error (the server restarting) must not crash the service; the next query reports it.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, url);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresDatabase(pool, url);
}

async function migrate(pool: pg.Pool, url: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const row = (await client.query<{ version: number }>('SELECT version FROM schema_version')).rows[0];
    const applied = row?.version ?? 0;
    if (applied > MIGRATIONS.length) {
      throw new Error(`${maskedUrl(url)} has schema version ${applied}, newer than this program knows (${MIGRATIONS.length}); upgrade the program`);
    }
    for (let v = applied; v < MIGRATIONS.length; v++) {
      await client.query('BEGIN');
      try {
        await client.query(MIGRATIONS[v]!.postgres);
        await client.query(v === 0 && !row ? 'INSERT INTO schema_version (version) VALUES ($1)' : 'UPDATE schema_version SET version = $1', [v + 1]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** A PostgreSQL error's SQLSTATE code, if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** `?` placeholders as PostgreSQL's `$1, $2…` (the store's SQL has no `?` inside string literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function queryable(run: (text: string, params: readonly SqlValue[]) => Promise<pg.QueryResult>): Queryable {
  return {
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await run(numbered(sql), params)).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await run(numbered(sql), params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await run(numbered(sql), params)).rowCount ?? 0,
  };
}

class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const;
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #direct: Queryable;
  readonly #groups = new GroupCommit((group, since) => this.#group(group, since));

  constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.location = maskedUrl(url);
    this.#direct = queryable((text, params) => {
      this.#groups.refuseInsideWrite();
      return pool.query(text, [...params]);
    });
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#direct.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.#direct.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#direct.run(sql, params);
  }

  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.#groups.write(fn);
  }

  /** One group of writes: a connection, a transaction, the write lock (waited for at most the busy timeout). */
  async #group(group: (t: GroupTransaction) => Promise<void>, since: number): Promise<void> {
    const client = await this.#connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // What is left of the busy timeout, counted from the group's oldest write (0 would mean no limit).
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, DEFAULT_BUSY_TIMEOUT_MS - (Date.now() - since))}`);
      await client.query('SELECT pg_advisory_xact_lock($1)', [WRITE_LOCK]).catch((error: unknown) => {
        throw codeOf(error) === LOCK_NOT_AVAILABLE ? new StoreBusy(this.location, DEFAULT_BUSY_TIMEOUT_MS) : error;
      });
      await client.query('SET LOCAL lock_timeout = 0');
      await group({ tx: queryable((text, params) => client.query(text, [...params])), exec: async (sql) => void (await client.query(sql)) });
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw codeOf(error) === QUERY_CANCELED ? new StoreBusy(this.location, STATEMENT_TIMEOUT_MS) : error;
    } finally {
      // A connection that could not even roll back is dropped, not pooled.
      client.release(broken);
    }
  }

  async ping(): Promise<boolean> {
    return (await this.get<{ ok: number }>('SELECT 1 AS ok'))?.ok === 1;
  }

  /** A pooled connection; past CONNECT_TIMEOUT_MS, a refusal naming the database (never its password). */
  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw new DatabaseUnavailable(`the case store (${this.location}) could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async read<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await fn(queryable((text, params) => client.query(text, [...params])));
      } finally {
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
  }

  async backup(): Promise<void> {
    throw new StoreRefused(
      `back up a PostgreSQL store with pg_dump, e.g. pg_dump --format=custom --file=cases.dump "${this.location}"; restore it into an empty database with pg_restore, then run "cases audit verify" against it before use`,
    );
  }

  async close(): Promise<void> {
    // A group commit scheduled just before closing goes first.
    await new Promise((resolve) => setImmediate(resolve));
    await this.#pool.end();
  }
}

/**
 * Creates an empty database named `name` on the server `serverUrl` points at, and returns its
 * URL (for tests and for trying a copy; in production a DBA creates it).
 */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a plain database name (lower-case letters, digits and _)`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
