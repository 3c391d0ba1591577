/**
 * The pupil record interchange format, `pupil-record/1`: what an MIS or council system sends
 * the rules about one pupil. Parsed at the edge by zod; everything inside trusts the types.
 */
import { z } from 'zod';
import {
  ATTENDANCE_MARKS,
  EBSNA_INDICATORS,
  EXCLUSION_CATEGORY_SYNONYMS,
  EXCLUSION_REASONS,
  type ExclusionCategory,
} from './codes.js';
import { isIsoDate, notARealDate, type IsoDate } from './dates.js';
import { described, fieldPath, issueCode, quoted, type Problem } from './problems.js';

export const PUPIL_RECORD_FORMAT = 'pupil-record/1';

const list = (values: readonly string[]) => values.join(', ');

function codeOf<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.enum(values, {
    error: (issue) => `${described(issue.input)} is not ${what}; accepted: ${list(values)}`,
  });
}

/** Objects refuse fields they do not know, naming the fields they accept. */
function record<const S extends z.ZodRawShape>(shape: S, what: string) {
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.slice(0, 5).map((k) => quoted(k)).join(', ')}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''} in ${what}; accepted fields: ${list(Object.keys(shape))}`
        : undefined,
  });
}

/** Years a pupil's record can speak of: the calendar checks each date's reach more closely. */
export const RECORD_YEARS = { from: 1990, to: 2199 } as const;
const isoDate = z
  .string({ error: 'expected a date written YYYY-MM-DD' })
  .refine(isIsoDate, { error: (issue) => notARealDate(issue.input), params: { code: 'date.not-real' }, abort: true })
  .refine((d) => Number(d.slice(0, 4)) >= RECORD_YEARS.from && Number(d.slice(0, 4)) <= RECORD_YEARS.to, {
    error: (issue) => `${described(issue.input)} is not a year a pupil's record can hold; accepted: ${RECORD_YEARS.from} to ${RECORD_YEARS.to}`,
  });

/** The longest id accepted: MIS and UPN ids are far shorter; a longer one is a broken export. */
export const ID_MAX_LENGTH = 64;
/** Printable ASCII without spaces: ids are typed in chats and shown in terminals, so no control characters, escapes or line breaks. */
const ID_CHARACTERS = /^[\x21-\x7e]+$/;

function isPrintableId(id: unknown): id is string {
  return typeof id === 'string' && id.length <= ID_MAX_LENGTH && ID_CHARACTERS.test(id);
}

/** An id: 1 to 64 printable characters, so it can be typed, shown and logged safely. */
export function identifier(what: string) {
  return z
    .string({ error: `expected ${what}` })
    .min(1, `expected ${what}`)
    .max(ID_MAX_LENGTH, { error: (issue) => `${described(issue.input)} is too long for ${what}; accepted: 1 to ${ID_MAX_LENGTH} characters`, abort: true })
    .regex(ID_CHARACTERS, {
      error: (issue) =>
        `${described(issue.input)} is not usable as ${what}; accepted: letters, digits and punctuation (A-Z, a-z, 0-9, - _ . / and the like), without spaces, line breaks, control characters or accented letters`,
    });
}

/**
 * The most exclusions one record may hold: a pupil's whole school life, every lunchtime a
 * suspension, is well under this; more is a broken export, and it would cost every evaluation.
 */
export const MAX_EXCLUSIONS = 1000;
/** The most attendance days one record may hold: fourteen school years is under 2,700. */
export const MAX_ATTENDANCE_DAYS = 10_000;

function tooMany(issue: { input?: unknown }, what: string, max: number): string {
  const count = Array.isArray(issue.input) ? issue.input.length.toLocaleString('en-GB') : 'too many';
  return `${count} ${what} in one record; accepted: at most ${max.toLocaleString('en-GB')} (a pupil's whole school life fits well within it)`;
}
const flag = z.boolean({ error: 'expected true or false' }).default(false);

