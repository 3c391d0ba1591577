/**
 * Pupils and school calendars in the store: imported all-or-nothing from the rules' interchange
 * formats (pupil-record/1 and school calendars), pseudonymous, audited as counts — never the
 * records themselves.
 */
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, SchoolCalendar, parsePupilRecord, type IsoDate, type Problem, type PupilRecord } from '@before-exclusion/rules';
import { loadCalendarFile, readPupilRecords } from '@before-exclusion/rules/node';
import { AccessDenied, mayMovePupil, type Actor, type PupilMoveReason } from '../access.js';
import type { Clock } from '../clock.js';
import { CaseNotFound, StoreRefused } from '../errors.js';
import type { AuditedWrite } from './auditedWrite.js';
import { contentHash } from './canonicalJson.js';
import type { Queryable } from './database.js';

/** The audit action for a pupil's record moved to another school. */
export const PUPIL_MOVED = 'pupil-moved';

export interface ImportResult {
  readonly pupils: number;
  readonly schools: readonly string[];
  readonly academicYear: string;
}

/** What a school system's export gives for one pupil (see `importUpdates`). */
export interface PupilUpdate {
  readonly record: PupilRecord;
  /** The record's fields the export gave; the stored record keeps the others. */
  readonly fields: readonly string[];
  readonly exclusionsGiven: boolean;
  readonly attendanceGiven: boolean;
  /** Where the pupil is in the export, for a problem: `pupils.csv row 4`. */
  readonly location: string;
}

export interface UpdateResult {
  /** Pupils in the export. */
  readonly pupils: number;
  /** The ids of the pupils whose records changed (new ones included). */
  readonly changed: readonly string[];
  readonly schools: readonly string[];
  readonly academicYear: string;
  readonly calendarChanged: boolean;
}

/** A stored record (if any) with an export's update laid over it. */
function mergeUpdate(stored: PupilRecord | undefined, update: PupilUpdate): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(stored ?? { id: update.record.id, schoolId: update.record.schoolId }) };
  const given = update.record as unknown as Record<string, unknown>;
  for (const field of update.fields) {
    if (given[field] === undefined) delete merged[field];
    else merged[field] = given[field];
  }
  if (update.exclusionsGiven || !stored) merged.exclusions = update.record.exclusions;
  if (update.attendanceGiven) {
    const days = new Map((stored?.attendance ?? []).map((d) => [d.date, d]));
    for (const day of update.record.attendance) days.set(day.date, day);
    merged.attendance = [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  }
  return merged;
}

export class Pupils {
  readonly #db: Queryable;
  readonly #write: AuditedWrite;
  readonly #now: Clock;
  /** Calendars parsed before, by their stored text: read again every time, parsed once. */
  readonly #parsed = new Map<string, SchoolCalendar>();

  constructor(db: Queryable, write: AuditedWrite, clock: Clock) {
    this.#db = db;
    this.#write = write;
    this.#now = clock;
  }

