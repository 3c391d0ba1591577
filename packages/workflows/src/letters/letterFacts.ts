/**
 * What a letter says about an exclusion, every date counted on the school's calendar by the rules
 * library: the first and last day, the return (the session after the last one: a suspension
 * starting in the afternoon ends after a morning, and the pupil comes back that afternoon), the
 * named school days of the parents' public-place duty, the sixth day, the latest date the governing
 * board can meet, and the last day to apply for an independent review. Read from the suspension
 * case (what the rules found when it opened) and the pupil record; nothing here names a pupil.
 */
import { IRP_SCHOOL_DAYS } from '../suspensions/statutoryDates.js';
import {
  EXCLUSION_CATEGORIES,
  EXCLUSION_REASONS,
  addDays,
  defaultRulePack,
  derivePupilFacts,
  type ExclusionCategory,
  type ExclusionReason,
  type IsoDate,
  type PupilRecord,
  type RulePack,
  type SchoolCalendar,
  type Session,
  type Term,
} from '@before-exclusion/rules';
import type { CaseView } from '../cases/caseService.js';
import { RECIPIENTS, type Recipient } from '../machines/index.js';
import { LetterRefused } from './letterRefused.js';

/** A registration session, or the lunchtime of a lunchtime suspension. */
export type LetterSession = Session | 'lunchtime';

/** A session on a date: when an exclusion starts or ends, or when the pupil comes back. */
export interface LetterMoment {
  readonly date: IsoDate;
  readonly session: LetterSession;
}

/** Whether the governing board must meet, may be asked to, or neither; and by when. */
export interface BoardReview {
  readonly kind: 'none' | 'on-request' | 'must';
  /** The latest date the board can meet (for `on-request`, if the parents ask). */
  readonly latestDate?: IsoDate;
  /** Why it must meet. */
  readonly because?: 'permanent' | 'over-15-days' | 'public-exam';
}

export interface LetterFacts {
  readonly caseId: string;
  readonly schoolId: string;
  readonly pupilId: string;
  readonly exclusionId: string;
  readonly category: ExclusionCategory;
  readonly first: LetterMoment;
  /** The last session excluded; none for a permanent exclusion. */
  readonly last?: LetterMoment;
  /** When the pupil comes back; none for a permanent exclusion. */
  readonly returnOn?: LetterMoment;
  /** Registration sessions (FIXD), lunchtimes (LNCH); none for an open-ended permanent exclusion. */
  readonly sessions?: number;
  readonly lunchtimes?: number;
  /** School days of suspension (a session or a lunchtime is half a day); 0 for a permanent exclusion. */
  readonly schoolDays: number;
  readonly reasons: readonly { readonly code: string; readonly words: string }[];
  /**
   * The school days on which the parents must keep the pupil out of public places in school hours
   * (Education and Inspections Act 2006 s. 103): the first five of the exclusion — a day excluded
   * before the afternoon session counts as the first — and none from the sixth day's education on.
   */
  readonly publicPlaceDays: readonly IsoDate[];
  /** The sixth school day of exclusion in a row, from which full-time education is due. */
  readonly provisionFrom?: IsoDate;
  readonly boardReview: BoardReview;
  /** The term the suspension days are counted in, and its total with this exclusion. */
  readonly term: Term;
  readonly termDays: number;
  readonly missesPublicExam: boolean;
  readonly pupil: { readonly yearGroup?: number; readonly send: PupilRecord['send']; readonly lookedAfter: boolean; readonly hasSocialWorker: boolean };
  /** Weekdays inside the exclusion (first day to return) that are not school days: INSET days, bank holidays, holidays. */
  readonly nonSchoolDays: readonly IsoDate[];
  readonly calendarName: string;
  /** Who the case says is notified of the exclusion. */
  readonly notified: readonly Recipient[];
  readonly cancelled?: { readonly reason: string; readonly returnFrom: IsoDate };
  readonly review?: { readonly outcome: 'upheld' | 'reinstated'; readonly heldOn: IsoDate };
  /** The last day to apply for an independent review: the 15th school day after the notice of an upheld permanent exclusion. */
  readonly irpApplyBy?: IsoDate;
  /** The date of the letter. */
  readonly today: IsoDate;
}


/**
 * The facts of the exclusion a suspension case is about, as of the letter's date.
 * @param calendars — the school's calendar on a date (`store.pupils.calendarFor`).
 * @throws LetterRefused when the pupil record no longer holds the exclusion, or a date falls outside the calendars held.
 */
