/**
 * Pupils and school calendars in the store: imported all-or-nothing from the rules' interchange
 * formats (pupil-record/1 and school calendars), pseudonymous, audited as counts — never the
 * records themselves.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadCalendarFile, readPupilRecords, SchoolCalendar, type IsoDate, type PupilRecord } from '@before-exclusion/rules';
import type { Actor } from './access.js';
import type { Clock } from './clock.js';
import { CaseNotFound } from './errors.js';
import type { AuditLog } from './store/auditLog.js';
import type { Db } from './store/database.js';

export interface ImportResult {
  readonly pupils: number;
  readonly schools: readonly string[];
  readonly academicYear: string;
}

/**
 * Imports a pupils file and the calendar its schools follow. Every record is checked before
 * any is written (readPupilRecords checks the whole file first): one bad record, nothing written.
 * @throws InputError listing every problem, with file, line and field.
 */
export async function importPupils(db: Db, audit: AuditLog, clock: Clock, actor: Actor, files: { pupils: string; calendar: string }): Promise<ImportResult> {
  const calendar = await loadCalendarFile(files.calendar);
  const records: PupilRecord[] = [];
  for await (const { record } of readPupilRecords(files.pupils, calendar)) records.push(record);
  const schools = [...new Set(records.map((r) => r.schoolId))].sort();
  const at = clock().toISOString();
  db.transaction(() => {
    for (const school of schools) {
      db.prepare('INSERT INTO schools (id, name) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(school, school);
      db.prepare('INSERT INTO calendars (school_id, academic_year, spec) VALUES (?, ?, ?) ON CONFLICT (school_id, academic_year) DO UPDATE SET spec = excluded.spec').run(
        school,
        calendar.academicYear,
        JSON.stringify(calendar.toSpec()),
      );
    }
    const upsert = db.prepare(
      'INSERT INTO pupils (id, school_id, record, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET school_id = excluded.school_id, record = excluded.record, updated_at = excluded.updated_at',
    );
    for (const r of records) upsert.run(r.id, r.schoolId, JSON.stringify(r), at);
    audit.append({
      at,
      actor: actor.id,
      role: actor.role,
      action: 'import',
      data: { pupils: records.length, schools, academicYear: calendar.academicYear, file: basename(files.pupils), sha256: sha256(files.pupils) },
    });
  }).immediate();
  audit.anchorLatest();
  return { pupils: records.length, schools, academicYear: calendar.academicYear };
}

/** Every stored pupil, in id order. */
export function* storedPupils(db: Db): Generator<PupilRecord> {
  for (const row of db.prepare<[], { record: string }>('SELECT record FROM pupils ORDER BY id').iterate()) yield JSON.parse(row.record) as PupilRecord;
}

/**
 * One stored pupil, for someone allowed to see their school.
 * @throws CaseNotFound — the same answer whether the pupil is unknown or out of reach, so nothing leaks.
 */
export function pupilRecord(db: Db, actor: Actor, pupilId: string): PupilRecord {
  const row = db.prepare<[string], { school_id: string; record: string }>('SELECT school_id, record FROM pupils WHERE id = ?').get(pupilId);
  if (!row || (actor.role !== 'system' && !actor.schoolIds.includes(row.school_id))) throw new CaseNotFound(pupilId, 'pupil');
  return JSON.parse(row.record) as PupilRecord;
}

/** The calendar a school follows on a date: the latest of its years to have started by then. */
export function calendarFor(db: Db, schoolId: string, date: IsoDate): SchoolCalendar | undefined {
  const rows = db.prepare<[string], { spec: string }>('SELECT spec FROM calendars WHERE school_id = ? ORDER BY academic_year').all(schoolId);
  let found: SchoolCalendar | undefined;
  for (const row of rows) {
    const calendar = new SchoolCalendar(JSON.parse(row.spec));
    if (calendar.firstDay <= date) found = calendar;
  }
  return found;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
