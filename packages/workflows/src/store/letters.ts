/**
 * The letters made for a case, kept with it: the bytes as sent, and the names and addresses the
 * head typed for them — the one place the store holds those. Keeping a letter is an audited write
 * whose row carries the letter's kind, template and hash, never a name; reading one back is an
 * audited read (`letter-read`), as reading a case is.
 */
import { SYSTEM, type Actor } from '../access.js';
import type { Clock } from '../clock.js';
import { CaseNotFound } from '../errors.js';
import type { AuditedWrite } from './auditedWrite.js';
import type { Database, Queryable } from './database.js';
import { ERASED_TEXT, PupilDataErased, SEALED_PREFIX, type PupilKeys } from './pupilKeys.js';

/** The audit action of a letter made and kept. */
export const LETTER_MADE = 'letter-made';
/** The audit action of a letter read back. */
export const LETTER_READ = 'letter-read';
/** The audit action of letters kept in plaintext by an earlier version, sealed on upgrade. */
export const LETTERS_SEALED = 'letters-sealed';
/** The audit action of a person's list of a case's letters. */
export const LETTER_LIST_READ = 'letter-list-read';

/** A letter as listed with its case: what it is, never who it names. */
export interface LetterSummary {
  readonly letterId: string;
  readonly caseId: string;
  readonly kind: string;
  readonly format: 'docx' | 'pdf';
  readonly template: { readonly id: string; readonly version: number; readonly guidance: string };
  readonly fileName: string;
  readonly mediaType: string;
  readonly sha256: string;
  readonly madeBy: string;
  readonly madeAt: string;
}

/** A letter with its bytes and the names it was made with. */
export interface KeptLetter extends LetterSummary {
  readonly bytes: Uint8Array;
  /** The names and addresses typed for the letter (`LetterPeople`), as given. */
  readonly people: unknown;
}

/** A letter to keep, with what its audit row records. */
export interface LetterToKeep extends Omit<LetterSummary, 'madeBy' | 'madeAt'> {
  readonly schoolId: string;
  readonly bytes: Uint8Array;
  readonly people: unknown;
  /** More for the audit row (the exclusion's id, whose wording was used): ids and words, never a name. */
  readonly audit: Readonly<Record<string, unknown>>;
}

interface LetterRow {
  id: string;
  case_id: string;
  school_id: string;
  kind: string;
  format: 'docx' | 'pdf';
  template_id: string;
  template_version: number;
  guidance: string;
  file_name: string;
  media_type: string;
  sha256: string;
  content: string;
  people: string;
  made_by: string;
  made_at: string;
}

const SUMMARY_COLUMNS = 'id, case_id, school_id, kind, format, template_id, template_version, guidance, file_name, media_type, sha256, made_by, made_at';

export class Letters {
  readonly #db: Queryable;
  readonly #write: AuditedWrite;
  readonly #now: Clock;
  readonly #keys: PupilKeys;

  constructor(db: Queryable, write: AuditedWrite, keys: PupilKeys, clock: Clock) {
    this.#db = db;
    this.#keys = keys;
    this.#write = write;
    this.#now = clock;
  }

