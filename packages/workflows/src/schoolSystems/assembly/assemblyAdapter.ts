/**
 * The Assembly Platform as a school's MIS connection: students (with demographics and care),
 * leavers, exclusions and AM/PM attendance marks, mapped to pupil-record/1.
 *
 * Shapes as the Assembly API reference (version 1.1, its published OpenAPI clients) documents
 * them. Assembly normalises a school's MIS data: exclusion reasons to CBDS code set CS010
 * (`exclusion_reason`, `_2`, `_3`), attendance marks to CS066 (`attendance_mark`), sessions to
 * `AM`/`PM`; `exclusion_type` is one of `Fixed Term`, `Lunchtime`, `Permanent`, `Reinstated`, and
 * `exclusion_length` is in sessions. What the product takes from a student: year group, sex,
 * ethnicity code, SEN category (K/E), FSM, in care, start and end dates; never a name.
 *
 * Incremental: attendance (the bulk of the data) is asked for with `If-Modified-Since` the
 * cursor; students (a school's roll fits one page of 1,500) and the year's exclusions (no
 * conditional requests documented for them) are read whole each pull, so a deletion in the MIS
 * is seen too. What the MIS does not hold — a social worker, staff's at-risk flag, EBSNA
 * indicators, exclusions recorded in the product — is kept from the stored record.
 */
import { setImmediate } from 'node:timers/promises';
import { EXCLUSION_REASONS, parsePupilRecord, type Exclusion, type IsoDate, type Problem, type PupilRecord, type PupilRecordInput } from '@before-exclusion/rules';
import { z } from 'zod';
import { pupilPseudonym, type PupilIdKey } from '../pupilPseudonym.js';
import { MisRefused, type MisAdapter, type MisPull, type MisPullRequest } from '../misAdapter.js';
import { AssemblyClient, type AssemblyClientOptions } from './assemblyClient.js';

export const ASSEMBLY_LIVE_URL = 'https://api.assembly.education';

/** Exclusion ids from Assembly, told apart from those recorded in the product. */
const EXCLUSION_PREFIX = 'assembly-';

export interface AssemblyAdapterOptions extends Omit<AssemblyClientOptions, 'signal'> {
  /** The deployment's pupil id key: pupil ids are derived from the UPN (else the MIS id). */
  readonly pupilIdKey: PupilIdKey;
}

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/, 'expected a date (YYYY-MM-DD…)')
  .transform((s) => s.slice(0, 10));
const demographics = z.object({
  ethnicity_code: z.string().nullish(),
  gender: z.string().nullish(),
  sen_category: z.string().nullish(),
  is_fsm: z.boolean().nullish(),
  in_care: z.boolean().nullish(),
});
const student = z.object({
  id: z.number().int(),
  year_code: z.string().nullish(),
  upn: z.string().nullish(),
  mis_id: z.string().nullish(),
  start_date: date.nullish(),
  end_date: date.nullish(),
  demographics: demographics.nullish(),
});
const exclusion = z.object({
  id: z.number().int(),
  student_id: z.number().int(),
  exclusion_type: z.enum(['Fixed Term', 'Lunchtime', 'Permanent', 'Reinstated']),
  exclusion_reason: z.string().nullish(),
  exclusion_reason_2: z.string().nullish(),
  exclusion_reason_3: z.string().nullish(),
  start_date: date,
  start_session: z.enum(['AM', 'PM']).nullish(),
  exclusion_length: z.number().int().nullish(),
});
const attendance = z.object({
  student_id: z.number().int(),
  session_date: date,
  session_name: z.enum(['AM', 'PM']),
  attendance_mark: z.string().nullish(),
});
type Student = z.output<typeof student>;
type AssemblyExclusion = z.output<typeof exclusion>;
type Mark = z.output<typeof attendance>;

const cursorSchema = z.object({ attendances: z.string().min(1) });

export class AssemblyAdapter implements MisAdapter {
  readonly system = 'assembly';
  readonly #options: AssemblyAdapterOptions;

  constructor(options: AssemblyAdapterOptions) {
    this.#options = options;
  }

