/**
 * The case store: one SQLite file holding schools, staff, pupils, cases, deadlines, the
 * outbox and the audit log, with the services that read and write them.
 */
import { SYSTEM } from './access.js';
import { CaseService } from './caseService.js';
import { systemClock, type Clock } from './clock.js';
import type { CaseDefinition, CaseKind } from './machines/caseDefinition.js';
import { CASE_DEFINITIONS } from './machines/index.js';
import { deliverOutbox, type DeliveryResult, type OutboxSender } from './outbox.js';
import { fireDueDeadlines, type TickResult } from './scheduler.js';
import { StaffDirectory } from './staff.js';
import { AuditAnchor, AuditLog } from './store/auditLog.js';
import { DEFAULT_DATABASE_PATH, openDatabase, type Db } from './store/database.js';

export interface CaseStoreOptions {
  /** The database file; `data/cases.db` by default. */
  readonly path?: string;
  /** The HMAC key for the audit anchor (configuration: AUDIT_ANCHOR_KEY). */
  readonly anchorKey?: string;
  readonly clock?: Clock;
  readonly definitions?: Readonly<Record<CaseKind, CaseDefinition>>;
}

export class CaseStore {
  readonly path: string;
  readonly db: Db;
  readonly audit: AuditLog;
  readonly cases: CaseService;
  readonly staff: StaffDirectory;
  readonly #clock: Clock;

  private constructor(path: string, db: Db, audit: AuditLog, cases: CaseService, staff: StaffDirectory, clock: Clock) {
    this.path = path;
    this.db = db;
    this.audit = audit;
    this.cases = cases;
    this.staff = staff;
    this.#clock = clock;
  }

  /** Opens (creating and migrating) the store. */
  static open(options: CaseStoreOptions = {}): CaseStore {
    const path = options.path ?? DEFAULT_DATABASE_PATH;
    const clock = options.clock ?? systemClock;
    const db = openDatabase(path);
    const audit = new AuditLog(db, AuditAnchor.forDatabase(path, options.anchorKey ?? process.env.AUDIT_ANCHOR_KEY));
    const cases = new CaseService(db, audit, options.definitions ?? CASE_DEFINITIONS, clock);
    return new CaseStore(path, db, audit, cases, new StaffDirectory(db, audit, clock), clock);
  }

  /** Fires the deadlines that have come due by `now`. */
  fireDueDeadlines(now: Date = this.#clock()): TickResult {
    return fireDueDeadlines(this.db, this.cases, this.audit, now);
  }

  /** Sends the outbox's due messages through `senders`. */
  deliverOutbox(senders: Readonly<Record<string, OutboxSender>>, now: Date = this.#clock()): Promise<DeliveryResult> {
    return deliverOutbox(this.db, senders, now);
  }

  close(): void {
    this.db.close();
  }
}

export { SYSTEM };