const categoryCodes = Object.keys(EXCLUSION_CATEGORY_SYNONYMS) as [string, ...string[]];
const category = codeOf(categoryCodes, 'an exclusion category').transform(
  (code) => EXCLUSION_CATEGORY_SYNONYMS[code] as ExclusionCategory,
);
const reason = codeOf(Object.keys(EXCLUSION_REASONS) as [keyof typeof EXCLUSION_REASONS, ...(keyof typeof EXCLUSION_REASONS)[]], 'an exclusion reason code');
const mark = codeOf(Object.keys(ATTENDANCE_MARKS) as [keyof typeof ATTENDANCE_MARKS, ...(keyof typeof ATTENDANCE_MARKS)[]], 'an attendance mark').optional();
const indicator = codeOf(Object.keys(EBSNA_INDICATORS) as [keyof typeof EBSNA_INDICATORS, ...(keyof typeof EBSNA_INDICATORS)[]], 'an EBSNA indicator');

/** A suspension (fixed period or lunchtime) or a permanent exclusion. */
export const exclusionSchema = record(
  {
    id: identifier('the exclusion\'s id'),
    category,
    startDate: isoDate,
    startSession: z.enum(['AM', 'PM'], { error: 'expected AM or PM' }).default('AM'),
    /** Registration sessions (two a day) for FIXD and PERM; omitted for an open-ended PERM. */
    sessions: z.int('expected a whole number of sessions').min(1).max(90, 'a suspension cannot exceed 45 school days (90 sessions)').optional(),
    /** Lunchtimes for LNCH; each counts as half a school day. */
    lunchtimes: z.int('expected a whole number of lunchtimes').min(1).max(90).optional(),
    reasons: z.array(reason).min(1, 'expected 1 to 3 reason codes').max(3, 'expected 1 to 3 reason codes'),
    cancelled: flag,
    missesPublicExam: flag,
  },
  'an exclusion',
).superRefine((e, ctx) => {
  if (e.category === 'LNCH') {
    if (e.lunchtimes === undefined) ctx.addIssue({ code: 'custom', path: ['lunchtimes'], message: 'a lunchtime suspension (LNCH) needs "lunchtimes"' });
    if (e.sessions !== undefined) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'a lunchtime suspension (LNCH) counts "lunchtimes", not "sessions"' });
  } else {
    if (e.lunchtimes !== undefined) ctx.addIssue({ code: 'custom', path: ['lunchtimes'], message: `"lunchtimes" is only for LNCH; a ${e.category} exclusion counts "sessions"` });
    if (e.category === 'FIXD' && e.sessions === undefined) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'a suspension (FIXD) needs "sessions": its length in registration sessions, two a school day' });
  }
});

export const attendanceDaySchema = record({ date: isoDate, am: mark, pm: mark }, 'an attendance day');

/*
 * Pupil movement (issue 12): the kinds the 2026 suspension and permanent exclusion guidance
 * ("including pupil movement") governs beside exclusions. Each is optional in the record, so a
 * record written before them reads unchanged (pupil-record/1, extended: nothing a /1 file held
 * changes meaning, so no /2 and no converter), and none of them is a suspension.
 */

/** At most this many of each movement kind in one record: a school life holds a handful. */
export const MAX_MOVEMENTS = 100;
/** At most this many reviews (or review requests) of one placement or timetable. */
export const MAX_REVIEWS = 200;

/** A provider or receiving school as the school names it: one printable line, no pupil data. */
const placeName = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .min(1, `expected ${what}`)
    .max(120, { error: `${what} is too long; accepted: 1 to 120 characters` })
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/, { error: `${what} must be one line of printable text; accepted: letters, digits, spaces and punctuation` });

function dateList(what: string) {
  return z.array(isoDate).max(MAX_REVIEWS, `more than ${MAX_REVIEWS} ${what}; accepted: at most ${MAX_REVIEWS}`).default([]);
}

/** `later` is on or after `earlier`, when both are real dates (a wrongly written date has its own problem). */
function notBefore(ctx: z.RefinementCtx, earlier: { field: string; value: string | undefined }, later: { field: string; value: string | undefined }): void {
  if (earlier.value === undefined || later.value === undefined || !isIsoDate(earlier.value) || !isIsoDate(later.value)) return;
  if (later.value < earlier.value) ctx.addIssue({ code: 'custom', path: [later.field], message: `${later.value} is before "${earlier.field}" (${earlier.value}); accepted: the same day or later` });
}

/** Who attended an off-site direction review: the 2026 regulations name the head, the parents, a trust nominee and (EHCP) the LA. */
export const REVIEW_ATTENDEES = ['headteacher', 'parents', 'trust-nominee', 'local-authority', 'governing-board', 'management-committee'] as const;

