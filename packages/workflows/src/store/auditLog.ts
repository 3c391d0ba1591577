/**
 * The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained, each row's
 * hash covering the previous one, so an edited row breaks the chain from there on. A chain
 * cannot see rows cut off its end, so the latest (seq, hash) is also kept outside the
 * database, HMAC-signed with a key from configuration: the anchor.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { canonicalJson } from './canonicalJson.js';
import type { Database, Queryable } from './database.js';

const GENESIS = '0'.repeat(64);

/** What happened, who did it, and under which rule. */
export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly role: string;
  /** `case-opened`, `event`, `case-read`, `note`, `import`, `deadline-fired`… */
  readonly action: string;
  readonly caseId?: string;
  readonly event?: string;
  readonly ruleId?: string;
  readonly ruleVersion?: number;
  /** The data entered; stored with the row and covered by its hash. */
  readonly data: unknown;
}

export interface AuditRow extends Omit<AuditEntry, 'data'> {
  readonly seq: number;
  readonly data: unknown;
  readonly prevHash: string;
  readonly hash: string;
}

export interface StoredRow {
  seq: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  case_id: string | null;
  event: string | null;
  rule_id: string | null;
  rule_version: number | null;
  data: string;
  prev_hash: string;
  hash: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly rows: number;
  /** The first row whose hash or link is wrong, or the anchor's complaint. */
  readonly problem?: { readonly seq?: number; readonly message: string };
  readonly anchor?: { readonly seq: number; readonly hash: string };
}

/** The hash of a row, from its fields and the previous row's hash. */
function rowHash(row: Omit<StoredRow, 'hash'>): string {
  const { prev_hash: prev, ...fields } = row;
  return createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex');
}

export class AuditLog {
  readonly #db: Database;
  readonly #anchor: AuditAnchor;
  /** The newest row committed and waiting to be anchored, the newest anchored, and the write under way. */
  #wanted: { seq: number; hash: string } | undefined;
  #anchored = 0;
  #writing: Promise<void> | undefined;

  constructor(db: Database, anchor: AuditAnchor) {
    this.#db = db;
    this.#anchor = anchor;
  }

  /** Where the anchor is kept. */
  get anchorPath(): string {
    return this.#anchor.path;
  }

