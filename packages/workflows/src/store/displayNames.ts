/**
 * Display names: pseudonymous by default, recognisable where a school chooses. A school that opts
 * in loads names for its staff to see beside a case (the chat, the workspace); they are kept in
 * their own table, sealed with each pupil's key, and never go into the audit trail, a report, an
 * export of figures or a letter's hash. The audit trail says names were set, and how many — not
 * which.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, type Problem } from '@before-exclusion/rules';
import { parse } from 'csv-parse/sync';
import { AccessDenied, type Actor, type StaffRole } from '../access.js';
import { pupilPseudonym, type PupilIdKey } from '../schoolSystems/pupilPseudonym.js';
import type { Clock } from '../clock.js';
import { StoreRefused } from '../errors.js';
import type { AuditedWrite } from './auditedWrite.js';
import type { Queryable } from './database.js';
import type { PupilKeys } from './pupilKeys.js';

/** The audit action of a school's choice to hold names, or not. */
export const DISPLAY_NAMES_CHOSEN = 'display-names-chosen';
/** The audit action of names loaded for a school (a count, never a name). */
export const DISPLAY_NAMES_SET = 'display-names-set';

/** Who decides whether a school holds names, and loads them: its head, a deputy, its administrator. */
const MAY_SET: readonly StaffRole[] = ['headteacher', 'deputy', 'admin'];
/** Long enough for any real name; a longer cell is a column slip. */
export const DISPLAY_NAME_MAX_LENGTH = 80;
/**
 * The columns of a names file: the pupil — the product's id (`pupilId`), or the id the school's
 * own system gives them (`misId`: the UPN or the school's reference, made into the product's id
 * with PUPIL_ID_KEY, as imports do) — and the name staff will see.
 */
export const DISPLAY_NAME_COLUMNS = ['pupilId', 'displayName'] as const;
export const MIS_ID_COLUMN = 'misId';

export class DisplayNames {
  readonly #db: Queryable;
  readonly #write: AuditedWrite;
  readonly #keys: PupilKeys;
  readonly #now: Clock;

  constructor(db: Queryable, write: AuditedWrite, keys: PupilKeys, clock: Clock) {
    this.#db = db;
    this.#write = write;
    this.#keys = keys;
    this.#now = clock;
  }

  /**
   * Opts a school in to holding display names, or out — which removes every name it held.
   * Audited: who, which school, the choice, and how many names were removed.
   * @throws AccessDenied unless `actor` is the school's head, deputy or administrator.
   */
  async choose(actor: Actor, schoolId: string, hold: boolean): Promise<{ removed: number }> {
    assertMaySet(actor, schoolId);
    const at = this.#now().toISOString();
    return this.#write(async (tx) => {
      const changed = await tx.run('UPDATE schools SET display_names = ? WHERE id = ?', [hold ? 1 : 0, schoolId]);
      if (changed === 0) throw new StoreRefused(`no school ${schoolId} in the store`);
      const removed = hold ? 0 : await tx.run('DELETE FROM pupil_names WHERE school_id = ?', [schoolId]);
      await tx.audit({ at, actor: actor.id, role: actor.role, action: DISPLAY_NAMES_CHOSEN, data: { schoolId, hold, removed } });
      return { removed };
    });
  }

  /** Whether the school has chosen to hold display names (off by default). */
  async held(schoolId: string, q: Queryable = this.#db): Promise<boolean> {
    return (await q.get<{ display_names: number }>('SELECT display_names FROM schools WHERE id = ?', [schoolId]))?.display_names === 1;
  }

  /**
   * Loads a names file for one school (CSV with a header `pupilId,displayName`, or
   * `misId,displayName` with `misKey` to derive the product's ids; UTF-8, a BOM and CRLF
   * accepted): every row checked before any is written, then all written or none.
   * A pupil already named gets the new name. Audited as a count and the file's hash.
   * @throws InputError listing every problem by file, row and column; StoreRefused when the school has not opted in.
   */
  async load(actor: Actor, schoolId: string, file: string, misKey?: PupilIdKey): Promise<{ named: number }> {
    assertMaySet(actor, schoolId);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      throw new StoreRefused(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}); expected a CSV file with the columns ${DISPLAY_NAME_COLUMNS.join(',')}`);
    }
    const rows = parseNames(bytes.toString('utf8'), file, misKey ? (misId) => pupilPseudonym(misKey, schoolId, misId) : undefined);
    const at = this.#now().toISOString();
    return this.#write(async (tx) => {
      if (!(await this.held(schoolId, tx))) {
        throw new StoreRefused(`school ${schoolId} has not chosen to hold display names: its head opts in first (cases pupils display-names on --school ${schoolId} --as STAFF)`);
      }
      const problems: Problem[] = [];
      for (const row of rows) {
        const pupil = await tx.get<{ school_id: string }>('SELECT school_id FROM pupils WHERE id = ?', [row.pupilId]);
        if (pupil?.school_id !== schoolId) {
          const who = row.idField === MIS_ID_COLUMN ? `with this ${MIS_ID_COLUMN} (their id here would be ${row.pupilId})` : row.pupilId;
          problems.push({ file, location: `row ${row.line}`, field: row.idField, message: `no pupil ${who} on school ${schoolId}'s roll in the store; import the pupil first, or correct the id` });
        }
      }
      if (problems.length > 0) throw new InputError(`${file}: ${problems.length} row${problems.length === 1 ? '' : 's'} name no pupil of school ${schoolId}; no names were set`, problems);
      for (const row of rows) {
        const name = await this.#keys.seal(tx, { pupilId: row.pupilId, schoolId }, row.displayName, at);
        await tx.run('INSERT INTO pupil_names (pupil_id, school_id, name, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pupil_id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at', [
          row.pupilId,
          schoolId,
          name,
          at,
        ]);
      }
      // That names were set, for whom by count, from which file by hash: never a name.
      await tx.audit({ at, actor: actor.id, role: actor.role, action: DISPLAY_NAMES_SET, data: { schoolId, named: rows.length, file: basename(file), sha256: createHash('sha256').update(bytes).digest('hex') } });
      return { named: rows.length };
    });
  }

  /**
   * The display names `actor` may see for these pupils: staff covering a school that holds names,
   * and no one else (not the system: nothing it sends or logs carries a name).
   */
  async for(actor: Actor, pupilIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (actor.role === 'system' || actor.schoolIds.length === 0 || pupilIds.length === 0) return names;
    const ids = [...new Set(pupilIds)];
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const rows = await this.#db.all<{ pupil_id: string; name: string }>(
        `SELECT n.pupil_id, n.name FROM pupil_names n JOIN schools s ON s.id = n.school_id
         WHERE s.display_names = 1 AND n.school_id IN (${actor.schoolIds.map(() => '?').join(', ')}) AND n.pupil_id IN (${chunk.map(() => '?').join(', ')})`,
        [...actor.schoolIds, ...chunk],
      );
      for (const row of rows) names.set(row.pupil_id, await this.#keys.open(this.#db, row.name));
    }
    return names;
  }
}