/**
 * An off-site direction: the pupil directed to attend education elsewhere to improve their
 * behaviour (Education Act 2002 s29A; from 26 July 2026 academies and PRUs too). Not a suspension.
 */
export const offSiteDirectionSchema = record(
  {
    id: identifier("the off-site direction's id"),
    startDate: isoDate,
    plannedEndDate: isoDate.optional(),
    /** The day it actually ended (returned, moved, or stopped); absent while it runs. */
    endedOn: isoDate.optional(),
    /** Registration sessions a week the pupil spends at the provider (two a school day). */
    sessionsPerWeek: z.int('expected a whole number of sessions a week').min(1, 'expected 1 to 10 sessions a week').max(10, 'expected 1 to 10 sessions a week').optional(),
    provider: placeName("the provider's name"),
    /** The day written notice reached the parents. */
    noticeGivenOn: isoDate.optional(),
    reviews: z
      .array(record({ heldOn: isoDate, attendees: z.array(codeOf(REVIEW_ATTENDEES, 'a review attendee')).max(REVIEW_ATTENDEES.length * 2).default([]) }, 'a review'))
      .max(MAX_REVIEWS, `more than ${MAX_REVIEWS} reviews; accepted: at most ${MAX_REVIEWS}`)
      .default([]),
    /** Reviews the parents (or, for a pupil with an EHCP, the LA) asked for. */
    reviewRequests: z
      .array(record({ requestedOn: isoDate, by: codeOf(['parents', 'local-authority'], 'who asked for the review') }, 'a review request'))
      .max(MAX_REVIEWS, `more than ${MAX_REVIEWS} review requests; accepted: at most ${MAX_REVIEWS}`)
      .default([]),
    /** The direction is the first step of a managed move (the pupil stays dual-registered meanwhile). */
    precedesManagedMove: flag,
  },
  'an off-site direction',
).superRefine((d, ctx) => {
  notBefore(ctx, { field: 'startDate', value: d.startDate }, { field: 'plannedEndDate', value: d.plannedEndDate });
  notBefore(ctx, { field: 'startDate', value: d.startDate }, { field: 'endedOn', value: d.endedOn });
});

/** A managed move: a permanent transfer to another school, agreed as an alternative to exclusion. */
export const managedMoveSchema = record(
  {
    id: identifier("the managed move's id"),
    agreedOn: isoDate,
    receivingSchool: placeName("the receiving school's name or id"),
    /** The day the pupil came off this school's roll. */
    offRollOn: isoDate.optional(),
    /** Recorded as a trial: the 2026 guidance says a managed move is permanent, so this is flagged, not refused. */
    plannedTrial: flag,
    /** The day the pupil came back to this school, when they did: flagged as a trial in effect. */
    returnedOn: isoDate.optional(),
  },
  'a managed move',
).superRefine((m, ctx) => {
  notBefore(ctx, { field: 'agreedOn', value: m.agreedOn }, { field: 'offRollOn', value: m.offRollOn });
  notBefore(ctx, { field: 'agreedOn', value: m.agreedOn }, { field: 'returnedOn', value: m.returnedOn });
});

/** Pupils kept apart for safeguarding reasons, led by the DSL: never a suspension. */
export const safeguardingSeparationSchema = record(
  {
    id: identifier("the separation's id"),
    startDate: isoDate,
    endDate: isoDate.optional(),
    /** The day the designated safeguarding lead decided on it. */
    dslDecidedOn: isoDate,
    /** The day the LA was told (it must arrange suitable education). */
    localAuthorityToldOn: isoDate.optional(),
  },
  'a safeguarding separation',
).superRefine((s, ctx) => {
  notBefore(ctx, { field: 'startDate', value: s.startDate }, { field: 'endDate', value: s.endDate });
});

/** A part-time timetable: agreed with the parents, time-limited and reviewed. */
export const partTimeTimetableSchema = record(
  {
    id: identifier("the part-time timetable's id"),
    startDate: isoDate,
    plannedEndDate: isoDate.optional(),
    endedOn: isoDate.optional(),
    hoursPerWeek: z.number('expected hours a week').min(0, 'expected 0 to 32.5 hours a week').max(32.5, 'expected 0 to 32.5 hours a week (the school week is 32.5 hours)').optional(),
    /** The day the parents agreed; absent when they have not. */
    parentsConsentedOn: isoDate.optional(),
    reviewsHeldOn: dateList('reviews'),
    reportedToLocalAuthorityOn: isoDate.optional(),
  },
  'a part-time timetable',
).superRefine((t, ctx) => {
  notBefore(ctx, { field: 'startDate', value: t.startDate }, { field: 'plannedEndDate', value: t.plannedEndDate });
  notBefore(ctx, { field: 'startDate', value: t.startDate }, { field: 'endedOn', value: t.endedOn });
});

