/**
 * A pupil's data out again, under UK GDPR: everything held about one pupil as one document (a
 * subject access request, Article 15), and erasure (Article 17, or the end of the retention
 * period) by destroying the pupil's data key — crypto-shredding. The audit chain is not touched:
 * it hashed the sealed text, which stays, so `verify` passes afterwards while the words are gone.
 *
 * What erasure leaves: the pseudonymous record and each case's structure (states, dates,
 * deadlines, the rules that fired) — the figures the school and the council must report are
 * counted from them — and the audit rows, whose free text is sealed and now unreadable.
 */
import { AccessDenied, SYSTEM, type Actor, type StaffRole } from '../access.js';
import type { CaseService, CaseView } from '../cases/caseService.js';
import type { Clock } from '../clock.js';
import { CaseNotFound, StoreRefused } from '../errors.js';
import type { AuditLog, AuditRow } from './auditLog.js';
import type { AuditedWrite } from './auditedWrite.js';
import type { Database } from './database.js';
import { ERASED_TEXT, type PupilKeys } from './pupilKeys.js';

/** The audit action of a subject access export (counts, never the contents). */
export const SUBJECT_ACCESS = 'subject-access';
/** The audit action of a pupil's data erased. */
export const PUPIL_ERASED = 'pupil-erased';
/** Why a pupil's data is erased: their (or their parents') request, or the end of the retention period. */
export const ERASURE_REASONS = ['request', 'retention'] as const;
export type ErasureReason = (typeof ERASURE_REASONS)[number];

/** Who answers a subject access request and erases: the school's head, a deputy, its administrator. */
const MAY_EXPORT: readonly StaffRole[] = ['headteacher', 'deputy', 'admin'];

/** The format of a subject access export. */
export const SUBJECT_ACCESS_FORMAT = 'subject-access/1';

/** Everything held about one pupil. */
export interface SubjectAccessExport {
  readonly format: typeof SUBJECT_ACCESS_FORMAT;
  readonly pupilId: string;
  readonly schoolId: string;
  readonly exportedAt: string;
  readonly exportedBy: string;
  /** When the pupil's free text was erased, if it was: it reads `[erased]` below. */
  readonly erasedAt?: string;
  /** The pupil record as stored (pseudonymous), or null when none was imported. */
  readonly record: unknown;
  /** The name the school chose to hold for its staff, if it holds one. */
  readonly displayName: string | null;
  /** Each case with its context (answers, decisions) and its timeline. */
  readonly cases: readonly (CaseView & { readonly timeline: readonly AuditRow[] })[];
  /** The letters made for their cases, with their bytes (base64) and the names typed for them. */
  readonly letters: readonly {
    readonly letterId: string;
    readonly caseId: string;
    readonly kind: string;
    readonly fileName: string;
    readonly mediaType: string;
    readonly sha256: string;
    readonly madeBy: string;
    readonly madeAt: string;
    readonly contentBase64: string | null;
    readonly people: unknown;
  }[];
  /** The audit rows about them outside their cases' timelines: imports of their record, amendments, lists that showed their cases. */
  readonly otherAuditRows: readonly AuditRow[];
}

/**
 * The retention setting's default (RETENTION_YEARS): years after a pupil leaves the roll before
 * their free text and name are erased. Six is a placeholder, not law: no statute fixes it; each
 * school (the controller) or council sets it from its own retention schedule.
 */
export const DEFAULT_RETENTION_YEARS = 6;

/** A pupil due for erasure under the retention setting. */
export interface RetentionDue {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly leftOn: string;
  /** The day their data fell due for erasure: `leftOn` plus the retention years. */
  readonly dueOn: string;
}

export class PupilData {
  readonly #db: Database;
  readonly #write: AuditedWrite;
  readonly #log: AuditLog;
  readonly #keys: PupilKeys;
  readonly #cases: CaseService;
  readonly #now: Clock;