function assertMaySet(actor: Actor, schoolId: string): void {
  if (actor.role === 'system') return;
  if (!actor.schoolIds.includes(schoolId)) throw new AccessDenied(`${actor.id} does not cover school ${schoolId}`);
  if (!MAY_SET.includes(actor.role)) throw new AccessDenied(`only the headteacher, a deputy or the school's administrator decides on and loads display names`);
}

/** The rows of a names file, checked; every problem named by row and column. @throws InputError */
interface NameRow {
  readonly line: number;
  readonly pupilId: string;
  /** The column the pupil was given in: `pupilId` or `misId`. */
  readonly idField: string;
  readonly displayName: string;
}

function parseNames(text: string, file: string, idOfMisId: ((misId: string) => string) | undefined): NameRow[] {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // csv-parse's types do not follow `info: true` (each record then comes with where it ended).
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new InputError(`${file} is not a CSV file we can read; no names were set`, [{ file, location: line ? `line ${line}` : 'the file', message: `${(error as Error).message.split('\n')[0]}; accepted: CSV with the header ${DISPLAY_NAME_COLUMNS.join(',')}, a field holding commas or quotes in double quotes` }]);
  }
  const [header, ...body] = records;
  const columns = header?.record.map((c) => c.trim()) ?? [];
  const byMis = !columns.includes('pupilId') && columns.includes(MIS_ID_COLUMN);
  const idColumn = byMis ? MIS_ID_COLUMN : 'pupilId';
  const idAt = columns.indexOf(idColumn);
  const nameAt = columns.indexOf('displayName');
  if (idAt < 0 || nameAt < 0) {
    throw new InputError(`${file}: the header row must name the columns pupilId (or ${MIS_ID_COLUMN}) and displayName; no names were set`, [
      { file, location: 'row 1', message: `found ${columns.length ? columns.map((c) => JSON.stringify(c.slice(0, 40))).join(', ') : 'nothing'}; accepted: pupilId,displayName or ${MIS_ID_COLUMN},displayName` },
    ]);
  }
  if (byMis && !idOfMisId) throw new StoreRefused(`${file} names pupils by ${MIS_ID_COLUMN}: the product's ids are derived from them with PUPIL_ID_KEY, which is not given`);
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const rows: NameRow[] = [];
  body.forEach(({ record, info }) => {
    const line = info.lines;
    const location = `row ${line}`;
    const given = (record[idAt] ?? '').trim();
    const pupilId = byMis && given !== '' ? idOfMisId!(given) : given;
    const displayName = (record[nameAt] ?? '').trim().replace(/\s+/g, ' ');
    if (record.length !== columns.length) problems.push({ file, location, message: `${record.length} fields, the header has ${columns.length}; a name holding a comma goes in double quotes` });
    if (pupilId === '') problems.push({ file, location, field: idColumn, message: byMis ? 'empty; accepted: the pupil\'s UPN or reference in the school\'s system' : 'empty; accepted: the pupil\'s id in the store' });
    if (displayName === '') problems.push({ file, location, field: 'displayName', message: 'empty; accepted: the name staff will see' });
    else if (displayName.length > DISPLAY_NAME_MAX_LENGTH) problems.push({ file, location, field: 'displayName', message: `${displayName.length} characters; accepted: at most ${DISPLAY_NAME_MAX_LENGTH}` });
    else if (/[\u0000-\u001f\u007f-\u009f]/.test(displayName)) problems.push({ file, location, field: 'displayName', message: 'holds a control character; accepted: printable text' });
    const first = seen.get(pupilId);
    if (pupilId !== '' && first !== undefined) problems.push({ file, location, field: idColumn, message: `${byMis ? 'this pupil' : `pupil ${pupilId}`} is named on row ${first} already; give each pupil once` });
    else seen.set(pupilId, line);
    rows.push({ line, pupilId, idField: idColumn, displayName });
  });
  if (rows.length === 0 && problems.length === 0) problems.push({ file, location: 'row 2', message: 'no names after the header; accepted: one row per pupil' });
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}; no names were set`, problems);
  return rows;
}