function movements<T extends z.ZodType>(schema: T, what: string) {
  return z.array(schema).max(MAX_MOVEMENTS, { error: (issue) => tooMany(issue, what, MAX_MOVEMENTS), abort: true }).optional();
}

/** One pupil, pseudonymous: no names, only what the rules need. */
export const pupilRecordSchema = record(
  {
    format: z.literal(PUPIL_RECORD_FORMAT, { error: `expected "${PUPIL_RECORD_FORMAT}"` }).optional(),
    id: identifier('the pupil\'s (pseudonymous) id'),
    schoolId: identifier('the school\'s id'),
    /** The first day on roll at this school; absent when not known (on roll from the start of any period). */
    joinedOn: isoDate.meta({ description: 'The first day on roll at this school (YYYY-MM-DD). Leave out when not known.' }).optional(),
    /**
     * The last day on roll, once the pupil has left. The record is kept: a leaver's exclusions
     * still count by their dates, and their record still evaluates.
     */
    leftOn: isoDate.meta({ description: 'The last day on roll at this school (YYYY-MM-DD), once the pupil has left. Leave out while on roll.' }).optional(),
    /** National curriculum year: 0 = Reception, 1–13 = Years 1–13, 14 = Year 14. */
    yearGroup: z.int('expected a year group from 0 (Reception) to 14').min(0).max(14).optional(),
    sex: z.enum(['F', 'M', 'U'], { error: 'expected F, M or U (for equality monitoring only)' }).optional(),
    /** DfE ethnicity code (e.g. WBRI), for equality monitoring only: never a trigger input. */
    ethnicity: z.string().regex(/^[A-Z]{4}$/, 'expected a four-letter DfE ethnicity code such as WBRI').optional(),
    send: z.enum(['none', 'K', 'E'], { error: 'expected none, K (SEN support) or E (EHC plan)' }).default('none'),
    lookedAfter: flag,
    hasSocialWorker: flag,
    fsm: flag,
    atRiskOfPermanentExclusion: flag,
    priorSchoolSuspensionDays: z
      .number('expected a number of school days')
      .min(0)
      .max(45)
      .refine((n) => Number.isInteger(n * 2), 'expected whole or half school days')
      .default(0),
    exclusions: z.array(exclusionSchema).max(MAX_EXCLUSIONS, { error: (issue) => tooMany(issue, 'exclusions', MAX_EXCLUSIONS), abort: true }).default([]),
    attendance: z.array(attendanceDaySchema).max(MAX_ATTENDANCE_DAYS, { error: (issue) => tooMany(issue, 'attendance days', MAX_ATTENDANCE_DAYS), abort: true }).default([]),
    ebsnaIndicators: z.array(indicator).max(Object.keys(EBSNA_INDICATORS).length * 4, 'lists more EBSNA indicators than there are; give each once').default([]),
    /**
     * For a pupil in the final year of compulsory schooling (Year 11): whether they still have
     * public examinations to sit. `false` means day-6 provision is not owed; absent means unknown (owed).
     */
    hasFurtherPublicExams: z.boolean({ error: 'expected true or false' }).optional(),
    offSiteDirections: movements(offSiteDirectionSchema, 'off-site directions'),
    managedMoves: movements(managedMoveSchema, 'managed moves'),
    safeguardingSeparations: movements(safeguardingSeparationSchema, 'safeguarding separations'),
    partTimeTimetables: movements(partTimeTimetableSchema, 'part-time timetables'),
  },
  'a pupil record',
).superRefine((p, ctx) => {
  // Dates written wrongly have their own problem; only two real dates can be out of order.
  if (p.joinedOn !== undefined && p.leftOn !== undefined && isIsoDate(p.joinedOn) && isIsoDate(p.leftOn) && p.leftOn < p.joinedOn) {
    ctx.addIssue({ code: 'custom', path: ['leftOn'], message: `${p.leftOn} is before "joinedOn" (${p.joinedOn}): "leftOn" is the last day on roll, on or after the first` });
  }
  const seen = new Set<string>();
  p.exclusions.forEach((e, i) => {
    if (seen.has(e.id)) ctx.addIssue({ code: 'custom', path: ['exclusions', i, 'id'], message: `exclusion id ${quoted(e.id)} appears twice` });
    seen.add(e.id);
  });
  for (const kind of ['offSiteDirections', 'managedMoves', 'safeguardingSeparations', 'partTimeTimetables'] as const) {
    const ids = new Set<string>();
    p[kind]?.forEach((m, i) => {
      if (ids.has(m.id)) ctx.addIssue({ code: 'custom', path: [kind, i, 'id'], message: `id ${quoted(m.id)} appears twice in "${kind}"` });
      ids.add(m.id);
    });
  }
  const days = new Set<string>();
  p.attendance.forEach((a, i) => {
    if (days.has(a.date)) ctx.addIssue({ code: 'custom', path: ['attendance', i, 'date'], message: `${a.date} is recorded twice` });
    days.add(a.date);
  });
});