export async function letterFacts(
  view: CaseView<'suspension'>,
  record: PupilRecord,
  calendars: (date: IsoDate) => Promise<SchoolCalendar | undefined>,
  today: IsoDate,
  rules: RulePack = defaultRulePack(),
): Promise<LetterFacts> {
  const c = view.context;
  const exclusion = record.exclusions.find((e) => e.id === c.exclusion.id);
  if (!exclusion) throw new LetterRefused(`the pupil record no longer holds exclusion ${c.exclusion.id} of case ${view.id}: import the pupil again before writing about it`);
  const calendar = await calendars(exclusion.startDate);
  if (!calendar?.covers(exclusion.startDate)) throw new LetterRefused(`no school calendar covers ${exclusion.startDate} for school ${view.schoolId}: import the school's calendar first`);
  // A cancelled exclusion is laid out as it was given: the rules leave cancelled ones out of their counts.
  const given = { ...record, exclusions: record.exclusions.map((e) => (e.id === exclusion.id ? { ...e, cancelled: false } : e)) };
  const facts = derivePupilFacts(given, calendar, exclusion.startDate).exclusions.find((e) => e.id === exclusion.id);
  if (!facts) throw new LetterRefused(`exclusion ${exclusion.id} could not be laid on the ${calendar.name} calendar`);
  if (facts.sessionsBeyondYear > 0) throw new LetterRefused(`exclusion ${exclusion.id} runs past the end of the ${calendar.name} calendar; letters for an exclusion across two school years are not made yet`);

  const lunchtime = exclusion.category === 'LNCH';
  const first: LetterMoment = { date: exclusion.startDate, session: lunchtime ? 'lunchtime' : exclusion.startSession };
  const { last, returnOn } = ends(exclusion, calendar);
  const provisionFrom = c.provisionFrom ?? facts.consecutive.fullTimeEducationFrom;
  const days = excludedDays(exclusion, calendar);
  const boardReview = boardReviewOf(facts, c.boardReview, calendar, rules);
  const notified = RECIPIENTS.filter((r) => c.notices[r] !== undefined);

  return {
    caseId: view.id,
    schoolId: view.schoolId,
    pupilId: view.pupilId,
    exclusionId: exclusion.id,
    category: exclusion.category,
    first,
    ...(last ? { last } : {}),
    ...(returnOn ? { returnOn } : {}),
    ...(exclusion.sessions !== undefined ? { sessions: exclusion.sessions } : {}),
    ...(exclusion.lunchtimes !== undefined ? { lunchtimes: exclusion.lunchtimes } : {}),
    schoolDays: facts.schoolDays,
    reasons: exclusion.reasons.map((code) => ({ code, words: EXCLUSION_REASONS[code as ExclusionReason] ?? code })),
    publicPlaceDays: days.slice(0, 5).filter((d) => provisionFrom === undefined || d < provisionFrom),
    ...(provisionFrom ? { provisionFrom } : {}),
    boardReview,
    term: facts.termTotal.term,
    termDays: facts.termTotal.days,
    missesPublicExam: exclusion.missesPublicExam,
    pupil: { ...(record.yearGroup !== undefined ? { yearGroup: record.yearGroup } : {}), send: record.send, lookedAfter: record.lookedAfter, hasSocialWorker: record.hasSocialWorker },
    nonSchoolDays: weekdaysOff(calendar, exclusion.startDate, returnOn?.date ?? provisionFrom ?? days.at(-1) ?? exclusion.startDate),
    calendarName: calendar.name,
    notified,
    ...(c.cancelled ? { cancelled: { reason: c.cancelled.reason, returnFrom: await nextSchoolDay(calendars, today) } } : {}),
    ...(c.review ? { review: { outcome: c.review.outcome, heldOn: c.review.heldOn } } : {}),
    ...(c.review?.outcome === 'upheld' && exclusion.category === 'PERM' ? { irpApplyBy: await schoolDaysAfter(calendars, today, IRP_SCHOOL_DAYS.apply) } : {}),
    today,
  };
}

type Excluded = PupilRecord['exclusions'][number];

