/**
 * For the tamper tests only (excluded from the build): an attacker with direct access to the
 * database — the SQLite file, or a PostgreSQL superuser login — going round the store to edit,
 * delete or truncate audit rows. The store must still notice, through its hash chain and anchor.
 *
 * By default the attacker first switches off the append-only protection: SQLite's attacker drops
 * the triggers, PostgreSQL's disables them (`ALTER TABLE … DISABLE TRIGGER USER`) and turns them
 * back on afterwards to cover their tracks. With `{ keepProtection: true }` they try without.
 */
import { createHash } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { canonicalJson } from './canonicalJson.js';
import { isPostgresUrl, sqlitePath, type SqlValue } from './database.js';

export interface AttackOptions {
  /** Leave the append-only triggers in place (to see them refuse). */
  readonly keepProtection?: boolean;
}

/** A raw connection, as the attacker holds it: `?` placeholders on either database. */
export interface RawConnection {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Several statements, no parameters. */
  exec(sql: string): Promise<void>;
}

/** Runs `attack` on a raw connection to the database at `url`, then closes it. */
export async function asAttacker<T>(url: string, attack: (raw: RawConnection) => Promise<T>, options: AttackOptions = {}): Promise<T> {
  if (isPostgresUrl(url)) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const numbered = (sql: string) => {
        let n = 0;
        return sql.replace(/\?/g, () => `$${++n}`);
      };
      const raw: RawConnection = {
        all: async <R>(sql: string, params: readonly SqlValue[] = []) => (await client.query(numbered(sql), [...params])).rows as R[],
        run: async (sql, params = []) => {
          await client.query(numbered(sql), [...params]);
        },
        exec: async (sql) => {
          await client.query(sql);
        },
      };
      if (options.keepProtection) return await attack(raw);
      await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
      try {
        return await attack(raw);
      } finally {
        await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
      }
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(sqlitePath(url));
  try {
    if (!options.keepProtection) db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    return await attack({
      all: async <R>(sql: string, params: readonly SqlValue[] = []) => db.prepare(sql).all(...params) as R[],
      run: async (sql, params = []) => {
        db.prepare(sql).run(...params);
      },
      exec: async (sql) => {
        db.exec(sql);
      },
    });
  } finally {
    db.close();
  }
}

/** Runs `sql` (one or several statements) as the attacker, straight on the database at `url`. */
export function rawExec(url: string, sql: string, options: AttackOptions = {}): Promise<void> {
  return asAttacker(url, (raw) => raw.exec(sql), options);
}

/** Reads rows as the attacker, straight from the database at `url`. */
export function rawQuery<T = Record<string, unknown>>(url: string, sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
  return asAttacker(url, (raw) => raw.all<T>(sql, params), { keepProtection: true });
}

/**
 * Recomputes every row's plain sha256 chain link, as an attacker who edited a row would (no key
 * is needed for the chain itself: only the anchor is signed).
 */
export async function rechain(raw: RawConnection): Promise<void> {
  let prev = '0'.repeat(64);
  for (const row of await raw.all<Record<string, SqlValue>>('SELECT * FROM audit_log ORDER BY seq')) {
    const { hash: _old, prev_hash: _prev, ...fields } = row;
    const hash = createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex');
    await raw.run('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?', [prev, hash, row.seq as number]);
    prev = hash;
  }
}

/** Writes `snapshot` (a persisted machine snapshot) into a case's row, round the store: a forged decision, say. */
export function forgeSnapshot(url: string, caseId: string, change: (snapshot: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  return asAttacker(url, async (raw) => {
    const [row] = await raw.all<{ snapshot: string }>('SELECT snapshot FROM cases WHERE id = ?', [caseId]);
    if (!row) throw new Error(`no case ${caseId}`);
    await raw.run('UPDATE cases SET snapshot = ? WHERE id = ?', [JSON.stringify(change(JSON.parse(row.snapshot) as Record<string, unknown>)), caseId]);
  });
}

/** Edits a stored pupil record, round the store. */
export function editPupilRecord(url: string, pupilId: string, change: (record: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  return asAttacker(url, async (raw) => {
    const [row] = await raw.all<{ record: string }>('SELECT record FROM pupils WHERE id = ?', [pupilId]);
    if (!row) throw new Error(`no pupil ${pupilId}`);
    await raw.run('UPDATE pupils SET record = ? WHERE id = ?', [JSON.stringify(change(JSON.parse(row.record) as Record<string, unknown>)), pupilId]);
  });
}
