/**
 * Copying a store to another database — a SQLite trial moving to PostgreSQL, say — row for row,
 * the audit chain byte for byte, in one transaction on the target. The source's chain is
 * verified first and the copy's after, against an anchor written for the copy; a target that
 * already holds data is refused, so nothing there is overwritten.
 */
import { AuditAnchor, AuditLog, type VerifyResult } from './auditLog.js';
import { copyFileSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreRefused } from '../errors.js';
import { isPostgresUrl, openDatabase, sqlitePath, type Database, type SqlValue } from './database.js';
import { carryKeyFile, keyFileNeeded } from './pupilKeys.js';

/** Every table, parents before children; `leases` is left behind (it belongs to running instances). */
const TABLES = ['schools', 'calendars', 'staff', 'staff_schools', 'pupils', 'cases', 'deadlines', 'outbox', 'staff_addresses', 'deliveries', 'letters', 'pupil_keys', 'pupil_names', 'mis_cursors', 'audit_log'] as const;
const KEYS: Readonly<Record<(typeof TABLES)[number], string>> = {
  schools: 'id',
  calendars: 'school_id, academic_year',
  staff: 'id',
  staff_schools: 'staff_id, school_id',
  pupils: 'id',
  cases: 'id',
  deadlines: 'case_id, key',
  outbox: 'id',
  staff_addresses: 'staff_id, channel',
  deliveries: 'outbox_id, channel, staff_id',
  letters: 'id',
  pupil_keys: 'pupil_id',
  pupil_names: 'pupil_id',
  mis_cursors: 'school_id, system',
  audit_log: 'seq',
};

export interface CopyResult {
  readonly rows: Readonly<Record<string, number>>;
  readonly verified: VerifyResult;
}

export interface StoreLocation {
  /** `postgres://…`, `sqlite:FILE` or a path. */
  readonly url: string;
  readonly anchorPath: string;
  readonly anchorKey?: string;
}

/**
 * Copies the store at `from` into the empty database at `to`.
 * @throws StoreRefused when the source is missing or its audit trail does not verify, or the target is not empty.
 */
export async function copyStore(from: StoreLocation, to: StoreLocation): Promise<CopyResult> {
  if (!isPostgresUrl(from.url) && !existsSync(sqlitePath(from.url))) throw new StoreRefused(`there is no store at ${sqlitePath(from.url)} to copy`);
  if (from.url === to.url || (!isPostgresUrl(from.url) && !isPostgresUrl(to.url) && existsSync(sqlitePath(to.url)) && realpathSync(sqlitePath(from.url)) === realpathSync(sqlitePath(to.url)))) {
    throw new StoreRefused('the source and the target are the same database');
  }
  const source = await openDatabase(from.url);
  let target: Database | undefined;
  try {
    const sourceCheck = await new AuditLog(source, AuditAnchor.at(from.anchorPath, from.anchorKey)).verify();
    if (!sourceCheck.ok) throw new StoreRefused(`the source's audit trail does not verify (${sourceCheck.problem?.message}); fix that before copying`);
    target = await openDatabase(to.url);
    const db = target;
    for (const table of TABLES) {
      const found = await db.get(`SELECT 1 AS found FROM ${table} LIMIT 1`);
      if (found) throw new StoreRefused(`the target already holds data (table ${table} is not empty); copy into an empty database`);
    }
    // The copy's sealed text opens only with the source's pupil data key: carried once the copy is made.
    keyFileNeeded(from.anchorPath, to.anchorPath);
    const rows: Record<string, number> = {};
    // One snapshot of the source, so a store copied while its service runs is copied as of one moment.
    await source.read((snapshot) => db.write(async (tx) => {
      for (const table of TABLES) {
        rows[table] = 0;
        for (let offset = 0; ; offset += 1000) {
          const page = await snapshot.all<Record<string, SqlValue>>(`SELECT * FROM ${table} ORDER BY ${KEYS[table]} LIMIT 1000 OFFSET ?`, [offset]);
          for (const row of page) {
            const columns = Object.keys(row);
            await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, columns.map((c) => row[c] ?? null));
          }
          rows[table] += page.length;
          if (page.length < 1000) break;
        }
      }
      // The copied outbox ids were given explicitly: PostgreSQL's identity must carry on after them.
      if (db.dialect === 'postgres') await tx.run(`SELECT setval(pg_get_serial_sequence('outbox', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM outbox), false)`);
    }));
    carryKeyFile(from.anchorPath, to.anchorPath);
    const log = new AuditLog(db, AuditAnchor.at(to.anchorPath, to.anchorKey));
    await log.anchorCopy();
    return { rows, verified: await log.verify() };
  } finally {
    await source.close();
    await target?.close();
  }
}

/**
 * Puts the SQLite backup `file` (made by `CaseStore.backup`, with `FILE.anchor` beside it) in
 * place of the store at `to`, which must not exist yet — nor its anchor, which belongs to some
 * other store. The backup's chain is verified against its own anchor first; once in place it is
 * anchored under the target's anchor and key, and verified there.
 * @throws StoreRefused when something is missing or in the way; nothing is written then.
 */
export async function restoreBackup(file: string, to: StoreLocation): Promise<VerifyResult> {
  if (isPostgresUrl(to.url)) throw new StoreRefused('restore a PostgreSQL store with pg_restore into an empty database, then run "cases audit verify" against it');
  if (!existsSync(file)) throw new StoreRefused(`no backup at ${file}`);
  if (!existsSync(`${file}.anchor`)) throw new StoreRefused(`no anchor at ${file}.anchor: "cases backup" writes one beside the backup; without it the backup's end cannot be checked`);
  const target = sqlitePath(to.url);
  if (existsSync(target)) throw new StoreRefused(`${target} exists: move it aside first (restore never overwrites a store)`);
  if (existsSync(to.anchorPath)) throw new StoreRefused(`an anchor exists at ${to.anchorPath}: it belongs to another store; move it aside first`);
  keyFileNeeded(`${file}.anchor`, to.anchorPath);
  mkdirSync(dirname(target), { recursive: true });
  const staged = `${target}.restoring`;
  copyFileSync(file, staged);
  const copy = await openDatabase(staged);
  const checked = await new AuditLog(copy, AuditAnchor.at(`${file}.anchor`, to.anchorKey)).verify().finally(() => copy.close());
  if (!checked.ok) {
    for (const f of [staged, `${staged}-wal`, `${staged}-shm`]) rmSync(f, { force: true });
    return checked;
  }
  carryKeyFile(`${file}.anchor`, to.anchorPath);
  renameSync(staged, target);
  const restored = await openDatabase(target);
  try {
    const log = new AuditLog(restored, AuditAnchor.at(to.anchorPath, to.anchorKey));
    await log.anchorCopy();
    return await log.verify();
  } finally {
    await restored.close();
  }
}