/** The last session excluded and the session the pupil comes back: the next one on the calendar. */
function ends(e: Excluded, calendar: SchoolCalendar): { last?: LetterMoment; returnOn?: LetterMoment } {
  if (e.category === 'LNCH') {
    const count = e.lunchtimes ?? 1;
    const lastDate = calendar.addSchoolDays(e.startDate, count - 1);
    return { last: { date: lastDate, session: 'lunchtime' }, returnOn: { date: outsideYear(() => calendar.addSchoolDays(lastDate, 1), calendar), session: 'lunchtime' } };
  }
  if (e.sessions === undefined) return {};
  const lastSlot = calendar.sessionSlot(e.startDate, e.startSession) + e.sessions - 1;
  const back = outsideYear(() => calendar.sessionAt(lastSlot + 1), calendar);
  return { last: calendar.sessionAt(lastSlot), returnOn: back };
}

/** The school days the exclusion covers, in order: every day with an excluded session or lunchtime (the first five of an open-ended one). */
function excludedDays(e: Excluded, calendar: SchoolCalendar): IsoDate[] {
  if (e.category === 'LNCH') return Array.from({ length: Math.min(e.lunchtimes ?? 1, 5) }, (_, i) => calendar.addSchoolDays(e.startDate, i));
  // Twelve sessions always reach a sixth day, from a morning or an afternoon start.
  const dates = calendar.laySessions(e.startDate, e.startSession, Math.min(e.sessions ?? 12, 12)).covered.map((s) => s.date);
  return [...new Set(dates)];
}

/**
 * The governing board's duty, with the statutory numbers read from the rule pack in force on the
 * exclusion's first day (15 and 50 school days; more than 5 and 15 days in a term). The date is
 * the one the rules found when the case opened, when the case holds one.
 */
function boardReviewOf(
  facts: { category: ExclusionCategory; missesPublicExam: boolean; termTotal: { days: number }; startDate: IsoDate },
  found: { kind: 'must' | 'on-request'; dueDate: string } | undefined,
  calendar: SchoolCalendar,
  rules: RulePack,
): BoardReview {
  const on = facts.startDate;
  const mustOver = rules.statutoryNumber('statutory.governors-must-review', 'term-total', on).value;
  const onRequestOver = rules.statutoryNumber('statutory.governors-review-on-request', 'term-total-above', on).value;
  const because = facts.category === 'PERM' ? 'permanent' : facts.missesPublicExam ? 'public-exam' : facts.termTotal.days > mustOver ? 'over-15-days' : undefined;
  const kind: BoardReview['kind'] = because ? 'must' : facts.termTotal.days > onRequestOver ? 'on-request' : 'none';
  if (kind === 'none') return { kind };
  const rule = kind === 'must' ? 'statutory.governors-must-review' : 'statutory.governors-review-on-request';
  const latestDate = found?.kind === kind ? found.dueDate : outsideYear(() => calendar.addSchoolDays(on, rules.statutoryNumber(rule, 'dueDate', on).value), calendar);
  return { kind, latestDate, ...(because ? { because } : {}) };
}

/** Weekdays from `from` to `to` (exclusive) that are not school days. */
function weekdaysOff(calendar: SchoolCalendar, from: IsoDate, to: IsoDate): IsoDate[] {
  const off: IsoDate[] = [];
  for (let d = from; d < to; d = addDays(d, 1)) {
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !calendar.isSchoolDay(d)) off.push(d);
  }
  return off;
}

async function nextSchoolDay(calendars: (date: IsoDate) => Promise<SchoolCalendar | undefined>, date: IsoDate): Promise<IsoDate> {
  return schoolDaysAfter(calendars, date, 0);
}

/** The `n`th school day after `date` (0: `date` itself when a school day, else the next) on the calendar in force then. */
async function schoolDaysAfter(calendars: (date: IsoDate) => Promise<SchoolCalendar | undefined>, date: IsoDate, n: number): Promise<IsoDate> {
  const calendar = await calendars(date);
  if (!calendar) throw new LetterRefused(`no school calendar covers ${date}: import the school's calendar first`);
  return outsideYear(() => calendar.addSchoolDays(date, n), calendar);
}

/** Runs `count`; a date past the calendar's year is refused in words. */
function outsideYear<T>(count: () => T, calendar: SchoolCalendar): T {
  try {
    return count();
  } catch (error) {
    if (error instanceof RangeError) throw new LetterRefused(`${error.message}: the date falls outside the ${calendar.name} calendar; import the next year's calendar first`);
    throw error;
  }
}

/** "suspension", "lunchtime suspension", "permanent exclusion". */
export function exclusionType(category: ExclusionCategory): string {
  return EXCLUSION_CATEGORIES[category];
}