  /**
   * Imports a pupils file and the calendar its schools follow. Every record is checked before
   * any is written (readPupilRecords checks the whole file first): one bad record, nothing written.
   * @throws InputError listing every problem, with file, line and field.
   */
  async import(actor: Actor, files: { pupils: string; calendar: string }): Promise<ImportResult> {
    const calendar = await loadCalendarFile(files.calendar);
    const records: PupilRecord[] = [];
    const locations = new Map<string, string>();
    for await (const { record, location } of readPupilRecords(files.pupils, calendar)) {
      records.push(record);
      locations.set(record.id, location);
    }
    const schools = [...new Set(records.map((r) => r.schoolId))].sort();
    const at = this.#now().toISOString();
    await this.#write(async (tx) => {
      // Checked inside the write, so no other import can move a pupil between the check and the write.
      await refuseOtherSchools(tx, actor, files.pupils, records, locations);
      for (const school of schools) {
        await tx.run('INSERT INTO schools (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', [school, school]);
        await storeCalendar(tx, school, calendar.academicYear, JSON.stringify(calendar.toSpec()));
      }
      const written: Record<string, string> = {};
      for (const r of records) {
        written[r.id] = await storeRecord(tx, r, JSON.stringify(r), at);
      }
      await tx.audit({
        at,
        actor: actor.id,
        role: actor.role,
        action: 'import',
        data: { pupils: records.length, schools, academicYear: calendar.academicYear, file: basename(files.pupils), sha256: sha256(files.pupils) },
        // Each record's hash, so verify finds a record edited behind the store's back.
        bound: { pupils: written },
      });
    });
    return { pupils: records.length, schools, academicYear: calendar.academicYear };
  }

  /**
   * Updates pupils from a school system's export (`cases import --profile`), all-or-nothing. Each
   * update carries only what the export gave: the fields its pupils file maps replace the stored
   * ones, an exclusions file is the pupil's whole list of exclusions, an attendance file's days
   * replace those days' marks; the rest of a stored record (movements, EBSNA indicators) stays.
   * Records that come out the same are not written, and an export that changes nothing writes
   * nothing (no audit row either): importing the same export twice changes nothing.
   * @returns the ids of the pupils whose records changed, for the rules to run again on.
   * @throws InputError naming each refused record.
   */
  async importUpdates(actor: Actor, batch: { readonly updates: readonly PupilUpdate[]; readonly calendar: SchoolCalendar; readonly source: string; readonly files: readonly { readonly name: string; readonly sha256: string }[] }): Promise<UpdateResult> {
    const { updates, calendar } = batch;
    const schools = [...new Set(updates.map((u) => u.record.schoolId))].sort();
    const spec = JSON.stringify(calendar.toSpec());
    const at = this.#now().toISOString();
    const records = updates.map((u) => u.record);
    const locations = new Map(updates.map((u) => [u.record.id, u.location]));
    return this.#write(async (tx) => {
      await refuseOtherSchools(tx, actor, batch.source, records, locations);
      const stored = new Map<string, string>();
      for (let i = 0; i < records.length; i += 500) {
        const ids = records.slice(i, i + 500).map((r) => r.id);
        const rows = await tx.all<{ id: string; record: string }>(`SELECT id, record FROM pupils WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
        for (const row of rows) stored.set(row.id, row.record);
      }
      const problems: Problem[] = [];
      const changed: { record: PupilRecord; text: string }[] = [];
      for (const update of updates) {
        const before = stored.get(update.record.id);
        const merged = parsePupilRecord(mergeUpdate(before === undefined ? undefined : (JSON.parse(before) as PupilRecord), update), { file: batch.source, location: update.location });
        if (!merged.ok) {
          problems.push(...merged.problems.map((p) => ({ ...p, message: `with what the store already holds for this pupil: ${p.message}` })));
          continue;
        }
        const text = JSON.stringify(merged.record);
        if (before === undefined || contentHash(before) !== contentHash(text)) changed.push({ record: merged.record, text });
      }
      if (problems.length > 0) throw new InputError(`${batch.source}: ${problems.length} problem(s) with the stored records; nothing was imported`, problems);
      const calendarsChanged: string[] = [];
      for (const school of schools) {
        const row = await tx.get<{ spec: string }>('SELECT spec FROM calendars WHERE school_id = ? AND academic_year = ?', [school, calendar.academicYear]);
        if (row?.spec !== spec) calendarsChanged.push(school);
      }
      const result = { pupils: updates.length, changed: changed.map((c) => c.record.id), schools, academicYear: calendar.academicYear, calendarChanged: calendarsChanged.length > 0 };
      if (changed.length === 0 && calendarsChanged.length === 0) return result;
      for (const school of schools) await tx.run('INSERT INTO schools (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', [school, school]);
      for (const school of calendarsChanged) await storeCalendar(tx, school, calendar.academicYear, spec);
      const written: Record<string, string> = {};
      for (const { record, text } of changed) written[record.id] = await storeRecord(tx, record, text, at);
      await tx.audit({
        at,
        actor: actor.id,
        role: actor.role,
        action: 'import',
        // Counts, file names and hashes: never a record, a name or a cell of the export.
        data: { pupils: updates.length, changed: changed.length, schools, academicYear: calendar.academicYear, files: batch.files },
        ...(changed.length > 0 ? { bound: { pupils: written } } : {}),
      });
      return result;
    });
  }

  /** Every stored pupil, in id order, a page at a time. */
  async *all(page = 1000): AsyncGenerator<PupilRecord> {
    for (let after = ''; ; ) {
      const rows = await this.#db.all<{ id: string; record: string }>('SELECT id, record FROM pupils WHERE id > ? ORDER BY id LIMIT ?', [after, page]);
      for (const row of rows) yield JSON.parse(row.record) as PupilRecord;
      if (rows.length < page) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  /** The stored pupils of some schools, in id order (for the figures). */
  async inSchools(schoolIds: readonly string[]): Promise<PupilRecord[]> {
    if (schoolIds.length === 0) return [];
    const rows = await this.#db.all<{ record: string }>(`SELECT record FROM pupils WHERE school_id IN (${schoolIds.map(() => '?').join(', ')}) ORDER BY id`, schoolIds);
    return rows.map((r) => JSON.parse(r.record) as PupilRecord);
  }

  /**
   * One stored pupil, for someone allowed to see their school.
   * @throws CaseNotFound — the same answer whether the pupil is unknown or out of reach, so nothing leaks.
   */
  async record(actor: Actor, pupilId: string): Promise<PupilRecord> {
    const row = await this.#db.get<{ school_id: string; record: string }>('SELECT school_id, record FROM pupils WHERE id = ?', [pupilId]);
    if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(pupilId, 'pupil');
    return JSON.parse(row.record) as PupilRecord;
  }

  /**
   * Changes one stored pupil's record in a write of its own, audited as `action` with `data`
   * (ids, dates and codes — never a name). `change` returns the record to store, having checked it.
   * @throws CaseNotFound when the actor cannot see the pupil.
   */
  async amend(actor: Actor, pupilId: string, audit: { action: string; data: Readonly<Record<string, unknown>> }, change: (record: PupilRecord) => PupilRecord): Promise<PupilRecord> {
    const at = this.#now().toISOString();
    return this.#write(async (tx) => {
      const row = await tx.get<{ school_id: string; record: string }>('SELECT school_id, record FROM pupils WHERE id = ?', [pupilId]);
      if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(pupilId, 'pupil');
      const changed = change(JSON.parse(row.record) as PupilRecord);
      const record = JSON.stringify(changed);
      await tx.run('UPDATE pupils SET record = ?, updated_at = ? WHERE id = ?', [record, at, pupilId]);
      await tx.audit({ at, actor: actor.id, role: actor.role, action: audit.action, data: { pupilId, ...audit.data }, bound: { pupils: { [pupilId]: contentHash(record) } } });
      return changed;
    });
  }

  /**
   * Moves a pupil's record to another school: the one way a pupil changes school in the store
   * (an import for one school never touches another's pupils). Audited as `pupil-moved` with
   * both schools and the reason's code, the record's new hash bound. The pupil's cases stay with
   * the school that opened them: they were that school's decisions.
   * @throws CaseNotFound when the actor cannot see the pupil; AccessDenied when they may not move it;
   *   StoreRefused for a school that does not exist or the school the pupil is already at.
   */
  async move(actor: Actor, pupilId: string, toSchoolId: string, reason: PupilMoveReason): Promise<{ from: string; to: string }> {
    const at = this.#now().toISOString();
    return this.#write(async (tx) => {
      const row = await tx.get<{ school_id: string; record: string }>('SELECT school_id, record FROM pupils WHERE id = ?', [pupilId]);
      if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(pupilId, 'pupil');
      const may = mayMovePupil(actor, row.school_id, toSchoolId);
      if (!may.allowed) throw new AccessDenied(may.reason);
      if (row.school_id === toSchoolId) throw new StoreRefused(`pupil ${pupilId} is already at school ${toSchoolId}`);
      if (!(await tx.get('SELECT 1 AS found FROM schools WHERE id = ?', [toSchoolId]))) throw new StoreRefused(`there is no school ${toSchoolId} in the store; add it first (cases staff FILE)`);
      const record = JSON.stringify({ ...(JSON.parse(row.record) as PupilRecord), schoolId: toSchoolId });
      await tx.run('UPDATE pupils SET school_id = ?, record = ?, updated_at = ? WHERE id = ?', [toSchoolId, record, at, pupilId]);
      await tx.audit({ at, actor: actor.id, role: actor.role, action: PUPIL_MOVED, data: { pupilId, from: row.school_id, to: toSchoolId, reason }, bound: { pupils: { [pupilId]: contentHash(record) } } });
      return { from: row.school_id, to: toSchoolId };
    });
  }

  /**
   * Commits one school's pull from its MIS, all-or-nothing: the records that changed, and the
   * cursor the next pull starts from (saved only with them). Audited as counts, each changed
   * record's hash bound. A record for another school, or an id another school holds, refuses it all.
   * @returns how many records changed, and whose (none: the pull brought nothing new; the cursor still moves on).
   * @throws InputError naming each refused record.
   */
  async importPull(actor: Actor, pull: { readonly schoolId: string; readonly system: string; readonly records: readonly PupilRecord[]; readonly cursor: string }): Promise<{ changed: number; changedIds: string[]; pupils: number }> {
    const source = `${pull.system} pull for school ${pull.schoolId}`;
    const problems: Problem[] = pull.records
      .filter((r) => r.schoolId !== pull.schoolId)
      .map((r) => ({ file: source, location: `pupil ${r.id}`, field: 'schoolId', message: `is ${r.schoolId}; a pull for school ${pull.schoolId} holds only its pupils` }));
    if (problems.length > 0) throw new InputError(`${source}: ${problems.length} record(s) of another school; nothing was imported`, problems);
    const at = this.#now().toISOString();
    return this.#write(async (tx) => {
      await refuseOtherSchools(tx, actor, source, pull.records, new Map(pull.records.map((r) => [r.id, 'pull'])));
      const before = new Map<string, string>();
      for (let i = 0; i < pull.records.length; i += 500) {
        const batch = pull.records.slice(i, i + 500).map((r) => r.id);
        const rows = await tx.all<{ id: string; record: string }>(`SELECT id, record FROM pupils WHERE id IN (${batch.map(() => '?').join(', ')})`, batch);
        for (const row of rows) before.set(row.id, row.record);
      }
      const written: Record<string, string> = {};
      for (const [i, r] of pull.records.entries()) {
        // A large school's records take a while to compare: let the process's other work in between.
        if (i % 200 === 199) await setImmediate();
        const record = JSON.stringify(r);
        // Unchanged records are not written: pulling the same data again changes nothing. (The same
        // text: a record stored another way round is written once more, to no harm.)
        if (before.get(r.id) === record) continue;
        written[r.id] = await storeRecord(tx, r, record, at);
      }
      await tx.run('INSERT INTO mis_cursors (school_id, system, cursor, pulled_at) VALUES (?, ?, ?, ?) ON CONFLICT (school_id, system) DO UPDATE SET cursor = excluded.cursor, pulled_at = excluded.pulled_at', [
        pull.schoolId,
        pull.system,
        pull.cursor,
        at,
      ]);
      const changed = Object.keys(written).length;
      await tx.audit({
        at,
        actor: actor.id,
        role: actor.role,
        action: 'mis-pull',
        data: { schoolId: pull.schoolId, system: pull.system, pupils: pull.records.length, changed },
        ...(changed > 0 ? { bound: { pupils: written } } : {}),
      });
      return { changed, changedIds: Object.keys(written), pupils: pull.records.length };
    });
  }

  /** Where a school's next pull from `system` starts: the cursor saved with its last committed pull. */
  async misCursor(schoolId: string, system: string): Promise<string | undefined> {
    const row = await this.#db.get<{ cursor: string }>('SELECT cursor FROM mis_cursors WHERE school_id = ? AND system = ?', [schoolId, system]);
    return row?.cursor;
  }

  /** The calendar a school follows on a date: the latest of its years to have started by then. */
  async calendarFor(schoolId: string, date: IsoDate): Promise<SchoolCalendar | undefined> {
    const rows = await this.#db.all<{ spec: string }>('SELECT spec FROM calendars WHERE school_id = ? ORDER BY academic_year', [schoolId]);
    let found: SchoolCalendar | undefined;
    for (const { spec } of rows) {
      let calendar = this.#parsed.get(spec);
      if (!calendar) this.#parsed.set(spec, (calendar = new SchoolCalendar(JSON.parse(spec))));
      if (calendar.firstDay <= date) found = calendar;
    }
    return found;
  }
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Pupil ids belong to a school: a file for one school cannot replace, or move, another school's
 * pupil. Moving a pupil is not an import's to do; refused naming the row and the school that holds
 * the id (or "another school", for whoever cannot see it).
 * @throws InputError listing every such record.
 */
/** Stores a pupil's record as `text` (its JSON), moving it to the record's school; returns the text's hash, for the audit row to bind. */
async function storeRecord(tx: Queryable, record: PupilRecord, text: string, at: string): Promise<string> {
  await tx.run(
    'INSERT INTO pupils (id, school_id, record, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, record = excluded.record, updated_at = excluded.updated_at',
    [record.id, record.schoolId, text, at],
  );
  return contentHash(text);
}

/** A school's calendar for an academic year (its spec as JSON), replacing the one held. */
async function storeCalendar(tx: Queryable, schoolId: string, academicYear: string, spec: string): Promise<void> {
  await tx.run('INSERT INTO calendars (school_id, academic_year, spec) VALUES (?, ?, ?) ON CONFLICT (school_id, academic_year) DO UPDATE SET spec = excluded.spec', [schoolId, academicYear, spec]);
}

async function refuseOtherSchools(q: Queryable, actor: Actor, file: string, records: readonly PupilRecord[], locations: ReadonlyMap<string, string>): Promise<void> {
  const problems: Problem[] = [];
  for (let i = 0; i < records.length; i += 500) {
    const batch = records.slice(i, i + 500);
    const held = await q.all<{ id: string; school_id: string }>(`SELECT id, school_id FROM pupils WHERE id IN (${batch.map(() => '?').join(', ')})`, batch.map((r) => r.id));
    const schoolOf = new Map(held.map((row) => [row.id, row.school_id]));
    for (const r of batch) {
      const holder = schoolOf.get(r.id);
      if (holder === undefined || holder === r.schoolId) continue;
      const named = actor.role === 'system' || actor.schoolIds.includes(holder) ? `school ${holder}` : 'another school';
      problems.push({
        file,
        location: `${locations.get(r.id) ?? 'record'} (pupil ${r.id})`,
        field: 'schoolId',
        message: `pupil id ${r.id} is held by ${named}; a file for school ${r.schoolId} cannot change or move it. A pupil who moved school is a leaver there (its file gives "leftOn") and joins here under a new id, or an inclusion officer covering both schools moves the record ("cases pupils move")`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(`${file}: ${problems.length} pupil${problems.length === 1 ? '' : 's'} of other schools; nothing was imported`, problems);
}
