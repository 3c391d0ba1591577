/**
 * Pupil movement as the rules see it (issue 12): off-site directions, managed moves,
 * safeguarding separations, part-time timetables, and cancelled exclusions. Each is a scope of
 * its own — a rule is evaluated once per direction, move, separation, timetable or cancellation
 * — with the facts its rules read and the words their explanations use.
 *
 * None of these is a suspension: nothing here feeds the 45-day count, the term totals, day 6 or
 * the PEAP trigger, which read only `exclusions` (see facts.ts).
 */
import { OutsideCalendarError, type SchoolCalendar } from './calendar/schoolCalendar.js';
import { addDays, shortDate, type IsoDate } from './dates.js';
import type { PupilFacts } from './facts.js';
import type { Exclusion, ManagedMove, OffSiteDirection, PartTimeTimetable, SafeguardingSeparation } from './pupilRecord.js';

export type MovementScope = 'off-site-direction' | 'managed-move' | 'safeguarding-separation' | 'part-time-timetable' | 'cancelled-exclusion';
export const MOVEMENT_SCOPES: readonly MovementScope[] = ['off-site-direction', 'managed-move', 'safeguarding-separation', 'part-time-timetable', 'cancelled-exclusion'];

/** What a rule of each movement scope is evaluated against. */
export interface MovementSubjects {
  'off-site-direction': { readonly pupil: PupilFacts; readonly direction: OffSiteDirection };
  'managed-move': { readonly pupil: PupilFacts; readonly move: ManagedMove };
  'safeguarding-separation': { readonly pupil: PupilFacts; readonly separation: SafeguardingSeparation };
  'part-time-timetable': { readonly pupil: PupilFacts; readonly timetable: PartTimeTimetable };
  'cancelled-exclusion': { readonly pupil: PupilFacts; readonly exclusion: Exclusion };
}

/** One subject, and the date that picks the rules in force for it. */
export type MovementVisit = { [K in MovementScope]: { readonly scope: K; readonly subject: MovementSubjects[K]; readonly date: IsoDate } }[MovementScope];

/**
 * The movement subjects of one pupil's year: those starting in the calendar's year by the
 * evaluation date (an off-site direction also when it is still to start: its notice is due
 * before), and those started earlier that still run into the year. Each is judged by the rules
 * in force on its first day (a managed move: the day it was agreed).
 */
export function movementSubjects(pupil: PupilFacts): MovementVisit[] {
  const { record, calendar, asOf } = pupil;
  const inYear = (start: IsoDate, end: IsoDate | undefined) => start <= calendar.lastDay && (calendar.covers(start) || (start < calendar.firstDay && (end === undefined || end >= calendar.firstDay)));
  const visits: MovementVisit[] = [];
  for (const direction of record.offSiteDirections ?? []) {
    if (inYear(direction.startDate, direction.endedOn ?? direction.plannedEndDate)) visits.push({ scope: 'off-site-direction', subject: { pupil, direction }, date: direction.startDate });
  }
  for (const move of record.managedMoves ?? []) {
    if (calendar.covers(move.agreedOn) && move.agreedOn <= asOf) visits.push({ scope: 'managed-move', subject: { pupil, move }, date: move.agreedOn });
  }
  for (const separation of record.safeguardingSeparations ?? []) {
    if (separation.startDate <= asOf && inYear(separation.startDate, separation.endDate)) visits.push({ scope: 'safeguarding-separation', subject: { pupil, separation }, date: separation.startDate });
  }
  for (const timetable of record.partTimeTimetables ?? []) {
    if (timetable.startDate <= asOf && inYear(timetable.startDate, timetable.endedOn ?? timetable.plannedEndDate)) visits.push({ scope: 'part-time-timetable', subject: { pupil, timetable }, date: timetable.startDate });
  }
  for (const exclusion of record.exclusions) {
    if (exclusion.cancelled && calendar.covers(exclusion.startDate) && exclusion.startDate <= asOf) visits.push({ scope: 'cancelled-exclusion', subject: { pupil, exclusion }, date: exclusion.startDate });
  }
  return visits;
}