  /**
   * Appends a row inside `tx`, the write transaction that makes the change it records. Only
   * `AuditedWriter` calls this (it anchors after commit); nothing else in the package may.
   */
  async append(tx: Queryable, entry: AuditEntry): Promise<{ seq: number; hash: string }> {
    const last = await tx.get<{ seq: number; hash: string }>(LAST_ROW);
    const row = {
      seq: (last?.seq ?? 0) + 1,
      at: entry.at,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      case_id: entry.caseId ?? null,
      event: entry.event ?? null,
      rule_id: entry.ruleId ?? null,
      rule_version: entry.ruleVersion ?? null,
      data: canonicalJson(entry.data ?? null),
      prev_hash: last?.hash ?? GENESIS,
    };
    const hash = rowHash(row);
    await tx.run(
      `INSERT INTO audit_log (seq, at, actor, role, action, case_id, event, rule_id, rule_version, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.seq, row.at, row.actor, row.role, row.action, row.case_id, row.event, row.rule_id, row.rule_version, row.data, row.prev_hash, hash],
    );
    return { seq: row.seq, hash };
  }

  /**
   * Records `latest` (or the latest row) in the anchor, resolving once the anchor covers it.
   * Called after the transaction commits. Writers committed together share one anchor write: the
   * newest row is anchored, and it covers the rows before it.
   */
  async anchor(latest?: { seq: number; hash: string }): Promise<void> {
    const last = latest ?? (await this.#db.get<{ seq: number; hash: string }>(LAST_ROW));
    if (!last) return;
    if (!this.#wanted || last.seq > this.#wanted.seq) this.#wanted = last;
    while (this.#anchored < last.seq) {
      this.#writing ??= this.#writeAnchor().finally(() => (this.#writing = undefined));
      await this.#writing;
    }
  }

  async #writeAnchor(): Promise<void> {
    // Let the rest of a group's writers ask first, so one write covers them all.
    await new Promise((resolve) => setImmediate(resolve));
    const wanted = this.#wanted!;
    await this.#anchor.write(wanted.seq, wanted.hash);
    this.#anchored = Math.max(this.#anchored, wanted.seq);
  }

  /** The rows about one case, oldest first. */
  async entriesFor(caseId: string): Promise<AuditRow[]> {
    const rows = await this.#db.all<StoredRow>('SELECT * FROM audit_log WHERE case_id = ? ORDER BY seq', [caseId]);
    return rows.map(toAuditRow);
  }

  /** The rows of one action (`report-read`, say), oldest first. */
  async entriesOf(action: string): Promise<AuditRow[]> {
    const rows = await this.#db.all<StoredRow>('SELECT * FROM audit_log WHERE action = ? ORDER BY seq', [action]);
    return rows.map(toAuditRow);
  }

  /** Every row from `afterSeq` on, a page at a time, oldest first (copying a store, say). */
  async *rows(afterSeq = 0, page = 1000): AsyncGenerator<AuditRow & { readonly stored: StoredRow }> {
    for (let from = afterSeq; ; ) {
      const rows = await this.#db.all<StoredRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [from, page]);
      for (const row of rows) yield { ...toAuditRow(row), stored: row };
      if (rows.length < page) return;
      from = rows[rows.length - 1]!.seq;
    }
  }

  /**
   * Recomputes the chain from the first row and checks it against the anchor. Reports the
   * first row that does not match, or rows missing from the end.
   */
  async verify(): Promise<VerifyResult> {
    let prev = GENESIS;
    let expectedSeq = 1;
    let rows = 0;
    let anchoredHash: string | undefined;
    const anchor = this.#anchor.read();
    if ('error' in anchor) return { ok: false, rows: 0, problem: { message: anchor.error } };
    for await (const { stored: row } of this.rows()) {
      rows++;
      if (row.seq !== expectedSeq) return { ok: false, rows, problem: { seq: expectedSeq, message: `row ${expectedSeq} is missing (the next row is ${row.seq})` } };
      if (row.prev_hash !== prev) return { ok: false, rows, problem: { seq: row.seq, message: `row ${row.seq} does not follow row ${row.seq - 1}: its previous-hash does not match` } };
      const { hash, ...rest } = row;
      if (rowHash(rest) !== hash) return { ok: false, rows, problem: { seq: row.seq, message: `row ${row.seq} has been altered: its contents do not match its hash` } };
      if (anchor.value && row.seq === anchor.value.seq) anchoredHash = hash;
      prev = hash;
      expectedSeq++;
    }
    if (anchor.value) {
      const { seq, hash } = anchor.value;
      if (seq > rows) {
        return { ok: false, rows, anchor: anchor.value, problem: { seq: rows + 1, message: `the log ends at row ${rows} but the anchor records row ${seq}: rows have been removed from the end` } };
      }
      if (anchoredHash !== hash) {
        return { ok: false, rows, anchor: anchor.value, problem: { seq, message: `row ${seq} does not match the anchor's hash: the log has been rewritten` } };
      }
    } else if (rows > 0) {
      return { ok: false, rows, problem: { message: `no anchor found at ${this.#anchor.path}: the end of the log cannot be checked` } };
    }
    return anchor.value ? { ok: true, rows, anchor: anchor.value } : { ok: true, rows };
  }
}

const LAST_ROW = 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1';

