/**
 * The fast path of validation: a well-formed `pupil-record/1` — the common fields, every value
 * as the schema accepts it — is checked by plain code and built without zod. Anything else
 * (a problem, a field this path does not know, such as the pupil-movement kinds) goes to zod,
 * which finds and words every problem. The result is the record zod would give, or nothing.
 *
 * The path guards itself: on loading it compares its fields with the schema's, and stays off
 * (everything goes to zod) when the schema has changed under it. A test holds it to zod's
 * output over the benchmark cohort and the fuzz inputs.
 */
import { ATTENDANCE_MARKS, EBSNA_INDICATORS, EXCLUSION_CATEGORY_SYNONYMS, EXCLUSION_REASONS, type ExclusionCategory } from './codes.js';
import { isIsoDate } from './dates.js';
import type { Problem } from './problems.js';
import {
  attendanceDaySchema,
  exclusionSchema,
  ID_MAX_LENGTH,
  MAX_ATTENDANCE_DAYS,
  MAX_EXCLUSIONS,
  parsePupilRecord,
  PUPIL_RECORD_FORMAT,
  pupilRecordSchema,
  RECORD_YEARS,
  type AttendanceDay,
  type Exclusion,
  type ParsedPupil,
  type PupilRecord,
} from './pupilRecord.js';

const PUPIL_FIELDS = [
  'format', 'id', 'schoolId', 'joinedOn', 'leftOn', 'yearGroup', 'sex', 'ethnicity', 'send', 'lookedAfter', 'hasSocialWorker', 'fsm',
  'atRiskOfPermanentExclusion', 'priorSchoolSuspensionDays', 'exclusions', 'attendance', 'ebsnaIndicators', 'hasFurtherPublicExams',
];
const EXCLUSION_FIELDS = ['id', 'category', 'startDate', 'startSession', 'sessions', 'lunchtimes', 'reasons', 'cancelled', 'missesPublicExam'];
const ATTENDANCE_FIELDS = ['date', 'am', 'pm'];

const own = (table: object) => new Set(Object.keys(table));
const MARKS = own(ATTENDANCE_MARKS);
const REASONS = own(EXCLUSION_REASONS);
const INDICATORS = own(EBSNA_INDICATORS);
const CATEGORIES = new Map(Object.entries(EXCLUSION_CATEGORY_SYNONYMS));
const MAX_INDICATORS = INDICATORS.size * 4;
const PUPIL_KEYS = new Set(PUPIL_FIELDS);
const EXCLUSION_KEYS = new Set(EXCLUSION_FIELDS);

const sameFields = (shape: object, fields: readonly string[]) => {
  const keys = Object.keys(shape);
  return keys.length === fields.length && fields.every((f) => keys.includes(f));
};

/**
 * On only while the schema has exactly the exclusion and attendance fields this path knows,
 * every pupil field it knows, and no default for a field it does not (so a record without
 * the newer fields comes out of zod exactly as it comes out of here).
 */
const enabled = (() => {
  const defaults = pupilRecordSchema.safeParse({ id: 'P', schoolId: 'S' });
  return (
    sameFields(exclusionSchema.shape, EXCLUSION_FIELDS) &&
    sameFields(attendanceDaySchema.shape, ATTENDANCE_FIELDS) &&
    PUPIL_FIELDS.every((f) => f in pupilRecordSchema.shape) &&
    defaults.success &&
    Object.keys(defaults.data).every((k) => PUPIL_KEYS.has(k))
  );
})();

/** Whether the fast path is on (it turns itself off when the record schema has changed under it). */
export const FAST_VALIDATION = enabled;

function isId(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > ID_MAX_LENGTH) return false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function isRecordDate(v: unknown): v is string {
  if (typeof v !== 'string' || !isIsoDate(v)) return false;
  const year = Number(v.slice(0, 4));
  return year >= RECORD_YEARS.from && year <= RECORD_YEARS.to;
}

const isOptionalDate = (v: unknown) => v === undefined || isRecordDate(v);
const isFlag = (v: unknown) => v === undefined || typeof v === 'boolean';
const isWholeIn = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasOnly(object: Record<string, unknown>, keys: ReadonlySet<string>): boolean {
  for (const key in object) if (!keys.has(key)) return false;
  return true;
}

function exclusionOf(v: unknown): Exclusion | undefined {
  if (!isObject(v) || !hasOnly(v, EXCLUSION_KEYS)) return undefined;
  const { id, startDate, startSession, sessions, lunchtimes, reasons, cancelled, missesPublicExam } = v;
  const category = typeof v.category === 'string' ? CATEGORIES.get(v.category) : undefined;
  if (!isId(id) || category === undefined || !isRecordDate(startDate)) return undefined;
  if (startSession !== undefined && startSession !== 'AM' && startSession !== 'PM') return undefined;
  if (sessions !== undefined && !isWholeIn(sessions, 1, 90)) return undefined;
  if (lunchtimes !== undefined && !isWholeIn(lunchtimes, 1, 90)) return undefined;
  if (!Array.isArray(reasons) || reasons.length < 1 || reasons.length > 3 || !reasons.every((r) => typeof r === 'string' && REASONS.has(r))) return undefined;
  if (!isFlag(cancelled) || !isFlag(missesPublicExam)) return undefined;
  if (category === 'LNCH' ? lunchtimes === undefined || sessions !== undefined : lunchtimes !== undefined || (category === 'FIXD' && sessions === undefined)) return undefined;
  return {
    id,
    category: category as ExclusionCategory,
    startDate,
    startSession: startSession ?? 'AM',
    ...(sessions === undefined ? {} : { sessions: sessions as number }),
    ...(lunchtimes === undefined ? {} : { lunchtimes: lunchtimes as number }),
    reasons: [...reasons] as Exclusion['reasons'],
    cancelled: cancelled ?? false,
    missesPublicExam: missesPublicExam ?? false,
  } as Exclusion;
}