  async pull(request: MisPullRequest): Promise<MisPull> {
    const { pupilIdKey, ...clientOptions } = this.#options;
    const client = new AssemblyClient({ ...clientOptions, ...(request.signal ? { signal: request.signal } : {}) });
    const since = readCursor(request.cursor);
    const problems: Problem[] = [];
    const parse = <T>(schema: z.ZodType<T>, items: unknown[], endpoint: string): T[] =>
      items.flatMap((item, i) => {
        const parsed = schema.safeParse(item);
        if (parsed.success) return [parsed.data];
        const id = typeof item === 'object' && item && 'id' in item && typeof item.id === 'number' ? `id ${item.id}` : `item ${i + 1}`;
        for (const issue of parsed.error.issues) problems.push({ file: `Assembly ${endpoint}`, location: id, field: issue.path.join('.') || '(item)', message: issue.message });
        return [];
      });

    const studentQuery = { demographics: 'true', care: 'true' };
    const current = parse(student, (await client.list('/students', studentQuery)).items, '/students');
    const left = parse(student, (await client.list('/students/left', studentQuery)).items, '/students/left');
    const exclusions = parse(exclusion, (await client.list('/exclusions', { start_date: request.yearStart, end_date: yearEnd(request.yearStart) })).items, '/exclusions');
    const marks = await client.list('/attendances', { start_date: request.yearStart, end_date: request.today }, since);
    const attendances = parse(attendance, marks.items, '/attendances');

    const students = new Map<number, Student>();
    for (const s of [...left, ...current]) students.set(s.id, s);
    const exclusionsOf = groupBy(exclusions, (e) => e.student_id);
    const marksOf = groupBy(attendances, (a) => a.student_id);
    for (const id of new Set([...exclusionsOf.keys(), ...marksOf.keys()])) {
      if (!students.has(id)) problems.push({ file: 'Assembly /exclusions, /attendances', location: `student_id ${id}`, field: 'student_id', message: 'names a student Assembly did not list in /students or /students/left' });
    }

    const records: PupilRecord[] = [];
    for (const s of students.values()) {
      // Checking a large school's records takes seconds: let the service's chats and deadlines in between.
      if (records.length % 100 === 99) await setImmediate();
      const misId = s.upn?.trim() || s.mis_id?.trim();
      const where = { file: 'Assembly', location: `student id ${s.id}` };
      if (!misId) {
        problems.push({ file: 'Assembly /students', location: `id ${s.id}`, field: 'upn', message: 'has neither a UPN nor a mis_id; the pupil id is derived from one of them' });
        continue;
      }
      const pupilId = pupilPseudonym(pupilIdKey, request.schoolId, misId);
      const stored = request.stored.get(pupilId);
      const input = toRecord(s, pupilId, request, stored, exclusionsOf.get(s.id) ?? [], marksOf.get(s.id) ?? [], problems);
      const parsed = parsePupilRecord(input, where);
      if (parsed.ok) records.push(parsed.record);
      else problems.push(...parsed.problems.map((p) => ({ ...p, location: `${p.location ?? where.location}${dayOrExclusion(input, p.field)}` })));
    }
    if (problems.length > 0) {
      throw new MisRefused(`Assembly's data for school ${request.schoolId} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was imported`, problems);
    }
    return { records, cursor: JSON.stringify({ attendances: marks.lastModified ?? since ?? new Date().toUTCString() }), requests: client.requests };
  }
}

/** The If-Modified-Since a cursor carries, or undefined for a first pull. A cursor this adapter did not write starts again from the beginning. */
function readCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(cursor));
    return parsed.success ? parsed.data.attendances : undefined;
  } catch {
    return undefined;
  }
}

function toRecord(s: Student, pupilId: string, request: MisPullRequest, stored: PupilRecord | undefined, exclusions: AssemblyExclusion[], marks: Mark[], problems: Problem[]): PupilRecordInput {
  const d = s.demographics;
  const yearGroup = yearGroupOf(s.year_code);
  const sex = d?.gender ? sexOf(d.gender) : undefined;
  const ethnicity = d?.ethnicity_code && /^[A-Z]{4}$/.test(d.ethnicity_code) ? d.ethnicity_code : undefined;
  const pulled = exclusions.map((e) => toExclusion(e, stored, problems)).filter((e): e is Exclusion => e !== undefined);
  return {
    id: pupilId,
    schoolId: request.schoolId,
    ...(s.start_date ? { joinedOn: s.start_date } : {}),
    ...(s.end_date ? { leftOn: s.end_date } : {}),
    ...(yearGroup !== undefined ? { yearGroup } : {}),
    ...(sex ? { sex } : {}),
    ...(ethnicity ? { ethnicity } : {}),
    send: d?.sen_category === 'K' || d?.sen_category === 'E' ? d.sen_category : 'none',
    lookedAfter: d?.in_care ?? stored?.lookedAfter ?? false,
    fsm: d?.is_fsm ?? stored?.fsm ?? false,
    // Not in the MIS: as the school or the product recorded them.
    hasSocialWorker: stored?.hasSocialWorker ?? false,
    atRiskOfPermanentExclusion: stored?.atRiskOfPermanentExclusion ?? false,
    priorSchoolSuspensionDays: stored?.priorSchoolSuspensionDays ?? 0,
    ebsnaIndicators: [...(stored?.ebsnaIndicators ?? [])],
    exclusions: mergeExclusions(stored?.exclusions ?? [], pulled, request.yearStart),
    attendance: mergeMarks(stored?.attendance ?? [], marks),
  };
}

/**
 * The year's exclusions as the MIS has them, plus the stored ones it does not speak for: earlier
 * years', and those recorded in the product — unless the MIS holds the same exclusion (same
 * category, first day and session), which then keeps the product's id (and so its case).
 */