export type PupilRecord = z.output<typeof pupilRecordSchema>;
/** A pupil record as written, before defaults are filled in. */
export type PupilRecordInput = z.input<typeof pupilRecordSchema>;
export type Exclusion = PupilRecord['exclusions'][number];
export type AttendanceDay = PupilRecord['attendance'][number];
export type OffSiteDirection = z.output<typeof offSiteDirectionSchema>;
export type ManagedMove = z.output<typeof managedMoveSchema>;
export type SafeguardingSeparation = z.output<typeof safeguardingSeparationSchema>;
export type PartTimeTimetable = z.output<typeof partTimeTimetableSchema>;

/**
 * Whether a pupil was on roll at some point from `start` to `end` (inclusive): joined by the end
 * (or no joining date) and not left before the start. A leaver counts for the periods they were
 * on roll in, and not after.
 * @example onRollDuring({ leftOn: '2025-12-12' }, '2026-04-13', '2026-07-22') // false: left before the summer term
 * @example onRollDuring({ leftOn: '2025-12-12' }, '2025-09-01', '2026-07-22') // true: on roll in the autumn
 */
export function onRollDuring(pupil: Pick<PupilRecord, 'joinedOn' | 'leftOn'>, start: IsoDate, end: IsoDate = start): boolean {
  return (pupil.joinedOn === undefined || pupil.joinedOn <= end) && (pupil.leftOn === undefined || pupil.leftOn >= start);
}

/** Whether a pupil had left before `date`: their last day on roll was earlier (on it, they are still on roll). */
export function leftBefore(pupil: Pick<PupilRecord, 'leftOn'>, date: IsoDate): boolean {
  return pupil.leftOn !== undefined && pupil.leftOn < date;
}

/** The result of checking one record: the record, or every problem with it. */
export type ParsedPupil = { ok: true; record: PupilRecord } | { ok: false; problems: Problem[] };

/**
 * Validates one pupil record, filling in defaults.
 * @param where — the file and position to name in problems, e.g. `{ file: 'pupils.ndjson', location: 'line 4' }`.
 */
export function parsePupilRecord(json: unknown, where: Pick<Problem, 'file' | 'location'> = {}): ParsedPupil {
  const parsed = pupilRecordSchema.safeParse(json);
  if (parsed.success) return { ok: true, record: parsed.data };
  // Only an id fit to print names the record: a broken one is named by its own problem.
  const id = typeof json === 'object' && json && 'id' in json && isPrintableId(json.id) ? ` (pupil ${json.id})` : '';
  const location = where.location ? `${where.location}${id}` : id.trim().replace(/^\(|\)$/g, '') || undefined;
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => ({
      code: issueCode(issue),
      ...(where.file ? { file: where.file } : {}),
      ...(location ? { location } : {}),
      field: fieldPath(issue.path) || '(record)',
      message: issue.message,
    })),
  };
}

/** The JSON Schema of `pupil-record/1`, for other systems to validate against. */
export function pupilRecordJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://before-exclusion.example/schemas/pupil-record-1.json',
    title: 'pupil-record/1',
    description: 'One pupil, as the rules library reads it. Pseudonymous: no names.',
    ...z.toJSONSchema(pupilRecordSchema, { io: 'input', unrepresentable: 'any' }),
  };
}
