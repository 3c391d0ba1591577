/**
 * The audit log: append-only (triggers refuse UPDATE and DELETE) and hash-chained, each row's
 * hash covering the previous one, so an edited row breaks the chain from there on. A chain
 * cannot see rows cut off its end, so the latest (seq, hash) is also kept outside the
 * database, HMAC-signed with a key from configuration: the anchor. The anchor is never made
 * afresh over a log that has rows: a missing, older or foreign one stops writes until someone
 * re-anchors on purpose (an audited act). Rows that change what the product shows bind the hash
 * of what they wrote (a case's snapshot, a pupil's record), and verify recomputes those too.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { StoreRefused } from '../errors.js';
import type { AuditWitness, WitnessEntry } from './auditWitness.js';
import { canonicalJson, contentHash } from './canonicalJson.js';
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
  /** What the write left in the store, by hash: verify recomputes these from the current rows. */
  readonly bound?: AuditBinding;
}

/** Hashes (sha256 of canonical JSON) of what a write left in the store. */
export interface AuditBinding {
  /** The case's persisted snapshot after the row's change (`case-opened`, `event`). */
  readonly snapshot?: string;
  /** Each pupil record written, by pupil id (`import`, an amendment). */
  readonly pupils?: Readonly<Record<string, string>>;
  /** Each case's snapshot, by case id: the state a store held when it began binding (`state-bound`). */
  readonly cases?: Readonly<Record<string, string>>;
}

export interface AuditRow extends Omit<AuditEntry, 'data' | 'bound'> {
  readonly seq: number;
  readonly data: unknown;
  readonly bound?: AuditBinding;
  readonly prevHash: string;
  readonly hash: string;
}

/** Where the binding is kept inside a row's data: a key no event payload can have. */
const BOUND = '@bound';

/** Thrown by every audited write while the anchor does not hold, or writes are stopped. */
export class AuditRefused extends StoreRefused {
  constructor(message: string) {
    super(message);
    this.name = 'AuditRefused';
  }
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
  /** The first row whose hash or link is wrong, the anchor's or the witness's complaint, or a case or pupil that differs from what the log bound. */
  readonly problem?: { readonly seq?: number; readonly caseId?: string; readonly pupilId?: string; readonly message: string };
  readonly anchor?: { readonly seq: number; readonly hash: string };
  /** How many witnessed anchors were checked (`verify({ witness })`). */
  readonly witnessed?: number;
}

export interface VerifyOptions {
  /** Anchors a witness recorded: each must be a row of this log, and none beyond its end. */
  readonly witness?: readonly WitnessEntry[];
}

/** What re-anchoring found and did. */
export interface ReAnchorResult {
  /** The anchor as it was: missing, unreadable or foreign, or the row it recorded. */
  readonly previous: string;
  /** The re-anchor row, now anchored. */
  readonly seq: number;
  readonly hash: string;
}

/** The hash of a row, from its fields and the previous row's hash. */
function rowHash(row: Omit<StoredRow, 'hash'>): string {
  const { prev_hash: prev, ...fields } = row;
  return createHash('sha256').update(prev).update(canonicalJson(fields)).digest('hex');
}

export class AuditLog {
  readonly #db: Database;
  readonly #anchor: AuditAnchor;
  readonly #witness: AuditWitness | undefined;
  /** The newest row committed and waiting to be anchored, the newest anchored, and the write under way. */
  #wanted: { seq: number; hash: string } | undefined;
  #anchored = 0;
  #writing: Promise<void> | undefined;
  /** Why writes are stopped (a verification failed), if they are. */
  #stopped: string | undefined;
  #witnessing: Promise<void> | undefined;
  #witnessWanted: { seq: number; hash: string } | undefined;
  #witnessError: string | undefined;
  /** Set when a write found the log empty and no anchor: its anchoring makes the store's first. */
  #first = false;

  constructor(db: Database, anchor: AuditAnchor, witness?: AuditWitness) {
    this.#db = db;
    this.#anchor = anchor;
    this.#witness = witness;
  }

