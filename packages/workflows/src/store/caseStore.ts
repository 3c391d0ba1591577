/**
 * The case store: schools, staff, pupils, cases, deadlines, the outbox and the audit trail, as
 * a typed façade of small repositories over one database — a SQLite file by default, or
 * PostgreSQL when `DATABASE_URL` names one. The handle stays in here: callers read and write
 * through the repositories, each write audited.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM } from '../access.js';
import { CaseService } from '../cases/caseService.js';
import { englishDate, systemClock, type Clock } from '../clock.js';
import { StoreRefused } from '../errors.js';
import { followOnRequest } from '../cases/escalations.js';
import type { CaseDefinition, CaseKind, CaseSettings } from '../machines/caseDefinition.js';
import { nurtureCapacity } from '../support/nurtureCaseload.js';
import { ehcLocalTargetWeeks } from '../support/ehcTimescales.js';
import { CASE_DEFINITIONS } from '../machines/index.js';
import { fireDueDeadlines, type TickResult } from '../cases/scheduler.js';
import { AuditAnchor, AuditLog, AuditRefused, type AuditRow, type ReAnchorResult, type VerifyOptions, type VerifyResult } from './auditLog.js';
import { auditWitness, type WitnessEntry } from './auditWitness.js';
import { auditedWriter, type AuditedWrite } from './auditedWrite.js';
import { contentHash } from './canonicalJson.js';
import { DisplayNames } from './displayNames.js';
import { DEFAULT_DATABASE_PATH, isPostgresUrl, openDatabase, sqlitePath, type Database, type Dialect } from './database.js';
import { Leases } from './leases.js';
import { Letters } from './letters.js';
import { Outbox, type DeliveryResult, type OutboxSender } from './outbox.js';
import { PupilData } from './pupilData.js';
import { carryKeyFile, pupilKeyFile, PupilKeys } from './pupilKeys.js';
import { Pupils } from './pupils.js';
import { ReportReads } from './reportReads.js';
import { StaffDirectory } from './staff.js';

export interface CaseStoreOptions {
  /**
   * Where the data is: `postgres://…` for PostgreSQL, otherwise a SQLite file (`sqlite:FILE` or
   * a path); `data/cases.db` by default.
   */
  readonly url?: string;
  /** The HMAC key for the audit anchor (configuration: AUDIT_ANCHOR_KEY). */
  readonly anchorKey?: string;
  /** Where the anchor is kept: beside a SQLite file by default; `data/audit.anchor` for PostgreSQL. */
  readonly anchorPath?: string;
  /**
   * The deployment key that wraps each pupil's data key (configuration: PUPIL_DATA_KEY, 64 hex
   * characters). Without it, a random key kept in `pupil-data.key` beside the anchor: for a trial.
   */
  readonly pupilDataKey?: string;
  /** Where each anchor is also appended, outside the host: a file (another mount) or an http(s) URL (AUDIT_WITNESS). */
  readonly witness?: string;
  readonly clock?: Clock;
  readonly definitions?: Readonly<Record<CaseKind, CaseDefinition>>;
  /** Places on the nurture outreach caseload, checked inside the write that gives one (default: NURTURE_OUTREACH_CAPACITY, else 30). */
  readonly nurtureCapacity?: number;
  /** The council's EHC target for a child in care or on a child-protection plan (default: EHC_LOCAL_TARGET_WEEKS_CIC, else 16). */
  readonly ehcLocalTargetWeeks?: number;
}

/** Read-only access to the audit trail: a case's rows, and the whole chain checked. */
export interface AuditTrail {
  /** The rows about one case, oldest first. Not access-checked: a person reads them through `cases.timeline`. */
  entriesFor(caseId: string): Promise<AuditRow[]>;
  /** The rows of one action (`report-read`, say), oldest first. Not access-checked: for audits and tests. */
  entriesOf(action: string): Promise<AuditRow[]>;
  /** Recomputes the chain, checks it against the anchor (and `witness`'s anchors), and every case's and pupil's bound hash. */
  verify(options?: VerifyOptions): Promise<VerifyResult>;
  /** Where the anchor is kept. */
  readonly anchorPath: string;
  /**
   * Re-anchors the log after a real loss of its anchor, as an audited row naming who and why.
   * @throws AuditRefused when the log does not hold together on its own.
   */
  reAnchor(actor: { readonly id: string; readonly role: string }, reason: string): Promise<ReAnchorResult>;
  /** Stops every audited write, saying why (a failed verification), or lets them run again (undefined). */
  stopWrites(reason: string | undefined): void;
  /** Why writes are stopped, if they are. */
  readonly stoppedBecause: string | undefined;
  /** Sends the current anchor to the witness (a no-op without one). */
  witness(): Promise<void>;
  /** The witness's last failure, if the last send failed. */
  readonly witnessError: string | undefined;
  /** The entries the witness `target` holds (this store's witness when not given). @throws Error when there is none, or it cannot be read. */
  witnessed(target?: string): Promise<WitnessEntry[]>;
}