  /**
   * Keeps a letter with its case and records it in the audit trail (kind, template, hash), in one
   * transaction. Callers check first that `actor` may act on the case (`makeLetter` does).
   */
  async keep(actor: Actor, letter: LetterToKeep): Promise<LetterSummary> {
    const at = this.#now().toISOString();
    await this.#write(async (tx) => {
      // The letter names the pupil and their parents: its bytes and people are sealed with the pupil's key.
      const pupil = await tx.get<{ pupil_id: string }>('SELECT pupil_id FROM cases WHERE id = ?', [letter.caseId]);
      if (!pupil) throw new CaseNotFound(letter.caseId);
      const sealFor = { pupilId: pupil.pupil_id, schoolId: letter.schoolId };
      await tx.run(
        `INSERT INTO letters (id, case_id, school_id, kind, format, template_id, template_version, guidance, file_name, media_type, sha256, content, people, made_by, made_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          letter.letterId,
          letter.caseId,
          letter.schoolId,
          letter.kind,
          letter.format,
          letter.template.id,
          letter.template.version,
          letter.template.guidance,
          letter.fileName,
          letter.mediaType,
          letter.sha256,
          await this.#keys.seal(tx, sealFor, Buffer.from(letter.bytes).toString('base64'), at),
          await this.#keys.seal(tx, sealFor, JSON.stringify(letter.people), at),
          actor.id,
          at,
        ],
      );
      await tx.audit({
        at,
        actor: actor.id,
        role: actor.role,
        action: LETTER_MADE,
        caseId: letter.caseId,
        data: { ...letter.audit, letterId: letter.letterId, kind: letter.kind, format: letter.format, template: letter.template, fileName: letter.fileName, sha256: letter.sha256, bytes: letter.bytes.length },
      });
    });
    const { bytes: _bytes, people: _people, audit: _audit, schoolId: _school, ...summary } = letter;
    return { ...summary, madeBy: actor.id, madeAt: at };
  }

  /** The letters made for a case, oldest first, for someone who may see it. @throws CaseNotFound otherwise. */
  async forCase(actor: Actor, caseId: string): Promise<LetterSummary[]> {
    const list = async (q: Queryable) => {
      const school = await q.get<{ school_id: string }>('SELECT school_id FROM cases WHERE id = ?', [caseId]);
      if (!school || !covers(actor, school.school_id)) throw new CaseNotFound(caseId);
      return q.all<Omit<LetterRow, 'content' | 'people'>>(`SELECT ${SUMMARY_COLUMNS} FROM letters WHERE case_id = ? ORDER BY made_at, id`, [caseId]);
    };
    // A person's list is audited as a case list is (ids only); the system's own is not.
    const rows =
      actor.role === 'system'
        ? await list(this.#db)
        : await this.#write(async (tx) => {
            const found = await list(tx);
            await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: LETTER_LIST_READ, caseId, data: { letterIds: found.map((r) => r.id) } });
            return found;
          });
    return rows.map(summaryOf);
  }

  /**
   * A letter with its bytes, for someone who may see its case; the read is audited (`letter-read`:
   * who, which letter, its hash).
   * @throws CaseNotFound — the same answer whether the letter is unknown or out of reach.
   */
  async read(actor: Actor, letterId: string): Promise<KeptLetter> {
    const row = await this.#write(async (tx) => {
      const found = await tx.get<LetterRow>('SELECT * FROM letters WHERE id = ?', [letterId]);
      if (!found || !covers(actor, found.school_id)) throw new CaseNotFound(letterId, 'letter');
      await tx.audit({ at: this.#now().toISOString(), actor: actor.id, role: actor.role, action: LETTER_READ, caseId: found.case_id, data: { letterId, kind: found.kind, sha256: found.sha256 } });
      return found;
    });
    // Letters kept before sealing are read as they were written.
    const content = await this.#keys.open(this.#db, row.content);
    if (content === '' || content === ERASED_TEXT) throw new PupilDataErased(`letter ${letterId} was erased with the pupil's data; its hash (sha256 ${row.sha256}) stays in the audit trail`);
    return { ...summaryOf(row), bytes: new Uint8Array(Buffer.from(content, 'base64')), people: JSON.parse(await this.#keys.open(this.#db, row.people)) as unknown };
  }

  /**
   * Letters an earlier version kept in plaintext, sealed with their pupil's key — once, when this
   * version first opens the store — and audited as a count (`letters-sealed`). The bytes do not
   * change, so the hash each `letter-made` row recorded still names them. Resolves to how many.
   */
  async sealKeptBefore(db: Database): Promise<number> {
    const plain = (content: string) => `${content} <> '' AND ${content} NOT LIKE '${SEALED_PREFIX}%'`;
    const found = await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM letters WHERE ${plain('content')}`);
    if (!found || Number(found.n) === 0) return 0;
    const at = this.#now().toISOString();
    await this.#keys.zeroFreedSpace(db);
    const sealed = await this.#write(async (tx) => {
      const rows = await tx.all<{ id: string; school_id: string; content: string; people: string; pupil_id: string }>(
        `SELECT l.id, l.school_id, l.content, l.people, c.pupil_id FROM letters l JOIN cases c ON c.id = l.case_id WHERE ${plain('l.content')} ORDER BY l.id`,
      );
      for (const row of rows) {
        const pupil = { pupilId: row.pupil_id, schoolId: row.school_id };
        await tx.run('UPDATE letters SET content = ?, people = ? WHERE id = ?', [await this.#keys.seal(tx, pupil, row.content, at), await this.#keys.seal(tx, pupil, row.people, at), row.id]);
      }
      await tx.audit({ at, actor: SYSTEM.id, role: SYSTEM.role, action: LETTERS_SEALED, data: { letters: rows.length, why: 'kept in plaintext by an earlier version: sealed with each pupil\'s key' } });
      return rows.length;
    });
    await this.#keys.dropOldCopies(db, 'letters');
    return sealed;
  }

  /** A school's name as the store holds it, for a letter's head. */
  async schoolName(schoolId: string): Promise<string | undefined> {
    return (await this.#db.get<{ name: string }>('SELECT name FROM schools WHERE id = ?', [schoolId]))?.name;
  }
}

function covers(actor: Actor, schoolId: string): boolean {
  return actor.role === 'system' || actor.schoolIds.includes(schoolId);
}

function summaryOf(row: Omit<LetterRow, 'content' | 'people'>): LetterSummary {
  return {
    letterId: row.id,
    caseId: row.case_id,
    kind: row.kind,
    format: row.format,
    template: { id: row.template_id, version: row.template_version, guidance: row.guidance },
    fileName: row.file_name,
    mediaType: row.media_type,
    sha256: row.sha256,
    madeBy: row.made_by,
    madeAt: row.made_at,
  };
}