function attendanceOf(days: readonly unknown[]): AttendanceDay[] | undefined {
  const out: AttendanceDay[] = new Array(days.length);
  const seen = new Set<string>();
  for (let i = 0; i < days.length; i++) {
    const d = days[i];
    if (!isObject(d)) return undefined;
    let fields = 0;
    const { date, am, pm } = d;
    if (date !== undefined) fields++;
    if (am !== undefined) fields++;
    if (pm !== undefined) fields++;
    if (fields !== Object.keys(d).length || !isRecordDate(date) || seen.has(date)) return undefined;
    if (am !== undefined && !(typeof am === 'string' && MARKS.has(am))) return undefined;
    if (pm !== undefined && !(typeof pm === 'string' && MARKS.has(pm))) return undefined;
    seen.add(date);
    out[i] = (am === undefined ? (pm === undefined ? { date } : { date, pm }) : pm === undefined ? { date, am } : { date, am, pm }) as AttendanceDay;
  }
  return out;
}

/**
 * The record, when `json` is a well-formed record of the common fields; otherwise undefined
 * (it may still be valid: ask zod, through {@link readPupilRecord}).
 */
export function wellFormedPupilRecord(json: unknown): PupilRecord | undefined {
  if (!enabled || !isObject(json) || !hasOnly(json, PUPIL_KEYS)) return undefined;
  const j = json;
  if (j.format !== undefined && j.format !== PUPIL_RECORD_FORMAT) return undefined;
  if (!isId(j.id) || !isId(j.schoolId) || !isOptionalDate(j.joinedOn) || !isOptionalDate(j.leftOn)) return undefined;
  if (j.joinedOn !== undefined && j.leftOn !== undefined && (j.leftOn as string) < (j.joinedOn as string)) return undefined;
  if (j.yearGroup !== undefined && !isWholeIn(j.yearGroup, 0, 14)) return undefined;
  if (j.sex !== undefined && j.sex !== 'F' && j.sex !== 'M' && j.sex !== 'U') return undefined;
  if (j.ethnicity !== undefined && !(typeof j.ethnicity === 'string' && /^[A-Z]{4}$/.test(j.ethnicity))) return undefined;
  if (j.send !== undefined && j.send !== 'none' && j.send !== 'K' && j.send !== 'E') return undefined;
  if (!isFlag(j.lookedAfter) || !isFlag(j.hasSocialWorker) || !isFlag(j.fsm) || !isFlag(j.atRiskOfPermanentExclusion) || !isFlag(j.hasFurtherPublicExams)) return undefined;
  const prior = j.priorSchoolSuspensionDays;
  if (prior !== undefined && !(typeof prior === 'number' && prior >= 0 && prior <= 45 && Number.isInteger(prior * 2))) return undefined;

  let exclusions: Exclusion[] = [];
  if (j.exclusions !== undefined) {
    if (!Array.isArray(j.exclusions) || j.exclusions.length > MAX_EXCLUSIONS) return undefined;
    const ids = new Set<string>();
    exclusions = new Array(j.exclusions.length);
    for (let i = 0; i < j.exclusions.length; i++) {
      const e = exclusionOf(j.exclusions[i]);
      if (!e || ids.has(e.id)) return undefined;
      ids.add(e.id);
      exclusions[i] = e;
    }
  }
  let attendance: AttendanceDay[] = [];
  if (j.attendance !== undefined) {
    if (!Array.isArray(j.attendance) || j.attendance.length > MAX_ATTENDANCE_DAYS) return undefined;
    const days = attendanceOf(j.attendance);
    if (!days) return undefined;
    attendance = days;
  }
  let indicators: string[] = [];
  if (j.ebsnaIndicators !== undefined) {
    const list = j.ebsnaIndicators;
    if (!Array.isArray(list) || list.length > MAX_INDICATORS || !list.every((x) => typeof x === 'string' && INDICATORS.has(x))) return undefined;
    indicators = [...(list as string[])];
  }
  return {
    ...(j.format === undefined ? {} : { format: j.format }),
    id: j.id,
    schoolId: j.schoolId,
    ...(j.joinedOn === undefined ? {} : { joinedOn: j.joinedOn }),
    ...(j.leftOn === undefined ? {} : { leftOn: j.leftOn }),
    ...(j.yearGroup === undefined ? {} : { yearGroup: j.yearGroup }),
    ...(j.sex === undefined ? {} : { sex: j.sex }),
    ...(j.ethnicity === undefined ? {} : { ethnicity: j.ethnicity }),
    send: j.send ?? 'none',
    lookedAfter: j.lookedAfter ?? false,
    hasSocialWorker: j.hasSocialWorker ?? false,
    fsm: j.fsm ?? false,
    atRiskOfPermanentExclusion: j.atRiskOfPermanentExclusion ?? false,
    priorSchoolSuspensionDays: prior ?? 0,
    exclusions,
    attendance,
    ebsnaIndicators: indicators,
    ...(j.hasFurtherPublicExams === undefined ? {} : { hasFurtherPublicExams: j.hasFurtherPublicExams }),
  } as PupilRecord;
}

/**
 * Validates one pupil record, filling in defaults: the fast path for a well-formed record,
 * zod's located problems for the rest. The same result as {@link parsePupilRecord}, sooner.
 * @param where — the file and position to name in problems.
 */
export function readPupilRecord(json: unknown, where: Pick<Problem, 'file' | 'location'> = {}): ParsedPupil {
  const record = wellFormedPupilRecord(json);
  return record ? { ok: true, record } : parsePupilRecord(json, where);
}