/** The id of the movement (or cancelled exclusion) a subject is about: its triggers' period. */
export function movementId(subject: MovementSubjects[MovementScope]): string {
  if ('direction' in subject) return subject.direction.id;
  if ('move' in subject) return subject.move.id;
  if ('separation' in subject) return subject.separation.id;
  if ('timetable' in subject) return subject.timetable.id;
  return subject.exclusion.id;
}

interface FactDefinition<S> {
  readonly description: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly value: (subject: S, params: Readonly<Record<string, unknown>>) => unknown;
}
type Catalog<S> = Readonly<Record<string, FactDefinition<S>>>;
type Words<N extends string> = Readonly<Record<N, string>>;

/** School days from `from` (counted when it is one) up to the day before `to`; undefined when `from` is before the calendar (count it on the year before). */
function schoolDaysFromUntil(calendar: SchoolCalendar, from: IsoDate, to: IsoDate): number | undefined {
  if (from < calendar.firstDay) return undefined;
  return Math.max(0, calendar.schoolDaysUpTo(addDays(to, -1)) - calendar.schoolDaysUpTo(addDays(from, -1)));
}

/** `n` school days after (or before, negative) `date`, or undefined past the calendar's ends. */
function schoolDaysAfter(calendar: SchoolCalendar, date: IsoDate, n: number): IsoDate | undefined {
  try {
    return calendar.addSchoolDays(date, n);
  } catch (error) {
    if (error instanceof OutsideCalendarError) return undefined;
    throw error;
  }
}

function runningOn(start: IsoDate, end: IsoDate | undefined, date: IsoDate): boolean {
  return start <= date && (end === undefined || end >= date);
}

/** The latest of `dates` on or before `asOf`, else `fallback`. */
function latestBy(dates: readonly IsoDate[], asOf: IsoDate, fallback: IsoDate): IsoDate {
  let latest = fallback;
  for (const d of dates) if (d <= asOf && d > latest) latest = d;
  return latest;
}

function number(value: unknown, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`fact parameter ${what} must be a number; got ${String(value)}`);
  return n;
}

// Off-site directions (Education Act 2002 s29A; SI 2010/1156 as amended).

type DirectionSubject = MovementSubjects['off-site-direction'];

function directionReviews(s: DirectionSubject): IsoDate[] {
  return s.direction.reviews.map((r) => r.heldOn).filter((d) => d <= s.pupil.asOf);
}

function lastReviewOrStart(s: DirectionSubject): IsoDate {
  return latestBy(directionReviews(s), s.pupil.asOf, s.direction.startDate);
}

/** Review requests not yet met: no review held since, and none in the `weeks` weeks before the request (which frees the board from it). */
function unansweredRequests(s: DirectionSubject, weeks: number) {
  const held = directionReviews(s);
  return s.direction.reviewRequests.filter(
    (r) => r.requestedOn <= s.pupil.asOf && !held.some((d) => d >= r.requestedOn) && !held.some((d) => d < r.requestedOn && d >= addDays(r.requestedOn, -7 * weeks)),
  );
}

/** Who the 2026 rules expect at a review: the head and the parents; a trust nominee (not the head) for an academy; the LA invited for a pupil with an EHCP. */
function missingAttendees(s: DirectionSubject, academy: boolean): { heldOn: IsoDate; missing: string[] }[] {
  const out: { heldOn: IsoDate; missing: string[] }[] = [];
  for (const review of s.direction.reviews) {
    if (review.heldOn > s.pupil.asOf) continue;
    const expected = ['headteacher', 'parents', ...(academy ? ['trust-nominee'] : []), ...(s.pupil.record.send === 'E' ? ['local-authority'] : [])];
    const missing = expected.filter((who) => !review.attendees.includes(who as (typeof review.attendees)[number]));
    if (missing.length > 0) out.push({ heldOn: review.heldOn, missing });
  }
  return out;
}

