/**
 * The attacker: someone with direct access to the database — the SQLite file, or a PostgreSQL
 * login that owns the tables — going round the store to edit, delete or truncate audit rows.
 * The store must still notice, through its hash chain and its anchor.
 *
 * The raw access itself is the workflows package's attacker (src/store/tamper.ts, never built
 * into what ships), so the drivers stay inside the store's folder: every other read of what the
 * service stored goes through the case store's façade (stores.ts). By default the attacker first
 * switches off the append-only protection, as anyone determined would: on SQLite they drop the
 * triggers; on PostgreSQL they `ALTER TABLE audit_log DISABLE TRIGGER USER`, and turn the
 * triggers back on afterwards to cover their tracks. With `{ keepProtection: true }` they try
 * without (to see the triggers refuse).
 */
import { asAttacker } from '../../packages/workflows/src/store/tamper.js';

export { asAttacker };
export type { AttackOptions, RawConnection } from '../../packages/workflows/src/store/tamper.js';

const isPostgres = (url: string) => /^postgres(ql)?:\/\//i.test(url);

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
 * SQLite's own check of the file's pages and indexes (`PRAGMA integrity_check`), with the
 * append-only protection left in place: whether a killed process left a damaged file. Not
 * tampering, but a raw look at the file the store's façade does not offer.
 */
export async function sqliteIntegrityCheck(file: string): Promise<string> {
  const rows = await asAttacker(file, (raw) => raw.all<{ integrity_check: string }>('PRAGMA integrity_check'), { keepProtection: true });
  return rows.map((r) => r.integrity_check).join('\n');
}

export { editPupilRecord, forgeSnapshot, rechain } from '../../packages/workflows/src/store/tamper.js';