  /** Where the anchor is kept. */
  get anchorPath(): string {
    return this.#anchor.path;
  }

  /** Why writes are stopped, or undefined while they run. */
  get stoppedBecause(): string | undefined {
    return this.#stopped;
  }

  /** The witness's last failure to record an anchor, or undefined when the last one was recorded (or there is no witness). */
  get witnessError(): string | undefined {
    return this.#witnessError;
  }

  /** Stops every audited write (`reason` says why), or lets them run again (undefined). */
  stopWrites(reason: string | undefined): void {
    this.#stopped = reason;
  }

  /**
   * Appends a row inside `tx`, the write transaction that makes the change it records. Only
   * `AuditedWriter` calls this (it anchors after commit); nothing else in the package may.
   * Before the row is written the anchor must hold: present (unless the log is empty), signed
   * with this key, at the log's last row or a row this log's writers announced. The row is
   * announced in the anchor before the transaction commits, so a process killed between commit
   * and anchoring leaves an anchor that still accounts for it.
   * @throws AuditRefused when writes are stopped or the anchor does not hold; nothing is written then.
   */
  async append(tx: Queryable, entry: AuditEntry, options: { readonly reAnchoring?: true } = {}): Promise<{ seq: number; hash: string }> {
    if (this.#stopped && !options.reAnchoring) throw new AuditRefused(`writes are stopped: ${this.#stopped}`);
    const last = await tx.get<{ seq: number; hash: string }>(LAST_ROW);
    if (!options.reAnchoring) await this.#checkAnchor(tx, last);
    const data = entry.bound ? { ...(entry.data as object | null), [BOUND]: entry.bound } : (entry.data ?? null);
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
      data: canonicalJson(data),
      prev_hash: last?.hash ?? GENESIS,
    };
    const hash = rowHash(row);
    await tx.run(
      `INSERT INTO audit_log (seq, at, actor, role, action, case_id, event, rule_id, rule_version, data, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [row.seq, row.at, row.actor, row.role, row.action, row.case_id, row.event, row.rule_id, row.rule_version, row.data, row.prev_hash, hash],
    );
    if (!options.reAnchoring) await this.#anchor.announce(row.seq, hash);
    return { seq: row.seq, hash };
  }

  /** Refuses the write unless the anchor accounts for the log's last row `last` (read in the write's own transaction). */
  async #checkAnchor(tx: Queryable, last: { seq: number; hash: string } | undefined): Promise<void> {
    // The anchor and its announcement are two files: read without the lock, another instance may be
    // anchoring between the two reads. Whatever does not add up is read again under the lock.
    const first = this.#anchor.read();
    const read = 'error' in first || !covers(first, last) ? await this.#anchor.readLocked() : first;
    const recover = `If the anchor was truly lost, check the log with "cases audit verify" and re-anchor it on purpose: cases audit re-anchor --as STAFF --reason TEXT`;
    if ('error' in read) throw new AuditRefused(`writes are refused: ${read.error}. ${recover}`);
    const { value: anchored, pending } = read;
    if (!last) {
      if (anchored) throw new AuditRefused(`writes are refused: the audit log is empty but the anchor ${this.#anchor.path} records row ${anchored.seq}: rows have been removed. ${recover}`);
      // A brand-new store: its first write makes the first anchor. (A log emptied with its anchor
      // deleted looks the same here; verify then finds cases and pupils no row vouches for.)
      this.#first = true;
      return;
    }
    if (!anchored) throw new AuditRefused(`writes are refused: the audit anchor ${this.#anchor.path} is missing while the audit log holds ${last.seq} rows, so the end of the log cannot be checked. ${recover}`);
    if (anchored && anchored.seq > last.seq) throw new AuditRefused(`writes are refused: the audit log ends at row ${last.seq} but the anchor ${this.#anchor.path} records row ${anchored.seq}: rows have been removed. ${recover}`);
    if (!covers(read, last)) throw new AuditRefused(`writes are refused: the audit anchor ${this.#anchor.path} is older than the log (it records row ${anchored?.seq ?? 0}, the log ends at row ${last.seq}) or is another log's. ${recover}`);
    if (anchored && anchored.seq !== last.seq) {
      const row = await tx.get<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = ?', [anchored.seq]);
      if (row?.hash !== anchored.hash) throw new AuditRefused(`writes are refused: row ${anchored.seq} does not match the anchor ${this.#anchor.path}: the log has been rewritten. ${recover}`);
    }
  }

  /**
   * Records `latest` in the anchor, resolving once the anchor covers it. Called after the
   * transaction commits. Writers committed together share one anchor write: the newest row is
   * anchored, and it covers the rows before it.
   */
  async anchor(latest: { seq: number; hash: string }): Promise<void> {
    if (!this.#wanted || latest.seq > this.#wanted.seq) this.#wanted = latest;
    while (this.#anchored < latest.seq) {
      this.#writing ??= this.#writeAnchor().finally(() => (this.#writing = undefined));
      await this.#writing;
    }
  }

  /**
   * Anchors the log's last row in a new anchor, for a store just made by copying (a backup, a
   * migration, a restore) whose rows were verified against their source.
   * @throws AuditRefused when an anchor exists there already: it belongs to another store.
   */
  async anchorCopy(): Promise<void> {
    const last = await this.#db.get<{ seq: number; hash: string }>(LAST_ROW);
    if (!last) return;
    await this.#anchor.create(last.seq, last.hash);
    this.#anchored = last.seq;
  }

  async #writeAnchor(): Promise<void> {
    // Let the rest of a group's writers ask first, so one write covers them all.
    await new Promise((resolve) => setImmediate(resolve));
    const wanted = this.#wanted!;
    const create = this.#first;
    this.#first = false;
    await this.#anchor.write(wanted.seq, wanted.hash, { create });
    this.#anchored = Math.max(this.#anchored, wanted.seq);
    this.witness(wanted);
  }

  /**
   * Sends the anchor `latest` (the last anchored, when not given) to the witness, in the
   * background: a slow or failing witness never holds up a write. Sends queued meanwhile
   * collapse into the newest. Resolves when that send is done (for the schedule and tests).
   */
  witness(latest?: { seq: number; hash: string }): Promise<void> {
    const witness = this.#witness;
    if (!witness) return Promise.resolve();
    const wanted = latest ?? this.#anchor.committed();
    if (!wanted) return Promise.resolve();
    if (!this.#witnessWanted || wanted.seq >= this.#witnessWanted.seq) this.#witnessWanted = wanted;
    const run = async (): Promise<void> => {
      while (this.#witnessWanted) {
        const next = this.#witnessWanted;
        this.#witnessWanted = undefined;
        try {
          await witness.append(this.#anchor.witnessEntry(next.seq, next.hash, new Date().toISOString()));
          this.#witnessError = undefined;
        } catch (error) {
          this.#witnessError = `the witness ${witness.target} did not record row ${next.seq}: ${(error as Error).message}`;
        }
      }
    };
    this.#witnessing ??= run().finally(() => (this.#witnessing = undefined));
    return this.#witnessing;
  }

  /**
   * Re-anchors the log at a new last row recording who did it, why, and the anchor as it was:
   * the recovery after a real loss of the anchor. The log must hold together on its own first.
   * @throws AuditRefused when the log itself does not verify (a re-anchor would hide that).
   */
  async reAnchor(by: { readonly at: string; readonly actor: string; readonly role: string }, reason: string): Promise<ReAnchorResult> {
    if (reason.trim() === '') throw new AuditRefused('a re-anchor needs a reason (--reason TEXT): why the anchor was lost');
    const chain = await this.#verify({ anchor: 'ignore' });
    if (!chain.ok) throw new AuditRefused(`the audit log does not verify on its own (${chain.problem?.message}): re-anchoring would hide that; investigate first`);
    const read = this.#anchor.read();
    const previous = 'error' in read ? read.error : read.value ? `row ${read.value.seq} (${read.value.hash})` : 'missing';
    const last = await this.#db.get<{ seq: number; hash: string }>(LAST_ROW);
    const latest = await this.#db.write((tx) =>
      this.append(tx, { ...by, action: 're-anchor', data: { reason, previousAnchor: previous, logEnd: last ? { seq: last.seq, hash: last.hash } : null } }, { reAnchoring: true }),
    );
    await this.#anchor.replace(latest.seq, latest.hash);
    this.#anchored = latest.seq;
    await this.witness(latest);
    return { previous, ...latest };
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
  async *rows(afterSeq = 0, page = 1000, q: Queryable = this.#db): AsyncGenerator<AuditRow & { readonly stored: StoredRow }> {
    for (let from = afterSeq; ; ) {
      const rows = await q.all<StoredRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [from, page]);
      for (const row of rows) yield { ...toAuditRow(row), stored: row };
      if (rows.length < page) return;
      from = rows[rows.length - 1]!.seq;
      await nextTurn();
    }
  }

  /**
   * Recomputes the chain from the first row and checks it against the anchor (and the witness's
   * anchors, when given); then checks every case's snapshot and every pupil's record against the
   * hash the last row to write it bound. Reports the first thing that does not match.
   */
  verify(options: VerifyOptions = {}): Promise<VerifyResult> {
    return this.#verify({ anchor: 'check', ...options });
  }

  async #verify(options: VerifyOptions & { readonly anchor: 'check' | 'ignore' }): Promise<VerifyResult> {
    // Read before the log: a writer anchoring meanwhile moves it on, never back.
    const before = this.#anchor.read();
    if (options.anchor === 'check' && 'error' in before) return { ok: false, rows: 0, problem: { message: before.error } };
    const anchor = 'error' in before || options.anchor === 'ignore' ? undefined : before.value;
    const witnessed = new Map<number, WitnessEntry[]>();
    for (const entry of options.witness ?? []) {
      if (!this.#anchor.witnessed(entry)) return { ok: false, rows: 0, problem: { message: `the witness holds an entry for row ${entry.seq} at ${entry.at} not signed with this key: it was forged, or the key is wrong` } };
      witnessed.set(entry.seq, [...(witnessed.get(entry.seq) ?? []), entry]);
    }
    let lastHash = GENESIS;
    // One consistent snapshot of the log, the cases and the pupils, whoever writes meanwhile.
    const result = await this.#db.read(async (q): Promise<VerifyResult> => {
      let prev = GENESIS;
      let rows = 0;
      let anchoredHash: string | undefined;
      const snapshots = new Map<string, { seq: number; hash: string }>();
      const records = new Map<string, { seq: number; hash: string }>();
      for await (const { stored: row, bound } of this.rows(0, 1000, q)) {
        rows++;
        if (row.seq !== rows) return { ok: false, rows, problem: { seq: rows, message: `row ${rows} is missing (the next row is ${row.seq})` } };
        if (row.prev_hash !== prev) return { ok: false, rows, problem: { seq: row.seq, message: `row ${row.seq} does not follow row ${row.seq - 1}: its previous-hash does not match` } };
        const { hash, ...rest } = row;
        if (rowHash(rest) !== hash) return { ok: false, rows, problem: { seq: row.seq, message: `row ${row.seq} has been altered: its contents do not match its hash` } };
        if (anchor && row.seq === anchor.seq) anchoredHash = hash;
        for (const entry of witnessed.get(row.seq) ?? []) {
          if (entry.hash !== hash) return { ok: false, rows, problem: { seq: row.seq, message: `row ${row.seq} does not match the anchor the witness recorded at ${entry.at}: the log has been rewritten` } };
        }
        if (bound?.snapshot && row.case_id) snapshots.set(row.case_id, { seq: row.seq, hash: bound.snapshot });
        for (const [caseId, h] of Object.entries(bound?.cases ?? {})) snapshots.set(caseId, { seq: row.seq, hash: h });
        for (const [pupilId, h] of Object.entries(bound?.pupils ?? {})) records.set(pupilId, { seq: row.seq, hash: h });
        prev = lastHash = hash;
      }
      const beyond = [...witnessed.keys()].filter((seq) => seq > rows).sort((a, b) => b - a)[0];
      if (beyond !== undefined) {
        const entry = witnessed.get(beyond)![0]!;
        return { ok: false, rows, problem: { seq: rows + 1, message: `the log ends at row ${rows} but the witness recorded row ${beyond} at ${entry.at}: rows have been removed, or an older copy of the store was put back` } };
      }
      if (anchor && anchor.seq > rows) {
        return { ok: false, rows, anchor, problem: { seq: rows + 1, message: `the log ends at row ${rows} but the anchor records row ${anchor.seq}: rows have been removed from the end` } };
      }
      if (anchor && anchoredHash !== anchor.hash) {
        return { ok: false, rows, anchor, problem: { seq: anchor.seq, message: `row ${anchor.seq} does not match the anchor's hash: the log has been rewritten` } };
      }
      for await (const c of pagesOf<{ id: string; snapshot: string }>(q, 'SELECT id, snapshot FROM cases WHERE id > ? ORDER BY id LIMIT ?')) {
        const bound = snapshots.get(c.id);
        if (!bound) return { ok: false, rows, problem: { caseId: c.id, message: `case ${c.id} is not in the audit log: no row opened or changed it` } };
        if (contentHash(c.snapshot) !== bound.hash) return { ok: false, rows, problem: { seq: bound.seq, caseId: c.id, message: `case ${c.id} has been altered: its stored state does not match the hash row ${bound.seq} bound` } };
        snapshots.delete(c.id);
      }
      const gone = snapshots.keys().next();
      if (!gone.done) return { ok: false, rows, problem: { caseId: gone.value, message: `case ${gone.value} is in the audit log but not in the store: it has been deleted` } };
      for await (const p of pagesOf<{ id: string; record: string }>(q, 'SELECT id, record FROM pupils WHERE id > ? ORDER BY id LIMIT ?')) {
        const bound = records.get(p.id);
        if (!bound) return { ok: false, rows, problem: { pupilId: p.id, message: `pupil ${p.id} is not in the audit log: no import or amendment wrote their record` } };
        if (contentHash(p.record) !== bound.hash) return { ok: false, rows, problem: { seq: bound.seq, pupilId: p.id, message: `pupil ${p.id}'s record has been altered: it does not match the hash row ${bound.seq} bound` } };
      }
      return { ok: true, rows, ...(anchor ? { anchor } : {}), ...(options.witness ? { witnessed: options.witness.length } : {}) };
    });
    if (!result.ok || options.anchor === 'ignore') return result;
    if (!anchor && result.rows > 0) return { ok: false, rows: result.rows, problem: { message: `no anchor found at ${this.#anchor.path}: the end of the log cannot be checked` } };
    // Rows past the anchor are a writer's still being anchored (announced, or anchored since), or
    // rows the anchor never saw: an older anchor put back. Asked again briefly, for the writer.
    for (let attempt = 0; anchor && result.rows > anchor.seq; attempt++) {
      const now = this.#anchor.read();
      const covers = !('error' in now) && ((now.value && now.value.seq >= result.rows) || (now.pending && (now.pending.seq > result.rows || (now.pending.seq === result.rows && now.pending.hash === lastHash))));
      if (covers) break;
      if (attempt === 3) {
        return { ok: false, rows: result.rows, anchor, problem: { seq: anchor.seq + 1, message: `the anchor records row ${anchor.seq} but the log runs on to row ${result.rows}: the anchor is older than the log (an older anchor was put back, or rows were added round the store)` } };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return result;
  }
}

/** Whether the anchor, or the row announced, accounts for the log's last row. */
function covers(read: { value?: AnchoredRow; pending?: AnchoredRow }, last: { seq: number; hash: string } | undefined): boolean {
  if (!last) return true;
  const { value: anchored, pending } = read;
  return (anchored !== undefined && anchored.seq === last.seq && anchored.hash === last.hash) || (pending !== undefined && (pending.seq > last.seq || (pending.seq === last.seq && pending.hash === last.hash)));
}

/**
 * Lets the event loop run between pages: SQLite answers synchronously, so a whole trail read
 * page after page would otherwise hold every other request (a head's turn, /healthz) until done.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Rows of `sql` (`… WHERE id > ? ORDER BY id LIMIT ?`), a page at a time. */
async function* pagesOf<T extends { id: string }>(q: Queryable, sql: string, page = 1000): AsyncGenerator<T> {
  for (let after = ''; ; ) {
    const rows = await q.all<T>(sql, [after, page]);
    yield* rows;
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.id;
    await nextTurn();
  }
}

interface AnchoredRow {
  readonly seq: number;
  readonly hash: string;
}
interface SignedRow extends AnchoredRow {
  readonly mac: string;
}

/** The announcement's fixed length: longer than any (seq, hash, mac) line, so one overwrites the last whole. */
const PENDING_LENGTH = 256;

/** The tail of each anchor's queue of writers in this process, by path. */
const inProcess = new Map<string, Promise<void>>();

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
  let data = JSON.parse(r.data) as unknown;
  let bound: AuditBinding | undefined;
  // The binding is the verifier's: readers see the data as it was entered.
  if (data && typeof data === 'object' && BOUND in data) {
    const { [BOUND]: b, ...rest } = data as Record<string, unknown>;
    bound = b as AuditBinding;
    data = rest;
  }
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
    data,
    ...(bound ? { bound } : {}),
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

  /**
   * The anchor: the last row anchored (`value`) and the row a writer announced before committing
   * it (`pending`), each checked against the key; an error when it is unreadable or foreign.
   */
  /** `read()`, under the anchor's lock: no anchoring is half done meanwhile. */
  async readLocked(): Promise<ReturnType<AuditAnchor['read']>> {
    let result: ReturnType<AuditAnchor['read']> = { error: 'the anchor was not read' };
    await this.#locked(async () => {
      result = this.read();
    });
    return result;
  }

  read(): { value?: AnchoredRow; pending?: AnchoredRow } | { error: string } {
    if (!existsSync(this.path)) return {};
    try {
      const value = this.#checked('', JSON.parse(readFileSync(this.path, 'utf8')) as Partial<SignedRow>);
      if (!value) return { error: `the anchor ${this.path} is not signed with this key: it was edited, or the key is wrong` };
      const pending = this.#pending();
      return { value, ...(pending ? { pending } : {}) };
    } catch (error) {
      return { error: `the anchor ${this.path} cannot be read: ${(error as Error).message}` };
    }
  }

  /** The row announced last (`<anchor>.pending`), if it is there and signed; anything else counts as none. */
  #pending(): AnchoredRow | undefined {
    try {
      return this.#checked('pending:', JSON.parse(readFileSync(`${this.path}.pending`, 'utf8')) as Partial<SignedRow>) ?? undefined;
    } catch {
      return undefined;
    }
  }

  /** The last row anchored, if the anchor holds. */
  committed(): AnchoredRow | undefined {
    const read = this.read();
    return 'error' in read ? undefined : read.value;
  }

  /**
   * Announces (seq, hash), a row about to be committed, in `<anchor>.pending`, so the anchor
   * accounts for it should the process die before `write`. Called inside the write transaction
   * (only the holder of the database's write lock announces), and under the anchor's lock: another
   * instance anchoring meanwhile must not remove this announcement as one it has anchored.
   */
  async announce(seq: number, hash: string): Promise<void> {
    await this.#locked(async () => this.#announce(seq, hash));
  }

  #announce(seq: number, hash: string): void {
    // Overwritten in place at a fixed length: no truncation or rename, which ext4 flushes to disk
    // (a millisecond a write, inside the lock). A torn write fails its MAC and counts as none.
    const line = JSON.stringify({ seq, hash, mac: this.#sign(`pending:${seq}:${hash}`).toString('hex') }).padEnd(PENDING_LENGTH);
    const fd = openSync(`${this.path}.pending`, constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      writeSync(fd, line, 0);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Records (seq, hash), unless the anchor already holds a later row. Read, compare and replace
   * happen under a lock file, so writers sharing the anchor (instances on a shared volume, the
   * CLI beside the service) never move it back. A missing anchor is made only for a store's
   * first rows (`create`): otherwise the next write is refused instead.
   */
  async write(seq: number, hash: string, options: { readonly create?: boolean } = {}): Promise<void> {
    await this.#locked(async () => {
      const current = this.read();
      // A broken or vanished anchor stays so for verify and the next write to report; a later row anchored already stays.
      if ('error' in current || (!current.value && !options.create) || (current.value && current.value.seq >= seq)) return;
      await this.#save({ seq, hash });
      // An announcement now anchored goes, so an older anchor put back is not covered by it. (Under
      // the lock, which announcing takes too: no writer, of any instance, announces meanwhile.)
      const pending = this.#pending();
      if (pending && pending.seq <= seq) rmSync(`${this.path}.pending`, { force: true });
    });
  }

  /** A first anchor at (seq, hash), for a store made by copying. @throws AuditRefused when there is one already. */
  async create(seq: number, hash: string): Promise<void> {
    await this.#locked(async () => {
      if (existsSync(this.path)) throw new AuditRefused(`an anchor exists at ${this.path} already: it belongs to another store; move it aside first`);
      await this.#save({ seq, hash });
    });
  }

  /** Replaces whatever is there with (seq, hash): re-anchoring, and nothing else. */
  async replace(seq: number, hash: string): Promise<void> {
    await this.#locked(async () => {
      rmSync(`${this.path}.pending`, { force: true });
      await this.#save({ seq, hash });
    });
  }

  /** An anchor for a witness, signed so a line added there by someone else is told apart. */
  witnessEntry(seq: number, hash: string, at: string): WitnessEntry {
    return { seq, hash, at, mac: this.#sign(`witness:${seq}:${hash}:${at}`).toString('hex') };
  }

  /** Whether `entry` was signed by `witnessEntry` with this key. */
  witnessed(entry: WitnessEntry): boolean {
    return this.#equal(entry.mac, this.#sign(`witness:${entry.seq}:${entry.hash}:${entry.at}`));
  }

  async #save(value: AnchoredRow): Promise<void> {
    const temp = `${this.path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify({ seq: value.seq, hash: value.hash, mac: this.#mac(value.seq, value.hash).toString('hex') }));
    await rename(temp, this.path);
  }

  /** The row in `part` when its mac checks; null when it does not. */
  #checked(prefix: string, part: Partial<SignedRow>): AnchoredRow | null {
    const { seq, hash, mac } = part;
    if (typeof seq !== 'number' || typeof hash !== 'string') return null;
    return this.#equal(mac, this.#sign(`${prefix}${seq}:${hash}`)) ? { seq, hash } : null;
  }

  #equal(mac: unknown, expected: Buffer): boolean {
    const given = Buffer.from(String(mac), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * Runs `fn` holding `<anchor>.lock`. A lock left by a process that died (killed mid-write) is
   * taken over at once when it was this machine's, after 10 s when it was another's.
   */
  async #locked(fn: () => Promise<void>): Promise<void> {
    // Writers in this process queue here, so the file lock is only polled for other processes'.
    const previous = inProcess.get(this.path) ?? Promise.resolve();
    const mine = previous.then(() => this.#fileLocked(fn));
    const settled = mine.catch(() => undefined);
    inProcess.set(this.path, settled);
    try {
      return await mine;
    } finally {
      if (inProcess.get(this.path) === settled) inProcess.delete(this.path);
    }
  }

  async #fileLocked(fn: () => Promise<void>): Promise<void> {
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
    return this.#sign(`${seq}:${hash}`);
  }

  #sign(text: string): Buffer {
    return createHmac('sha256', this.#key).update(text).digest();
  }
}