const directionFacts: Catalog<DirectionSubject> = {
  directionStartDate: { description: 'the first day of the off-site direction', value: (s) => s.direction.startDate },
  noticeRecorded: { description: 'written notice of the direction to the parents is recorded', value: (s) => s.direction.noticeGivenOn !== undefined },
  noticeSchoolDaysBeforeStart: {
    description: 'school days from the day the parents were given written notice (counted when a school day) up to the first day of the direction',
    value: (s) => (s.direction.noticeGivenOn === undefined ? undefined : schoolDaysFromUntil(s.pupil.calendar, s.direction.noticeGivenOn, s.direction.startDate)),
  },
  noticeDueBy: {
    description: 'the last day written notice can be given: the stated number of school days before the first day of the direction',
    params: { noticeSchoolDays: 'the school days of notice the law requires' },
    value: (s, p) => schoolDaysAfter(s.pupil.calendar, s.direction.startDate, -number(p.noticeSchoolDays, 'noticeSchoolDays')),
  },
  directionRunning: { description: 'the direction is running on the evaluation date (started, not ended)', value: (s) => runningOn(s.direction.startDate, s.direction.endedOn, s.pupil.asOf) },
  schoolDaysSinceLastReview: {
    description: 'school days since the last review meeting (or the start, before the first), while the direction runs (school days before this calendar\'s year are not counted)',
    value: (s) => (runningOn(s.direction.startDate, s.direction.endedOn, s.pupil.asOf) ? s.pupil.calendar.schoolDaysBetween(lastReviewOrStart(s), s.pupil.asOf) : undefined),
  },
  nextReviewDue: {
    description: 'the day the next review meeting is due: the review interval after the last review (or the start)',
    params: { reviewIntervalSchoolDays: 'the board\'s review interval' },
    value: (s, p) => schoolDaysAfter(s.pupil.calendar, lastReviewOrStart(s), number(p.reviewIntervalSchoolDays, 'reviewIntervalSchoolDays')),
  },
  unansweredReviewRequests: {
    description: 'review meetings the parents (or, for a pupil with an EHCP, the LA) asked for in writing that are still owed: none held since, and none in the stated weeks before the request',
    params: { weeks: 'weeks before a request in which a review meeting frees the board from holding another' },
    value: (s, p) => unansweredRequests(s, number(p.weeks, 'weeks')).length,
  },
  firstUnansweredRequestOn: {
    description: 'the day the earliest review meeting still owed was asked for',
    params: { weeks: 'as for unansweredReviewRequests' },
    value: (s, p) => unansweredRequests(s, number(p.weeks, 'weeks'))[0]?.requestedOn,
  },
  reviewsMissingAttendees: {
    description: 'review meetings held without someone the 2026 rules expect: the head and the parents; a trust nominee who is not the head (academies); the local authority (pupil with an EHCP)',
    params: { academy: 'whether the school is an academy (a trust nominee attends)' },
    value: (s, p) => missingAttendees(s, p.academy === true).length,
  },
  precedesManagedMove: { description: 'the direction is the first step of a managed move', value: (s) => s.direction.precedesManagedMove },
};

const DIRECTION_WORDS = ['direction', 'provider', 'startDate', 'noticeGivenOn', 'noticeDueBy', 'lastReview', 'requests', 'missingAttendees'] as const;
function directionWords(s: DirectionSubject, p: Readonly<Record<string, unknown>>): Words<(typeof DIRECTION_WORDS)[number]> {
  const due = p.noticeSchoolDays === undefined ? undefined : schoolDaysAfter(s.pupil.calendar, s.direction.startDate, -number(p.noticeSchoolDays, 'noticeSchoolDays'));
  // Only a rule about review requests names the weeks; the others do not use these words.
  const requests = p.weeks === undefined ? [] : unansweredRequests(s, number(p.weeks, 'weeks'));
  return {
    direction: s.direction.id,
    provider: s.direction.provider,
    startDate: shortDate(s.direction.startDate),
    noticeGivenOn: s.direction.noticeGivenOn ? shortDate(s.direction.noticeGivenOn) : 'not recorded',
    noticeDueBy: due ? shortDate(due) : 'before the first school day of this calendar',
    lastReview: directionReviews(s).length > 0 ? `the last review on ${shortDate(lastReviewOrStart(s))}` : `the start on ${shortDate(s.direction.startDate)} (no review yet)`,
    requests: requests.map((r) => `asked by the ${r.by === 'parents' ? 'parents' : 'local authority'} on ${shortDate(r.requestedOn)}`).join(', '),
    missingAttendees: missingAttendees(s, p.academy === true).map((r) => `${shortDate(r.heldOn)}: no ${r.missing.join(', no ')}`).join('; '),
  };
}