function mergeExclusions(stored: readonly Exclusion[], pulled: Exclusion[], yearStart: IsoDate): Exclusion[] {
  const same = (a: Exclusion, b: Exclusion) => a.category === b.category && a.startDate === b.startDate && a.startSession === b.startSession;
  const recorded = stored.filter((e) => !e.id.startsWith(EXCLUSION_PREFIX));
  const merged = pulled.map((p) => {
    const match = recorded.find((r) => same(r, p));
    return match ? { ...p, id: match.id } : p;
  });
  const kept = stored.filter((e) => (e.id.startsWith(EXCLUSION_PREFIX) ? e.startDate < yearStart : !merged.some((m) => m.id === e.id)));
  return [...kept, ...merged].sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id.localeCompare(b.id));
}

function mergeMarks(stored: PupilRecord['attendance'], marks: Mark[]): PupilRecordInput['attendance'] {
  const days = new Map(stored.map((d) => [d.date, { ...d }]));
  for (const m of marks) {
    const day = days.get(m.session_date) ?? { date: m.session_date };
    const mark = m.attendance_mark?.trim() || undefined;
    // A mark taken away in the MIS (null) is taken away here too.
    const next: Record<string, unknown> = { ...day, [m.session_name === 'AM' ? 'am' : 'pm']: mark };
    if (next.am === undefined) delete next.am;
    if (next.pm === undefined) delete next.pm;
    days.set(m.session_date, next as (typeof stored)[number]);
  }
  return [...days.values()].filter((d) => d.am !== undefined || d.pm !== undefined).sort((a, b) => a.date.localeCompare(b.date));
}

function toExclusion(e: AssemblyExclusion, stored: PupilRecord | undefined, problems: Problem[]): Exclusion | undefined {
  const id = `${EXCLUSION_PREFIX}${e.id}`;
  const reasons = [e.exclusion_reason, e.exclusion_reason_2, e.exclusion_reason_3].map((r) => r?.trim()).filter((r): r is string => Boolean(r));
  const where = { file: 'Assembly /exclusions', location: `id ${e.id}` };
  const unknown = reasons.filter((r) => !(r in EXCLUSION_REASONS));
  if (unknown.length > 0 || reasons.length === 0) {
    problems.push({ ...where, field: 'exclusion_reason', message: `${reasons.length === 0 ? 'no reason given' : `${unknown.join(', ')} is not a CBDS exclusion reason`}; accepted: ${Object.keys(EXCLUSION_REASONS).join(', ')}` });
    return undefined;
  }
  const base = { id, startDate: e.start_date, startSession: e.start_session ?? 'AM', reasons: reasons as Exclusion['reasons'], cancelled: false, missesPublicExam: false } as const;
  const length = e.exclusion_length ?? undefined;
  const needsLength = (what: string) => {
    problems.push({ ...where, field: 'exclusion_length', message: `a ${what} needs its length in sessions (a whole number, 1 or more)` });
    return undefined;
  };
  switch (e.exclusion_type) {
    case 'Fixed Term':
      return length && length > 0 ? { ...base, category: 'FIXD', sessions: length } : needsLength('fixed-term exclusion');
    case 'Lunchtime':
      // A lunchtime exclusion's length is counted in lunchtimes (CBDS); Assembly's one length field carries it.
      return length && length > 0 ? { ...base, category: 'LNCH', lunchtimes: length } : needsLength('lunchtime exclusion');
    case 'Permanent':
      return { ...base, category: 'PERM' };
    case 'Reinstated': {
      // Assembly says only that it was reinstated: the category is the one stored before, if any.
      const before = stored?.exclusions.find((x) => x.id === id);
      if (before) return { ...before, ...base, category: before.category, cancelled: true };
      return length && length > 0 ? { ...base, category: 'FIXD', sessions: length, cancelled: true } : { ...base, category: 'PERM', cancelled: true };
    }
  }
}

/** Which day's marks, or which exclusion, a record's problem is about — its index alone tells a data manager nothing. */
function dayOrExclusion(input: PupilRecordInput, field: string | undefined): string {
  const day = field?.match(/^attendance\[(\d+)\]/);
  if (day) return `, marks of ${input.attendance?.[Number(day[1])]?.date ?? 'a day'}`;
  const exclusion = field?.match(/^exclusions\[(\d+)\]/);
  if (exclusion) return `, exclusion ${input.exclusions?.[Number(exclusion[1])]?.id ?? ''}`;
  return '';
}

/** Assembly's `year_code`: `R` for Reception, `1`–`14`; nursery and anything else is left out. */
function yearGroupOf(code: string | null | undefined): number | undefined {
  const c = code?.trim().toUpperCase();
  if (c === 'R') return 0;
  const n = Number(c);
  return c && Number.isInteger(n) && n >= 0 && n <= 14 ? n : undefined;
}

function sexOf(gender: string): 'F' | 'M' | 'U' {
  const g = gender.trim().toUpperCase();
  return g === 'F' || g === 'FEMALE' ? 'F' : g === 'M' || g === 'MALE' ? 'M' : 'U';
}

/** The day before the same date a year later: the academic year's reach for exclusions already decided. */
function yearEnd(yearStart: IsoDate): IsoDate {
  const d = new Date(`${yearStart}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
