/**
 * The attacker: someone with direct access to the database — the SQLite file, or a PostgreSQL
 * login that owns the tables — going round the store to edit, delete or truncate audit rows.
 * The store must still notice, through its hash chain and its anchor.
 *
 * This is the only file in tests/ that touches a database driver: every other read of what the
 * service stored goes through the case store's façade (stores.ts). By default the attacker first
 * switches off the append-only protection, as anyone determined would: on SQLite they drop the
 * triggers; on PostgreSQL they `ALTER TABLE audit_log DISABLE TRIGGER USER`, and turn the
 * triggers back on afterwards to cover their tracks. With `{ keepProtection: true }` they try
 * without (to see the triggers refuse).
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

export type SqlValue = string | number | null;

export interface AttackOptions {
  /** Leave the append-only triggers in place. */
  readonly keepProtection?: boolean;
}

/** A raw connection as the attacker holds it, with `?` placeholders on either database. */
export interface RawConnection {
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
}

const isPostgres = (url: string) => /^postgres(ql)?:\/\//i.test(url);
const sqliteFile = (url: string) => (url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url);

/** Runs `attack` on a raw connection to the database at `url` (`postgres://…`, `sqlite:FILE` or a path), then closes it. */
export async function asAttacker<T>(url: string, attack: (raw: RawConnection) => Promise<T>, options: AttackOptions = {}): Promise<T> {
  if (isPostgres(url)) {
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
  const db = new BetterSqlite3(sqliteFile(url));
  try {
    if (!options.keepProtection) db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    return await attack({
      all: async <R>(sql: string, params: readonly SqlValue[] = []) => db.prepare(sql).all(...params) as R[],
      run: async (sql, params = []) => {
        db.prepare(sql).run(...params);
      },
    });
  } finally {
    db.close();
  }
}

/** Edits one audit row's field straight in the database, leaving its hash as it was. */
export function editAuditRow(url: string, seq: number, field: 'actor' | 'action' | 'data' | 'at', value: string): Promise<void> {
  return asAttacker(url, (raw) => raw.run(`UPDATE audit_log SET ${field} = ? WHERE seq = ?`, [value, seq]));
}

/** Deletes audit rows straight from the database: one row, or every row from `seq` on (`{ fromSeq }`). */
export function deleteAuditRows(url: string, rows: { seq: number } | { fromSeq: number }): Promise<void> {
  return asAttacker(url, (raw) => ('seq' in rows ? raw.run('DELETE FROM audit_log WHERE seq = ?', [rows.seq]) : raw.run('DELETE FROM audit_log WHERE seq >= ?', [rows.fromSeq])));
}

/** Empties the audit log (TRUNCATE on PostgreSQL, DELETE on SQLite, which has no TRUNCATE). */
export function truncateAuditLog(url: string): Promise<void> {
  return asAttacker(url, (raw) => raw.run(isPostgres(url) ? 'TRUNCATE audit_log' : 'DELETE FROM audit_log'));
}

/**
 * SQLite's own check of the file's pages and indexes (`PRAGMA integrity_check`), read-only:
 * whether a killed process left a damaged file. Not tampering, but a raw look at the file the
 * store's façade does not offer, so it lives here with the only driver import.
 */
export function sqliteIntegrityCheck(file: string): string {
  const db = new BetterSqlite3(sqliteFile(file), { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}
