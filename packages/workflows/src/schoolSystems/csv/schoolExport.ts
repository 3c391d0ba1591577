/**
 * A school system's CSV export — pupils, exclusions, attendance marks — read through a mapping
 * profile into pupil records, all-or-nothing: every problem is collected (bounded) and named by
 * file, row, column and what is accepted; one problem and no record comes back.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, checkRecordOnCalendar, isIsoDate, parsePupilRecord, printable, type Problem, type PupilRecord, type PupilRecordInput, type SchoolCalendar } from '@before-exclusion/rules';
import { pupilPseudonym, type PupilIdKey } from '../pupilPseudonym.js';
import { readCsvFile, readCsvText, headingKey, rowLocation, type CsvRow, type CsvTable } from './csvTable.js';
import { valueFor, type AttendanceField, type ExclusionField, type MappingProfile, type PupilField } from './mappingProfile.js';

/** More problems than this are not listed: the first ones show what is wrong with the export. */
export const MAX_PROBLEMS = 100;

export interface SchoolExportFiles {
  readonly pupils: string;
  readonly exclusions?: string;
  readonly attendance?: string;
}

export interface SchoolExportOptions {
  readonly profile: MappingProfile;
  /** The school's id, for a pupils file without a school column (MIS exports are one school's). */
  readonly schoolId?: string;
  /** Needed when the profile pseudonymises ids. */
  readonly key?: PupilIdKey;
  /** Each record's dates are checked against it (exclusions on school days, and the like). */
  readonly calendar?: SchoolCalendar;
}

/** What the export gives for one pupil: the fields its files map, nothing else. */
export interface ExportedPupil {
  readonly record: PupilRecord;
  /** The pupil-record fields the pupils file gave (others are kept from the stored record). */
  readonly fields: readonly PupilField[];
  /** Whether an exclusions file was given (then it is the pupil's whole list of exclusions). */
  readonly exclusionsGiven: boolean;
  /** Whether an attendance file was given (then its days replace the stored marks for those days). */
  readonly attendanceGiven: boolean;
  /** Where the pupil is: `pupils.csv row 4`. */
  readonly location: string;
}

export interface SchoolExport {
  readonly pupils: readonly ExportedPupil[];
  /** Each file read, by name, with its SHA-256 (for the audit row: never its contents). */
  readonly files: readonly { readonly name: string; readonly sha256: string }[];
}

/**
 * Reads a school's CSV export through a profile.
 * @throws InputError listing every problem (up to {@link MAX_PROBLEMS}) by file, row and column.
 */