  constructor(db: Database, write: AuditedWrite, log: AuditLog, keys: PupilKeys, cases: CaseService, clock: Clock) {
    this.#db = db;
    this.#write = write;
    this.#log = log;
    this.#keys = keys;
    this.#cases = cases;
    this.#now = clock;
  }

  /**
   * Everything held about one pupil, opened: their record, display name, cases with timelines,
   * letters, and the other audit rows about them. Audited (`subject-access`: who, whose, which cases and letters by id).
   * @throws CaseNotFound when the pupil is unknown or out of the actor's reach; AccessDenied for a role that may not.
   */
  async subjectAccess(actor: Actor, pupilId: string): Promise<SubjectAccessExport> {
    const schoolId = await this.#schoolOf(actor, pupilId);
    const at = this.#now().toISOString();
    // Read first and audited after: an export that failed to build was not given out.
    const recordRow = await this.#db.get<{ record: string }>('SELECT record FROM pupils WHERE id = ?', [pupilId]);
    const nameRow = await this.#db.get<{ name: string }>('SELECT name FROM pupil_names WHERE pupil_id = ?', [pupilId]);
    // Access was checked above; the one audit row for the export is written below.
    const views = await this.#cases.list(SYSTEM, { pupilId });
    const caseIds = new Set(views.map((v) => v.id));
    const cases = [];
    for (const view of views) cases.push({ ...view, timeline: await this.#keys.open(this.#db, await this.#log.entriesFor(view.id)) });
    const letterRows = await this.#db.all<{ id: string; case_id: string; kind: string; file_name: string; media_type: string; sha256: string; made_by: string; made_at: string; content: string; people: string }>(
      'SELECT l.id, l.case_id, l.kind, l.file_name, l.media_type, l.sha256, l.made_by, l.made_at, l.content, l.people FROM letters l JOIN cases c ON c.id = l.case_id WHERE c.pupil_id = ? ORDER BY l.made_at, l.id',
      [pupilId],
    );
    const letters: SubjectAccessExport['letters'][number][] = [];
    for (const l of letterRows) {
      const content = await this.#keys.open(this.#db, l.content);
      const people = await this.#keys.open(this.#db, l.people);
      letters.push({
        letterId: l.id,
        caseId: l.case_id,
        kind: l.kind,
        fileName: l.file_name,
        mediaType: l.media_type,
        sha256: l.sha256,
        madeBy: l.made_by,
        madeAt: l.made_at,
        contentBase64: content === '' || content === ERASED_TEXT ? null : content,
        people: people === '' || people === ERASED_TEXT ? null : (JSON.parse(people) as unknown),
      });
    }
    const otherAuditRows: AuditRow[] = [];
    for await (const row of this.#log.rows()) {
      if (row.caseId && caseIds.has(row.caseId)) continue;
      if (mentions(row.stored.data, pupilId, caseIds)) {
        const { stored: _stored, ...shown } = row;
        otherAuditRows.push(shown);
      }
    }
    const erasedAt = await this.#keys.erasedOn(this.#db, pupilId);
    const found: SubjectAccessExport = {
      format: SUBJECT_ACCESS_FORMAT,
      pupilId,
      schoolId,
      exportedAt: at,
      exportedBy: actor.id,
      ...(erasedAt ? { erasedAt } : {}),
      record: recordRow ? (JSON.parse(recordRow.record) as unknown) : null,
      displayName: nameRow ? await this.#keys.open(this.#db, nameRow.name) : null,
      cases,
      letters,
      otherAuditRows: await this.#keys.open(this.#db, otherAuditRows),
    };
    await this.#write(async (tx) => {
      // Which cases and letters went out, by id (every case read is audited): never their contents.
      await tx.audit({ at, actor: actor.id, role: actor.role, action: SUBJECT_ACCESS, data: { pupilId, schoolId, caseIds: [...caseIds], letterIds: letters.map((l) => l.letterId), otherAuditRows: otherAuditRows.length } });
    });
    return found;
  }

  /**
   * Erases a pupil's free text and name: destroys their data key (their sealed answers, notes,
   * rationales, letters and name can no longer be read, here or in any backup), removes their
   * display name and their letters' contents, and records it (`pupil-erased`: who, whose, why,
   * counts). The audit chain still verifies: nothing it hashed changes.
   * @throws StoreRefused when they were erased already.
   */
  async erase(actor: Actor, pupilId: string, reason: ErasureReason): Promise<{ cases: number; letters: number; name: boolean }> {
    const schoolId = await this.#schoolOf(actor, pupilId);
    const at = this.#now().toISOString();
    await this.#keys.zeroFreedSpace(this.#db);
    const done = await this.#write(async (tx) => {
      const erased = await this.#keys.erasedOn(tx, pupilId);
      if (erased) throw new StoreRefused(`pupil ${pupilId}'s data was erased on ${erased.slice(0, 10)} already`);
      await this.#keys.destroy(tx, { pupilId, schoolId }, at);
      const name = (await tx.run('DELETE FROM pupil_names WHERE pupil_id = ?', [pupilId])) > 0;
      // Sealed already; emptied too, so no copy of the bytes outlives the key (and a letter kept before sealing goes).
      const letters = await tx.run(`UPDATE letters SET content = '', people = '' WHERE case_id IN (SELECT id FROM cases WHERE pupil_id = ?)`, [pupilId]);
      const cases = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM cases WHERE pupil_id = ?', [pupilId]))?.n ?? 0;
      await tx.audit({ at, actor: actor.id, role: actor.role, action: PUPIL_ERASED, data: { pupilId, schoolId, reason, cases: Number(cases), letters, name } });
      return { cases: Number(cases), letters, name };
    });
    await this.#keys.dropOldCopies(this.#db, 'pupil_keys');
    if (done.letters > 0) await this.#keys.dropOldCopies(this.#db, 'letters');
    return done;
  }

  /**
   * The pupils whose data is due for erasure on `today`: left the roll (their record's `leftOn`)
   * at least `years` years before, and not erased yet. Read by the system, for the retention run.
   */
  async dueForErasure(today: string, years: number): Promise<RetentionDue[]> {
    const due: RetentionDue[] = [];
    for (let after = ''; ; ) {
      const rows = await this.#db.all<{ id: string; school_id: string; record: string; erased_at: string | null }>(
        'SELECT p.id, p.school_id, p.record, k.erased_at FROM pupils p LEFT JOIN pupil_keys k ON k.pupil_id = p.id WHERE p.id > ? ORDER BY p.id LIMIT 1000',
        [after],
      );
      for (const row of rows) {
        const leftOn = (JSON.parse(row.record) as { leftOn?: string }).leftOn;
        if (!leftOn || row.erased_at) continue;
        const dueOn = addYears(leftOn, years);
        if (dueOn <= today) due.push({ pupilId: row.id, schoolId: row.school_id, leftOn, dueOn });
      }
      if (rows.length < 1000) return due;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The pupil's school, if the actor may export or erase their data. */
  async #schoolOf(actor: Actor, pupilId: string): Promise<string> {
    const row =
      (await this.#db.get<{ school_id: string }>('SELECT school_id FROM pupils WHERE id = ?', [pupilId])) ??
      (await this.#db.get<{ school_id: string }>('SELECT school_id FROM cases WHERE pupil_id = ? LIMIT 1', [pupilId]));
    if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(pupilId, 'pupil');
    if (actor.role !== 'system' && !MAY_EXPORT.includes(actor.role)) throw new AccessDenied(`only the headteacher, a deputy or the school's administrator answers a subject access request or erases a pupil's data`);
    return row.school_id;
  }
}

/** Whether an audit row's stored data names the pupil or one of their cases (an import's binding, an amendment, a list). */
function mentions(data: string, pupilId: string, caseIds: ReadonlySet<string>): boolean {
  if (data.includes(JSON.stringify(pupilId))) return true;
  for (const id of caseIds) if (data.includes(JSON.stringify(id))) return true;
  return false;
}

/** `date` (YYYY-MM-DD) plus `years`; 29 February becomes 28 February in a year that has none. */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