export class CaseStore {
  /** Which database holds the store, and where (safe to print). */
  readonly backend: { readonly dialect: Dialect; readonly location: string };
  readonly cases: CaseService;
  readonly staff: StaffDirectory;
  readonly pupils: Pupils;
  readonly outbox: Outbox;
  readonly leases: Leases;
  /** Reads of the figures, recorded in the audit trail (`buildReport`'s `auditAs`). */
  readonly reportReads: ReportReads;
  /** The letters made for each case, kept with it (names and addresses only there); made by `makeLetter`. */
  readonly letters: Letters;
  /** Names a school chose to hold for its staff to see (off by default). */
  readonly displayNames: DisplayNames;
  /** A pupil's data out again: subject access, erasure, retention. */
  readonly pupilData: PupilData;
  readonly audit: AuditTrail;
  /** The deployment's settings the cases keep to (the nurture outreach capacity, the EHC local target). */
  readonly settings: CaseSettings;
  readonly #db: Database;
  readonly #write: AuditedWrite;
  readonly #clock: Clock;
  readonly #anchorKey: string | undefined;

  private constructor(db: Database, log: AuditLog, keys: PupilKeys, clock: Clock, definitions: Readonly<Record<CaseKind, CaseDefinition>>, anchorKey: string | undefined, witness: string | undefined, settings: CaseSettings) {
    this.#db = db;
    this.#anchorKey = anchorKey;
    this.#clock = clock;
    this.settings = settings;
    this.#write = auditedWriter(db, log);
    this.backend = { dialect: db.dialect, location: db.location };
    // A day an event sets for something in school is checked on the school's stored calendar.
    this.cases = new CaseService(db, this.#write, log, keys, definitions, clock, (schoolId, date) => this.pupils.calendarFor(schoolId, date), {
      settings,
      followOnRequest: (actor, from, followOn) => followOnRequest(this, actor, from, followOn),
    });
    this.staff = new StaffDirectory(db, this.#write, clock);
    this.pupils = new Pupils(db, this.#write, clock);
    this.outbox = new Outbox(db, this.#write);
    this.leases = new Leases(db);
    this.reportReads = new ReportReads(this.#write, clock);
    this.letters = new Letters(db, this.#write, keys, clock);
    this.displayNames = new DisplayNames(db, this.#write, keys, clock);
    this.pupilData = new PupilData(db, this.#write, log, keys, this.cases, clock);
    this.audit = {
      // As people read them: sealed free text opened, or shown erased.
      entriesFor: async (id) => keys.open(db, await log.entriesFor(id)),
      entriesOf: async (action) => keys.open(db, await log.entriesOf(action)),
      verify: (options) => log.verify(options),
      anchorPath: log.anchorPath,
      reAnchor: (actor, reason) => log.reAnchor({ at: clock().toISOString(), actor: actor.id, role: actor.role }, reason),
      stopWrites: (reason) => log.stopWrites(reason),
      get stoppedBecause() {
        return log.stoppedBecause;
      },
      witness: () => log.witness(),
      get witnessError() {
        return log.witnessError;
      },
      witnessed: (target = witness) => {
        if (!target) return Promise.reject(new StoreRefused('no witness to check against: give --witness FILE|URL, or set AUDIT_WITNESS'));
        return auditWitness(target)
          .read()
          .catch((error: unknown) => Promise.reject(new StoreRefused(`cannot read the witness ${target}: ${(error as Error).message}`)));
      },
    };
  }

  /** Opens (creating and migrating) the store. */
  static async open(options: CaseStoreOptions = {}): Promise<CaseStore> {
    const url = options.url ?? DEFAULT_DATABASE_PATH;
    const anchorPath = options.anchorPath ?? defaultAnchorPath(url);
    const anchorKey = options.anchorKey ?? process.env.AUDIT_ANCHOR_KEY;
    const anchor = AuditAnchor.at(anchorPath, anchorKey);
    const keys = PupilKeys.from(options.pupilDataKey ?? process.env.PUPIL_DATA_KEY, pupilKeyFile(anchorPath));
    // Each setting is read when it is used (a place given, an EHC request opened, the figures shown):
    // a bad NURTURE_OUTREACH_CAPACITY or EHC_LOCAL_TARGET_WEEKS_CIC refuses those, not every other use of the store.
    const capacity = options.nurtureCapacity;
    const localTarget = options.ehcLocalTargetWeeks;
    const settings: CaseSettings = {
      get nurtureCapacity() {
        return capacity ?? nurtureCapacity();
      },
      get ehcLocalTargetWeeks() {
        return localTarget ?? ehcLocalTargetWeeks();
      },
    };
    const db = await openDatabase(url);
    const log = new AuditLog(db, anchor, options.witness ? auditWitness(options.witness) : undefined);
    const store = new CaseStore(db, log, keys, options.clock ?? systemClock, options.definitions ?? CASE_DEFINITIONS, anchorKey, options.witness, settings);
    await store.#bindStateWrittenBefore();
    await store.#sealLettersKeptBefore();
    return store;
  }

  /**
   * A store written before the audit log bound cases and pupils by hash (no row holds a binding,
   * yet there are cases or pupils) gets one `state-bound` row binding them as they stand — once, so
   * an upgraded store verifies from then on. What was changed behind the store before the upgrade
   * cannot be told; the row says when binding began. A trail that does not hold is left for
   * verification to report: nothing is bound over it.
   */
  async #bindStateWrittenBefore(): Promise<void> {
    const bindingKnown = await this.#db.get<{ one: number }>(`SELECT 1 AS one FROM audit_log WHERE data LIKE '%"@bound"%' LIMIT 1`);
    if (bindingKnown) return;
    const cases = await this.#db.all<{ id: string; snapshot: string }>('SELECT id, snapshot FROM cases ORDER BY id');
    const pupils = await this.#db.all<{ id: string; record: string }>('SELECT id, record FROM pupils ORDER BY id');
    if (cases.length === 0 && pupils.length === 0) return;
    try {
      await this.#write(async (tx) => {
        await tx.audit({
          at: this.#clock().toISOString(),
          actor: SYSTEM.id,
          role: SYSTEM.role,
          action: 'state-bound',
          data: { cases: cases.length, pupils: pupils.length, why: 'written before the audit log bound cases and pupils by hash: bound as they stood when this version first opened the store' },
          bound: { cases: Object.fromEntries(cases.map((c) => [c.id, contentHash(c.snapshot)])), pupils: Object.fromEntries(pupils.map((p) => [p.id, contentHash(p.record)])) },
        });
      });
    } catch (error) {
      if (!(error instanceof AuditRefused)) throw error;
    }
  }

  /** Letters an earlier version kept in plaintext are sealed on upgrade; a trail that does not hold is left for verification to report. */
  async #sealLettersKeptBefore(): Promise<void> {
    try {
      await this.letters.sealKeptBefore(this.#db);
    } catch (error) {
      if (!(error instanceof AuditRefused)) throw error;
    }
  }

  /** Today's school date (England) by the store's clock: what a person's "done on" may not be after. */
  today(): string {
    return englishDate(this.#clock());
  }

  /** Fires the deadlines that have come due by `now`. */
  fireDueDeadlines(now: Date = this.#clock()): Promise<TickResult> {
    return fireDueDeadlines(this.#db, this.#write, this.cases, now);
  }

  /** Sends the outbox's due messages through `senders`. */
  deliverOutbox(senders: Readonly<Record<string, OutboxSender>>, now: Date = this.#clock()): Promise<DeliveryResult> {
    // While a failed verification stops writes nothing is sent: a delivery could not be recorded
    // (so it would go again and again), and what it shows is drawn from a record now in doubt.
    if (this.audit.stoppedBecause) return Promise.resolve({ sent: 0, failed: 0, waiting: 0 });
    return this.outbox.deliver(senders, now);
  }

  /** Whether the database answers. */
  async ping(): Promise<boolean> {
    try {
      return await this.#db.ping();
    } catch {
      return false;
    }
  }

  /**
   * A consistent copy of a SQLite store to `file`, taken while it is in use, with its own anchor
   * (`FILE.anchor`, signed with this store's key) so the copy can be verified on its own.
   * @throws Error for PostgreSQL, saying how to use pg_dump.
   */
  async backup(file: string): Promise<void> {
    if (existsSync(file) || existsSync(`${file}.anchor`)) throw new StoreRefused(`${file} (or its anchor) exists already: back up to a new file, so no older anchor can judge the copy`);
    // A copy anchored at its own last row would hide rows already cut from the live store: check first.
    const live = await this.audit.verify();
    if (!live.ok) throw new StoreRefused(`the store's audit trail does not verify (${live.problem?.message}); a backup would hide that — investigate first`);
    carryKeyFile(this.audit.anchorPath, `${file}.anchor`);
    await this.#db.backup(file);
    const copy = await openDatabase(file);
    try {
      await new AuditLog(copy, AuditAnchor.at(`${file}.anchor`, this.#anchorKey)).anchorCopy();
    } finally {
      await copy.close();
    }
  }

  close(): Promise<void> {
    return this.#db.close();
  }
}

/** The anchor of a store at `url`: beside a SQLite file, or `data/audit.anchor` for PostgreSQL. */
export function defaultAnchorPath(url: string): string {
  return isPostgresUrl(url) ? join('data', 'audit.anchor') : `${sqlitePath(url)}.anchor`;
}

export { SYSTEM };
