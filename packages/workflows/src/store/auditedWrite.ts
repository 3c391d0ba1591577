/**
 * The one way the store makes an audited change: a write transaction whose function records
 * what it did with `tx.audit(...)`; the rows commit with the change or not at all, and once
 * committed the latest row is anchored. While the anchor does not hold, or a failed verification
 * has stopped writes, `tx.audit` throws and the whole write is rolled back. No caller writes an audit row or an anchor by hand, so
 * neither can be forgotten.
 */
import type { AuditEntry, AuditLog } from './auditLog.js';
import type { Database, Queryable } from './database.js';

/** A write transaction that can record what it does in the audit trail. */
export interface AuditedTx extends Queryable {
  audit(entry: AuditEntry): Promise<void>;
}

export type AuditedWrite = <T>(fn: (tx: AuditedTx) => Promise<T>) => Promise<T>;

/** The audited write over `db` and its audit log. */
export function auditedWriter(db: Database, log: AuditLog): AuditedWrite {
  return async (fn) => {
    let latest: { seq: number; hash: string } | undefined;
    const result = await db.write((tx) =>
      fn({
        all: (sql, params) => tx.all(sql, params),
        get: (sql, params) => tx.get(sql, params),
        run: (sql, params) => tx.run(sql, params),
        audit: async (entry) => {
          latest = await log.append(tx, entry);
        },
      }),
    );
    if (latest) await log.anchor(latest);
    return result;
  };
}