export function readSchoolExport(files: SchoolExportFiles, options: SchoolExportOptions): SchoolExport {
  const problems: Problem[] = [];
  const tables: { pupils?: CsvTable; exclusions?: CsvTable; attendance?: CsvTable } = {};
  for (const kind of ['pupils', 'exclusions', 'attendance'] as const) {
    const path = files[kind];
    if (!path) continue;
    try {
      tables[kind] = readCsvFile(path, basename(path));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw refusal(problems);
  const pupils = recordsFromTables(tables as { pupils: CsvTable; exclusions?: CsvTable; attendance?: CsvTable }, options);
  const hashed = (Object.values(files).filter(Boolean) as string[]).map((path) => ({ name: basename(path), sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }));
  return { pupils, files: hashed };
}

/** For tests and the fuzz test: the same reading from CSV texts. */
export function readSchoolExportText(texts: { pupils: string; exclusions?: string; attendance?: string }, options: SchoolExportOptions): readonly ExportedPupil[] {
  const problems: Problem[] = [];
  const table = (text: string | undefined, name: string) => {
    if (text === undefined) return undefined;
    try {
      return readCsvText(text, name);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const tables = { pupils: table(texts.pupils, 'pupils.csv'), exclusions: table(texts.exclusions, 'exclusions.csv'), attendance: table(texts.attendance, 'attendance.csv') };
  if (problems.length > 0 || !tables.pupils) throw refusal(problems);
  return recordsFromTables({ ...tables, pupils: tables.pupils }, options);
}

function refusal(problems: readonly Problem[]): InputError {
  const shown = problems.slice(0, MAX_PROBLEMS);
  const more = problems.length > MAX_PROBLEMS ? [{ message: `… and ${problems.length - MAX_PROBLEMS} more problems like these` }] : [];
  return new InputError(`the export has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`, [...shown, ...more]);
}

/** The columns of one table that the profile maps, found by heading. */
class Columns<F extends string> {
  readonly #headingOf = new Map<F, string>();
  readonly #indexOf = new Map<F, number>();
  constructor(
    readonly table: CsvTable,
    mapping: Partial<Record<F, readonly string[] | undefined>>,
    required: readonly F[],
    problems: Problem[],
  ) {
    const present = new Map(table.headings.map((h) => [headingKey(h), h]));
    for (const [field, headings] of Object.entries(mapping) as [F, readonly string[] | undefined][]) {
      const found = headings?.map((h) => present.get(headingKey(h))).find((h) => h !== undefined);
      if (found !== undefined) {
        this.#headingOf.set(field, found);
        this.#indexOf.set(field, table.headings.indexOf(found));
      }
      else if (required.includes(field)) {
        problems.push({ file: table.file, location: 'row 1', field: field, message: `no column for "${field}"; accepted heading${headings!.length === 1 ? '' : 's'}: ${headings!.map((h) => JSON.stringify(h)).join(' or ')}` });
      }
    }
  }

  has(field: F): boolean {
    return this.#headingOf.has(field);
  }

  /** The heading a field is read from (for a problem), or the field's name when it is not mapped. */
  column(field: F): string {
    return this.#headingOf.get(field) ?? field;
  }

  /** The cell, '' when empty or when the file has no such column. */
  get(row: CsvRow, field: F): string {
    const index = this.#indexOf.get(field);
    return index === undefined ? '' : (row.cells[index] ?? '');
  }
}

interface Source {
  readonly file: string;
  readonly row: CsvRow;
}

interface Building {
  input: Record<string, unknown> & { exclusions: Record<string, unknown>[]; attendance: { date: string; am?: string; pm?: string }[] };
  readonly pupilRow: Source;
  readonly exclusionRows: Source[];
  readonly attendanceRows: Source[][];
  /** Where each date is in `input.attendance` (a year of session rows is ~400 a pupil). */
  readonly dayIndex: Map<string, number>;
  readonly fields: PupilField[];
}

/** Reads the tables into pupils; see {@link readSchoolExport}. */
export function recordsFromTables(tables: { pupils: CsvTable; exclusions?: CsvTable | undefined; attendance?: CsvTable | undefined }, options: SchoolExportOptions): readonly ExportedPupil[] {
  const { profile } = options;
  const problems: Problem[] = [];
  const full = () => problems.length > MAX_PROBLEMS;
  const at = (source: Source, column: string, message: string) => problems.push({ file: source.file, location: rowLocation(source.row), field: column, message });

  if (profile.pupilIds === 'pseudonymised' && !options.key) {
    throw new InputError(`the ${profile.name} profile pseudonymises pupil ids, and no key was given`, [{ message: 'set PUPIL_ID_KEY (at least 32 characters, e.g. from `openssl rand -hex 32`), or run the demo (DEMO=on) to use the public demo key' }]);
  }
  const p = new Columns<PupilField>(tables.pupils, profile.pupils, options.schoolId ? ['id'] : ['id', 'schoolId'], problems);
  const e = tables.exclusions && profile.exclusions ? new Columns<ExclusionField>(tables.exclusions, profile.exclusions, ['pupilId', 'category', 'startDate', 'reason1'], problems) : undefined;
  const a = tables.attendance && profile.attendance ? new Columns<AttendanceField>(tables.attendance, profile.attendance, ['pupilId', 'date'], problems) : undefined;
  if (tables.exclusions && !profile.exclusions) problems.push({ file: tables.exclusions.file, message: `the ${profile.name} profile maps no exclusions file; accepted: a profile with "exclusions" columns` });
  if (tables.attendance && !profile.attendance) problems.push({ file: tables.attendance.file, message: `the ${profile.name} profile maps no attendance file; accepted: a profile with "attendance" columns` });
  if (problems.length > 0) throw refusal(problems);

  const pseudonym = (schoolId: string, misId: string) => (profile.pupilIds === 'pseudonymised' ? pupilPseudonym(options.key!, schoolId, misId) : misId);
  // Keyed by the id as the export writes it (exclusions and marks name pupils that way).
  const byExportId = new Map<string, Building>();

  for (const row of tables.pupils.rows) {
    if (full()) break;
    const source = { file: tables.pupils.file, row };
    const exportId = p.get(row, 'id');
    const schoolId = p.get(row, 'schoolId') || options.schoolId || '';
    if (exportId === '') {
      at(source, p.column('id'), 'no pupil id; accepted: the pupil\'s UPN or the school\'s own reference');
      continue;
    }
    if (schoolId === '') {
      at(source, p.column('schoolId'), 'no school id; accepted: the school\'s id in this column, or --school ID for a file of one school');
      continue;
    }
    const before = byExportId.get(exportId);
    if (before) {
      at(source, p.column('id'), `pupil ${printable(exportId, 40)} is also on ${rowLocation(before.pupilRow.row)}; accepted: one row per pupil`);
      continue;
    }
    const input: Building['input'] = { id: pseudonym(schoolId, exportId), schoolId, exclusions: [], attendance: [] };
    const fields: PupilField[] = ['id', 'schoolId'];
    for (const field of ['joinedOn', 'leftOn', 'yearGroup', 'sex', 'ethnicity', 'send', 'lookedAfter', 'hasSocialWorker', 'fsm', 'atRiskOfPermanentExclusion', 'priorSchoolSuspensionDays'] as const) {
      if (!p.has(field)) continue;
      fields.push(field);
      const written = p.get(row, field);
      if (written === '') continue;
      const converted = convertPupilField(field, valueFor(profile, field, written));
      if ('problem' in converted) at(source, p.column(field), `${described(written)} ${converted.problem}`);
      else input[field] = converted.value;
    }
    byExportId.set(exportId, { input, pupilRow: source, exclusionRows: [], attendanceRows: [], dayIndex: new Map(), fields });
  }

  const pupilOf = (source: Source, column: string, exportId: string): Building | undefined => {
    if (exportId === '') {
      at(source, column, 'no pupil id; accepted: the id the pupils file gives the pupil');
      return undefined;
    }
    const found = byExportId.get(exportId);
    if (!found) at(source, column, `pupil ${printable(exportId, 40)} is not in ${tables.pupils.file}; accepted: a pupil the pupils file lists`);
    return found;
  };

  if (e && tables.exclusions) {
    for (const row of tables.exclusions.rows) {
      if (full()) break;
      const source = { file: tables.exclusions.file, row };
      const pupil = pupilOf(source, e.column('pupilId'), e.get(row, 'pupilId'));
      if (!pupil) continue;
      const exclusion: Record<string, unknown> = {};
      const cell = (field: ExclusionField) => valueFor(profile, field, e.get(row, field));
      let readable = true;
      const fail = (field: ExclusionField, message: string) => {
        readable = false;
        at(source, e.column(field), `${described(e.get(row, field))} ${message}`);
      };
      exclusion.category = cell('category').toUpperCase();
      const start = ukDate(cell('startDate'));
      if (start === undefined) fail('startDate', DATE_ACCEPTED);
      else exclusion.startDate = start;
      const session = cell('startSession').toUpperCase();
      if (session !== '') {
        if (session === 'AM' || session === 'PM') exclusion.startSession = session;
        else fail('startSession', `is not a session; accepted: AM or PM${spellings(profile, 'startSession')}`);
      }
      for (const field of ['sessions', 'lunchtimes'] as const) {
        const written = cell(field);
        if (written === '') continue;
        const n = Number(written);
        if (Number.isInteger(n)) exclusion[field] = n;
        else fail(field, `is not a whole number of ${field}; accepted: 1, 2, 3…`);
      }
      const days = cell('schoolDays');
      if (days !== '' && exclusion.sessions === undefined && exclusion.category !== 'LNCH') {
        const n = Number(days);
        if (Number.isFinite(n) && Number.isInteger(n * 2) && n > 0) exclusion.sessions = n * 2;
        else fail('schoolDays', 'is not a number of school days; accepted: whole or half days (1, 1.5, 2…)');
      }
      exclusion.reasons = (['reason1', 'reason2', 'reason3'] as const).map((f) => cell(f).toUpperCase()).filter((r) => r !== '');
      for (const field of ['cancelled', 'missesPublicExam'] as const) {
        const written = cell(field);
        if (written === '') continue;
        const flag = flagOf(written);
        if (flag === undefined) fail(field, FLAG_ACCEPTED);
        else exclusion[field] = flag;
      }
      const id = cell('id');
      exclusion.id = id !== '' ? id : `${exclusion.startDate ?? 'undated'}-${exclusion.startSession ?? 'AM'}-${exclusion.category || 'X'}`;
      // A row already refused is not checked again as a record (one problem per fault).
      if (!readable) continue;
      pupil.input.exclusions.push(exclusion);
      pupil.exclusionRows.push(source);
    }
  }

  if (a && tables.attendance && !(a.has('am') && a.has('pm')) && !(a.has('session') && a.has('mark'))) {
    const m = profile.attendance!;
    const names = (f: AttendanceField) => (m[f] ?? []).map((h) => JSON.stringify(h)).join(' or ');
    problems.push({ file: tables.attendance.file, location: 'row 1', message: `no columns for the marks; accepted headings: ${m.am ? `${names('am')} and ${names('pm')} (a row per pupil and day)` : ''}${m.am && m.session ? ', or ' : ''}${m.session ? `${names('session')} and ${names('mark')} (a row per session)` : ''}` });
    throw refusal(problems);
  }
  if (a && tables.attendance) {
    const bySession = !(a.has('am') && a.has('pm'));
    for (const row of tables.attendance.rows) {
      if (full()) break;
      const source = { file: tables.attendance.file, row };
      const pupil = pupilOf(source, a.column('pupilId'), a.get(row, 'pupilId'));
      if (!pupil) continue;
      const date = ukDate(valueFor(profile, 'date', a.get(row, 'date')));
      if (date === undefined) {
        at(source, a.column('date'), `${described(a.get(row, 'date'))} ${DATE_ACCEPTED}`);
        continue;
      }
      const marks: { am?: string; pm?: string } = {};
      if (bySession) {
        const session = valueFor(profile, 'session', a.get(row, 'session')).toUpperCase();
        if (session !== 'AM' && session !== 'PM') {
          at(source, a.column('session'), `${described(a.get(row, 'session'))} is not a session; accepted: AM or PM${spellings(profile, 'session')}`);
          continue;
        }
        const mark = valueFor(profile, 'mark', a.get(row, 'mark'));
        if (mark !== '') marks[session === 'AM' ? 'am' : 'pm'] = mark;
      } else {
        const am = valueFor(profile, 'am', a.get(row, 'am'));
        const pm = valueFor(profile, 'pm', a.get(row, 'pm'));
        if (am !== '') marks.am = am;
        if (pm !== '') marks.pm = pm;
      }
      // A row per session: the two halves of a day meet in one attendance day.
      const index = pupil.dayIndex.get(date);
      if (index === undefined) {
        pupil.dayIndex.set(date, pupil.input.attendance.length);
        pupil.input.attendance.push({ date, ...marks });
        pupil.attendanceRows.push([source]);
        continue;
      }
      const day = pupil.input.attendance[index]!;
      const clash = (['am', 'pm'] as const).find((s) => marks[s] !== undefined && day[s] !== undefined);
      if (clash) {
        at(source, a.column(bySession ? 'session' : 'date'), `${date} ${clash.toUpperCase()} is also marked on ${rowLocation(pupil.attendanceRows[index]![0]!.row)}; accepted: one mark per pupil and session`);
        continue;
      }
      Object.assign(day, marks);
      pupil.attendanceRows[index]!.push(source);
    }
  }

  const pupils: ExportedPupil[] = [];
  for (const pupil of byExportId.values()) {
    if (full()) break;
    const parsed = parsePupilRecord(pupil.input satisfies Record<string, unknown> as PupilRecordInput);
    const found = parsed.ok ? (options.calendar ? checkRecordOnCalendar(parsed.record, options.calendar) : []) : parsed.problems;
    for (const problem of found) problems.push(placed(problem, pupil, { p, e, a }));
    if (parsed.ok && found.length === 0) {
      pupils.push({ record: parsed.record, fields: pupil.fields, exclusionsGiven: Boolean(e), attendanceGiven: Boolean(a), location: `${pupil.pupilRow.file} ${rowLocation(pupil.pupilRow.row)}` });
    }
  }
  if (problems.length > 0) throw refusal(problems);
  if (pupils.length === 0) throw refusal([{ file: tables.pupils.file, message: 'no pupils; expected a heading row, then a row per pupil' }]);
  return pupils;
}

/** A record's problem, put back where the export holds it: file, row and column. */
function placed(problem: Problem, pupil: Building, c: { p: Columns<PupilField>; e?: Columns<ExclusionField> | undefined; a?: Columns<AttendanceField> | undefined }): Problem {
  const field = problem.field ?? '';
  const nested = /^(exclusions|attendance)\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?/.exec(field);
  if (nested && nested[1] === 'exclusions' && c.e) {
    const source = pupil.exclusionRows[Number(nested[2])]!;
    const name = nested[3] === 'reasons' ? (`reason${Number(nested[4] ?? 0) + 1}` as ExclusionField) : ((nested[3] ?? 'id') as ExclusionField);
    const column = name === 'reasons' as string ? c.e.column('reason1') : c.e.column(name);
    return { file: source.file, location: rowLocation(source.row), field: column, message: problem.message };
  }
  if (nested && nested[1] === 'attendance' && c.a) {
    const sources = pupil.attendanceRows[Number(nested[2])]!;
    const name = (nested[3] ?? 'date') as AttendanceField;
    const column = c.a.has(name) ? c.a.column(name) : c.a.has('mark') ? c.a.column('mark') : c.a.column('date');
    return { file: sources[0]!.file, location: sources.map((s) => rowLocation(s.row)).join(' and '), field: column, message: problem.message };
  }
  const top = (field.split(/[.[]/)[0] ?? '') as PupilField;
  return { file: pupil.pupilRow.file, location: rowLocation(pupil.pupilRow.row), field: c.p.column(top || 'id'), message: problem.message };
}

/** The profile's own spellings of a field's values, for a refusal: ` (or Morning, Afternoon)`. */
function spellings(profile: MappingProfile, field: 'startSession' | 'session'): string {
  const own = Object.keys(profile.values[field] ?? {});
  return own.length > 0 ? ` (or ${own.join(', ')})` : '';
}

const DATE_ACCEPTED = 'is not a date; accepted: 23/03/2026 (day/month/year) or 2026-03-23';
const FLAG_ACCEPTED = 'is not yes or no; accepted: yes/no, Y/N, true/false or 1/0 (empty means no)';

/** A cell as a problem shows it: quoted, cut short, control characters made visible. */
function described(written: string): string {
  return written === '' ? '(empty)' : JSON.stringify(printable(written, 60));
}

/**
 * A date as English school systems write it: day/month/year (23/03/2026, 3/3/26 is refused:
 * a two-digit year is ambiguous), or ISO 2026-03-23; a time Excel adds (`00:00`) is ignored.
 * Never month/day: a US-ordered date is refused where the day exceeds 12, and read as UK otherwise.
 */
export function ukDate(written: string): string | undefined {
  const text = written.trim().replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/, '');
  if (isIsoDate(text)) return text;
  const uk = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (!uk) return undefined;
  const iso = `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** yes/no, Y/N, true/false, 1/0 in any case; undefined for anything else. */
export function flagOf(written: string): boolean | undefined {
  const w = written.trim().toLowerCase();
  if (['yes', 'y', 'true', '1', 't'].includes(w)) return true;
  if (['no', 'n', 'false', '0', 'f'].includes(w)) return false;
  return undefined;
}

type Converted = { value: unknown } | { problem: string };

function convertPupilField(field: Exclude<PupilField, 'id' | 'schoolId'>, written: string): Converted {
  switch (field) {
    case 'joinedOn':
    case 'leftOn': {
      const date = ukDate(written);
      return date === undefined ? { problem: DATE_ACCEPTED } : { value: date };
    }
    case 'yearGroup': {
      const w = written.trim().toLowerCase();
      if (w === 'r' || w === 'reception' || w === 'rec') return { value: 0 };
      const n = /^(?:year|yr|y|nc)?\s*(\d{1,2})$/.exec(w);
      return n ? { value: Number(n[1]) } : { problem: 'is not a year group; accepted: R or Reception, 1 to 14, or Year 7, Y7' };
    }
    case 'sex': {
      const w = written.trim().toUpperCase();
      const sex = ({ F: 'F', FEMALE: 'F', M: 'M', MALE: 'M', U: 'U', UNKNOWN: 'U' } as Record<string, string>)[w];
      return sex ? { value: sex } : { problem: 'is not a sex code; accepted: F, M or U (Female, Male, Unknown)' };
    }
    case 'ethnicity':
      return { value: written.trim().toUpperCase() };
    case 'send': {
      const w = written.trim().toUpperCase();
      const send = ({ NONE: 'none', N: 'none', K: 'K', E: 'E', S: 'E' } as Record<string, string>)[w];
      return send ? { value: send } : { problem: 'is not a SEN provision code; accepted: N or none, K (SEN support), E (EHC plan)' };
    }
    case 'priorSchoolSuspensionDays': {
      const n = Number(written);
      return Number.isFinite(n) && written.trim() !== '' ? { value: n } : { problem: 'is not a number of school days; accepted: 0 to 45, whole or half days' };
    }
    default: {
      const flag = flagOf(written);
      return flag === undefined ? { problem: FLAG_ACCEPTED } : { value: flag };
    }
  }
}