// Managed moves.

type MoveSubject = MovementSubjects['managed-move'];
const moveFacts: Catalog<MoveSubject> = {
  recordedAsTrial: { description: 'the managed move is recorded with a planned trial period', value: (s) => s.move.plannedTrial },
  returnedToSchool: { description: 'the pupil came back to this school after the move', value: (s) => s.move.returnedOn !== undefined && s.move.returnedOn <= s.pupil.asOf },
};
const MOVE_WORDS = ['move', 'agreedOn', 'receivingSchool', 'returnedOn'] as const;
function moveWords(s: MoveSubject): Words<(typeof MOVE_WORDS)[number]> {
  return {
    move: s.move.id,
    agreedOn: shortDate(s.move.agreedOn),
    receivingSchool: s.move.receivingSchool,
    returnedOn: s.move.returnedOn ? shortDate(s.move.returnedOn) : '—',
  };
}

// Safeguarding separations.

type SeparationSubject = MovementSubjects['safeguarding-separation'];
const separationFacts: Catalog<SeparationSubject> = {
  separationRecorded: { description: 'a safeguarding separation is recorded', value: () => true },
  localAuthorityTold: { description: 'the day the local authority was told of the separation is recorded', value: (s) => s.separation.localAuthorityToldOn !== undefined },
  separationStartDate: { description: 'the first day of the separation', value: (s) => s.separation.startDate },
};
const SEPARATION_WORDS = ['separation', 'startDate', 'dslDecidedOn'] as const;
function separationWords(s: SeparationSubject): Words<(typeof SEPARATION_WORDS)[number]> {
  return { separation: s.separation.id, startDate: shortDate(s.separation.startDate), dslDecidedOn: shortDate(s.separation.dslDecidedOn) };
}

// Part-time timetables.