/** Whether a lock file's holder is gone: a process of this machine no longer running, or a lock older than 10 s. */
async function abandoned(lock: string): Promise<boolean> {
  const [held, owner] = await Promise.all([stat(lock).catch(() => undefined), readFile(lock, 'utf8').catch(() => '')]);
  if (!held) return false;
  // The holder writes who it is as soon as it has the file: empty for long, it died in between.
  if (owner === '') return Date.now() - held.mtimeMs > 1_000;
  const [host, pid] = owner.split(' ');
  if (host === hostname() && Number(pid) > 0) {
    try {
      process.kill(Number(pid), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true;
    }
  }
  return Date.now() - held.mtimeMs > 10_000;
}

function toAuditRow(r: StoredRow): AuditRow {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    role: r.role,
    action: r.action,
    ...(r.case_id ? { caseId: r.case_id } : {}),
    ...(r.event ? { event: r.event } : {}),
    ...(r.rule_id ? { ruleId: r.rule_id } : {}),
    ...(r.rule_version !== null ? { ruleVersion: r.rule_version } : {}),
    data: JSON.parse(r.data) as unknown,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/**
 * The latest (seq, hash) of the audit log, in a file beside the database, signed with an
 * HMAC key the database does not hold.
 */
export class AuditAnchor {
  readonly path: string;
  readonly #key: Buffer;

  constructor(path: string, key: Buffer) {
    if (key.length < 16) throw new Error('the audit anchor key must be at least 16 bytes');
    this.path = path;
    this.#key = key;
  }

  /**
   * The anchor kept at `anchorPath`. The key comes from `key` (configuration, e.g.
   * AUDIT_ANCHOR_KEY); without one, a random key is kept in `audit-anchor.key` beside the
   * anchor (readable by its owner only) — fine for a local trial, not for production.
   */
  static at(anchorPath: string, key?: string): AuditAnchor {
    mkdirSync(dirname(anchorPath), { recursive: true });
    if (key) return new AuditAnchor(anchorPath, Buffer.from(key, 'utf8'));
    const keyPath = join(dirname(anchorPath), 'audit-anchor.key');
    if (!existsSync(keyPath)) {
      writeFileSync(keyPath, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(keyPath, 0o600);
    return new AuditAnchor(anchorPath, Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'utf8'));
  }

  read(): { value?: { seq: number; hash: string } } | { error: string } {
    if (!existsSync(this.path)) return {};
    try {
      const { seq, hash, mac } = JSON.parse(readFileSync(this.path, 'utf8')) as { seq: number; hash: string; mac: string };
      const expected = this.#mac(seq, hash);
      const given = Buffer.from(String(mac), 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return { error: `the anchor ${this.path} is not signed with this key: it was edited, or the key is wrong` };
      }
      return { value: { seq, hash } };
    } catch (error) {
      return { error: `the anchor ${this.path} cannot be read: ${(error as Error).message}` };
    }
  }

  /**
   * Records (seq, hash), unless the anchor already holds a later row. Read, compare and replace
   * happen under a lock file, so writers sharing the anchor (instances on a shared volume, the
   * CLI beside the service) never move it back.
   */
  async write(seq: number, hash: string): Promise<void> {
    await this.#locked(async () => {
      const current = this.read();
      // A broken anchor stays broken for verify to report; a later row anchored already stays.
      if ('error' in current || (current.value && current.value.seq >= seq)) return;
      const temp = `${this.path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temp, JSON.stringify({ seq, hash, mac: this.#mac(seq, hash).toString('hex') }));
      await rename(temp, this.path);
    });
  }

  /**
   * Runs `fn` holding `<anchor>.lock`. A lock left by a process that died (killed mid-write) is
   * taken over at once when it was this machine's, after 10 s when it was another's.
   */
  async #locked(fn: () => Promise<void>): Promise<void> {
    const lock = `${this.path}.lock`;
    for (;;) {
      try {
        const handle = await open(lock, 'wx');
        try {
          await handle.writeFile(`${hostname()} ${process.pid}`);
          await fn();
        } finally {
          await handle.close();
          await rm(lock, { force: true });
        }
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (await abandoned(lock)) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, 2));
      }
    }
  }

  #mac(seq: number, hash: string): Buffer {
    return createHmac('sha256', this.#key).update(`${seq}:${hash}`).digest();
  }
}