type TimetableSubject = MovementSubjects['part-time-timetable'];
function timetableLastReviewOrStart(s: TimetableSubject): IsoDate {
  return latestBy(s.timetable.reviewsHeldOn, s.pupil.asOf, s.timetable.startDate);
}
/** School days the timetable runs: to its end, else its planned end, else (open-ended) to the evaluation date. */
function timetableLength(s: TimetableSubject): number {
  const end = s.timetable.endedOn ?? s.timetable.plannedEndDate ?? s.pupil.asOf;
  return s.pupil.calendar.schoolDaysBetween(addDays(s.timetable.startDate, -1), end);
}
const timetableFacts: Catalog<TimetableSubject> = {
  parentsConsented: { description: 'the parents\' agreement to the part-time timetable is recorded', value: (s) => s.timetable.parentsConsentedOn !== undefined },
  timeLimited: { description: 'the part-time timetable has a planned end date', value: (s) => s.timetable.plannedEndDate !== undefined },
  timetableRunning: { description: 'the timetable is running on the evaluation date', value: (s) => runningOn(s.timetable.startDate, s.timetable.endedOn, s.pupil.asOf) },
  timetableSchoolDaysSinceLastReview: {
    description: 'school days since the last review (or the start, before the first), while the timetable runs (school days before this calendar\'s year are not counted)',
    value: (s) => (runningOn(s.timetable.startDate, s.timetable.endedOn, s.pupil.asOf) ? s.pupil.calendar.schoolDaysBetween(timetableLastReviewOrStart(s), s.pupil.asOf) : undefined),
  },
  timetableNextReviewDue: {
    description: 'the day the next review is due: the review interval after the last review (or the start)',
    params: { reviewIntervalSchoolDays: 'the council\'s review interval' },
    value: (s, p) => schoolDaysAfter(s.pupil.calendar, timetableLastReviewOrStart(s), number(p.reviewIntervalSchoolDays, 'reviewIntervalSchoolDays')),
  },
  reportedToLocalAuthority: { description: 'the day the timetable was reported to the local authority is recorded', value: (s) => s.timetable.reportedToLocalAuthorityOn !== undefined },
  timetableStartDate: { description: 'the first day of the part-time timetable', value: (s) => s.timetable.startDate },
  timetableReportDue: {
    description: 'the day the timetable is due to be reported to the local authority: the council\'s reporting period after its first day',
    params: { reportWithinSchoolDays: 'the council\'s reporting period' },
    value: (s, p) => schoolDaysAfter(s.pupil.calendar, s.timetable.startDate, number(p.reportWithinSchoolDays, 'reportWithinSchoolDays')),
  },
  timetableLengthSchoolDays: {
    description: 'school days the timetable runs: to its end, else its planned end, else (no end set) so far',
    value: (s) => timetableLength(s),
  },
};
const TIMETABLE_WORDS = ['timetable', 'startDate', 'plannedEndDate', 'hoursPerWeek', 'lastReview', 'lengthSchoolDays'] as const;
function timetableWords(s: TimetableSubject): Words<(typeof TIMETABLE_WORDS)[number]> {
  return {
    timetable: s.timetable.id,
    startDate: shortDate(s.timetable.startDate),
    plannedEndDate: s.timetable.plannedEndDate ? shortDate(s.timetable.plannedEndDate) : 'none set',
    hoursPerWeek: s.timetable.hoursPerWeek === undefined ? 'not recorded' : String(s.timetable.hoursPerWeek),
    lastReview: s.timetable.reviewsHeldOn.some((d) => d <= s.pupil.asOf) ? `the last review on ${shortDate(timetableLastReviewOrStart(s))}` : `the start on ${shortDate(s.timetable.startDate)} (no review yet)`,
    lengthSchoolDays: String(timetableLength(s)),
  };
}

// Cancelled exclusions.

type CancelledSubject = MovementSubjects['cancelled-exclusion'];
const cancelledFacts: Catalog<CancelledSubject> = {
  cancelledCategory: { description: 'the category of the cancelled exclusion: PERM, FIXD or LNCH', value: (s) => s.exclusion.category },
  cancelledExclusionId: { description: 'the cancelled exclusion', value: (s) => [s.exclusion.id] },
  cancelledStartDate: { description: 'the first day the cancelled exclusion was to cover', value: (s) => s.exclusion.startDate },
};
const CANCELLED_WORDS = ['exclusion', 'startDate', 'whoElse'] as const;
function cancelledWords(s: CancelledSubject): Words<(typeof CANCELLED_WORDS)[number]> {
  const others = [s.pupil.record.hasSocialWorker ? 'the social worker' : '', s.pupil.record.lookedAfter ? 'the virtual school head' : ''].filter(Boolean);
  return { exclusion: s.exclusion.id, startDate: shortDate(s.exclusion.startDate), whoElse: others.length > 0 ? `, and ${others.join(' and ')}` : '' };
}

/** Facts per movement scope (pupil flags are added by the fact catalog). */
export const MOVEMENT_FACTS: { readonly [K in MovementScope]: Catalog<MovementSubjects[K]> } = {
  'off-site-direction': directionFacts,
  'managed-move': moveFacts,
  'safeguarding-separation': separationFacts,
  'part-time-timetable': timetableFacts,
  'cancelled-exclusion': cancelledFacts,
};

/** Words for explanations, per movement scope. */
export const MOVEMENT_WORDS = {
  'off-site-direction': { names: DIRECTION_WORDS, of: directionWords },
  'managed-move': { names: MOVE_WORDS, of: moveWords },
  'safeguarding-separation': { names: SEPARATION_WORDS, of: separationWords },
  'part-time-timetable': { names: TIMETABLE_WORDS, of: timetableWords },
  'cancelled-exclusion': { names: CANCELLED_WORDS, of: cancelledWords },
} as const;
