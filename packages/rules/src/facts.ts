/**
 * Facts derived once per pupil and evaluation date, in plain TypeScript: the school-day
 * arithmetic the rules need (suspension days per term and year, consecutive days excluded,
 * suspensions per half-term, attendance rates), so the rules themselves stay simple JSON.
 *
 * Only exclusions that are not cancelled and that start inside the calendar's year, on or
 * before the evaluation date, are counted; attendance marks after that date are ignored.
 */
import type { SchoolCalendar, HalfTerm, Term } from './calendar/schoolCalendar.js';
import { countsAsAttending, countsAsPossible, type AttendanceMark, type ExclusionCategory } from './codes.js';
import { addDays, isIsoDate, longDate, notARealDate, type IsoDate, type Session } from './dates.js';
import { InputError, type Problem } from './problems.js';
import type { Exclusion, PupilRecord } from './pupilRecord.js';

/**
 * The statutory annual limit, for explanations' words only ("N left of the 45"): decisions read it from the
 * rule pack (`RulePack.annualSuspensionLimit`), and a test holds the two equal.
 */
export const ANNUAL_SUSPENSION_LIMIT = 45;

/** One exclusion, laid onto the calendar. */
export interface ExclusionFacts {
  readonly id: string;
  readonly category: ExclusionCategory;
  readonly startDate: IsoDate;
  readonly startSession: Session;
  readonly reasons: readonly string[];
  readonly missesPublicExam: boolean;
  /** FIXD or LNCH: counts toward the term and year totals. */
  readonly isSuspension: boolean;
  /** School days of suspension (half a day per session or lunchtime); 0 for a permanent exclusion. */
  readonly schoolDays: number;
  /** The last school day the exclusion covers in this year (none for an open-ended PERM). */
  readonly lastDate: IsoDate | undefined;
  /** Sessions that would fall after the end of the calendar's year. */
  readonly sessionsBeyondYear: number;
  /** School days of suspension per term that this exclusion covers. */
  readonly daysByTerm: Readonly<Partial<Record<Term, number>>>;
  /** The term total once this exclusion is added (the highest, if it spans two terms). */
  readonly termTotal: TermTotal;
  /** Where the exclusion sits in a run of back-to-back exclusion (FIXD and PERM; not lunchtimes). */
  readonly consecutive: ConsecutiveRun;
}

export interface TermTotal {
  readonly term: Term;
  /** School days of suspension in the term, counting this exclusion and those that started before it. */
  readonly days: number;
  /** Which suspensions make up the total, with their days in this term. */
  readonly parts: readonly { readonly id: string; readonly days: number }[];
}

export interface ConsecutiveRun {
  /** School days already excluded, back to back, when this exclusion starts. */
  readonly daysBefore: number;
  /** School days excluded back to back by the end of this exclusion (past the year's end too). */
  readonly daysThrough: number;
  /** The run's sixth consecutive school day of exclusion, once reached in this year (maybe in an earlier exclusion). */
  readonly sixthDay: IsoDate | undefined;
  /**
   * Within this exclusion, the first day full-time education is due: the sixth day when it
   * falls here, or the exclusion's first day when the run is already past its fifth day.
   * Undefined when the run does not reach day 6 in this exclusion, or only after the year ends.
   */
  readonly fullTimeEducationFrom: IsoDate | undefined;
  /** The exclusions in the run, up to and including this one. */
  readonly exclusionIds: readonly string[];
}

export interface HalfTermFacts {
  readonly halfTerm: HalfTerm;
  /** The half-term in progress on the evaluation date (or the last to have started, in a holiday). */
  readonly isCurrent: boolean;
  /** Suspensions (FIXD and LNCH) whose start date falls in this half-term. */
  readonly suspensions: readonly ExclusionFacts[];
}

export interface AttendanceFacts {
  /** Possible sessions (attending or absent) in the year to date. */
  readonly possibleSessions: number;
  /** Sessions missed (authorised or unauthorised absence) in the year to date. */
  readonly missedSessions: number;
  /** Percentage of possible sessions missed, year to date; undefined with no possible sessions. */
  readonly absenceRate: number | undefined;
  /** Attendance % over the last `n` school days up to the evaluation date. */
  overLastSchoolDays(n: number): {
    readonly rate: number | undefined;
    readonly possibleSessions: number;
    /** The window's first day, and its length: fewer than `n` school days early in the year. */
    readonly from: IsoDate | undefined;
    readonly schoolDays: number;
  };
}

/** Everything the rules read about one pupil on one date. */
export interface PupilFacts {
  readonly record: PupilRecord;
  readonly calendar: SchoolCalendar;
  readonly asOf: IsoDate;
  readonly currentHalfTerm: HalfTerm | undefined;
  /** Counted exclusions in start order. */
  readonly exclusions: readonly ExclusionFacts[];
  /** Half-terms that have started by the evaluation date. */
  readonly halfTerms: readonly HalfTermFacts[];
  readonly suspensionDaysByTerm: Readonly<Record<Term, number>>;
  /** School days of suspension this year, including days at previous schools (the 45-day count). */
  readonly suspensionDaysThisYear: number;
  readonly attendance: AttendanceFacts;
}

/** How far back a record's dates may reach from a calendar's year: a whole school life (Reception to Year 14). */
const YEARS_OF_HISTORY = 16;

/**
 * Problems that make a record impossible on this calendar: a date beyond the calendar's reach
 * (a school life before it, a year after it), an exclusion starting, or a mark recorded, on a
 * day in the year that is not a school day, and two exclusions covering the same session or
 * lunchtime. Dates in other years are otherwise not checked.
 */
export function checkRecordOnCalendar(record: PupilRecord, calendar: SchoolCalendar): Problem[] {
  const problems: Problem[] = [];
  const notSchoolDay = (date: IsoDate) =>
    `${longDate(date)} is not a school day in the ${calendar.name} calendar (weekend, holiday, INSET day or closure)`;
  const reach = { from: `${Number(calendar.firstDay.slice(0, 4)) - YEARS_OF_HISTORY}-01-01`, to: addDays(calendar.lastDay, 366) };
  const outOfReach = (date: IsoDate | undefined, field: string) => {
    if (date === undefined || (date >= reach.from && date <= reach.to)) return false;
    problems.push({
      code: 'record.out-of-reach',
      field,
      message: `${date} is out of reach of the ${calendar.name} calendar; accepted: ${reach.from} to ${reach.to} (a school life before this year, and the year after)`,
    });
    return true;
  };
  outOfReach(record.joinedOn, 'joinedOn');
  outOfReach(record.leftOn, 'leftOn');
  record.exclusions.forEach((e, i) => {
    if (outOfReach(e.startDate, `exclusions[${i}].startDate`)) return;
    if (calendar.covers(e.startDate) && !calendar.isSchoolDay(e.startDate)) {
      problems.push({ code: 'record.not-a-school-day', field: `exclusions[${i}].startDate`, message: notSchoolDay(e.startDate) });
    }
  });
  problems.push(...overlappingExclusions(record.exclusions, calendar));
  // Movements' dates need only be within reach: they may fall on any day (a notice on a Saturday).
  for (const kind of ['offSiteDirections', 'managedMoves', 'safeguardingSeparations', 'partTimeTimetables'] as const) {
    record[kind]?.forEach((m, i) => {
      for (const [field, value] of Object.entries(m)) if (typeof value === 'string' && field !== 'id' && /Date$|On$/.test(field)) outOfReach(value, `${kind}[${i}].${field}`);
    });
  }
  record.attendance.forEach((a, i) => {
    if (outOfReach(a.date, `attendance[${i}].date`)) return;
    if (calendar.schoolDayIndex(a.date) < 0 && calendar.covers(a.date)) {
      problems.push({ code: 'record.not-a-school-day', field: `attendance[${i}].date`, message: notSchoolDay(a.date) });
    }
  });
  return problems;
}

/** A stretch of the school timeline one exclusion covers, from `start` up to (not including) `end`. */
interface Stretch {
  readonly e: Exclusion;
  readonly i: number;
  readonly start: number;
  readonly end: number;
}

/**
 * Two exclusions cannot cover the same session, nor the same lunchtime (a lunchtime suspension
 * on a day a suspension already covers whole, or two on one day): the days would count twice.
 * Sorted sweeps, O(n log n), so a record of thousands is refused at once, not after minutes.
 */
function overlappingExclusions(exclusions: readonly Exclusion[], calendar: SchoolCalendar): Problem[] {
  const problems: Problem[] = [];
  const sessionsInYear = calendar.schoolDayCount * 2;
  const sessions: Stretch[] = [];
  // Lunchtimes, by school day: each lunchtime suspension's days, and the days a suspension covers whole.
  const lunchtimes: (Stretch & { lunch: boolean })[] = [];
  exclusions.forEach((e, i) => {
    if (e.cancelled || !calendar.isSchoolDay(e.startDate)) return;
    const slot = calendar.sessionSlot(e.startDate, e.startSession);
    if (e.category === 'LNCH') {
      const day = slot >> 1;
      lunchtimes.push({ e, i, start: day, end: Math.min(day + (e.lunchtimes ?? 1), calendar.schoolDayCount), lunch: true });
      return;
    }
    // An open-ended permanent exclusion runs to the end of the year.
    const end = Math.min(slot + (e.sessions ?? sessionsInYear), sessionsInYear);
    sessions.push({ e, i, start: slot, end });
    const wholeDays = { start: (slot + 1) >> 1, end: end >> 1 };
    if (wholeDays.end > wholeDays.start) lunchtimes.push({ e, i, ...wholeDays, lunch: false });
  });
  sweep(sessions, (later, earlier) =>
    problems.push({
      code: 'record.overlapping-exclusions',
      field: `exclusions[${later.i}].startDate`,
      message: `${later.e.id} starts ${later.e.startSession} ${longDate(later.e.startDate)}, while ${earlier.e.id} (exclusions[${earlier.i}]) still covers that session; exclusions may follow each other but not overlap`,
    }),
  );
  sweep(lunchtimes, (later, earlier) => {
    // Two suspensions' whole days overlap only where their sessions do: said above.
    if (!later.lunch && !earlier.lunch) return;
    const day = longDate(calendar.schoolDayAt(later.start));
    const lunch = later.lunch ? later : earlier;
    const other = lunch === later ? earlier : later;
    problems.push({
      code: 'record.overlapping-exclusions',
      field: `exclusions[${later.i}].startDate`,
      message: `${lunch.e.id} (exclusions[${lunch.i}]) suspends the pupil at lunchtime on ${day}, while ${other.e.id} (exclusions[${other.i}]) ${other.lunch ? 'already does' : 'excludes them that whole day'}; one exclusion a lunchtime`,
    });
  });
  return problems;
}

/** Calls `overlap` for each stretch that starts before the furthest-reaching earlier one ends. */
function sweep<T extends Stretch>(stretches: T[], overlap: (later: T, earlier: T) => void): void {
  stretches.sort((a, b) => a.start - b.start || a.i - b.i);
  let furthest: T | undefined;
  for (const s of stretches) {
    if (furthest && s.start < furthest.end) overlap(s, furthest);
    if (!furthest || s.end > furthest.end) furthest = s;
  }
}

/**
 * Derives the facts for one pupil on `asOf`.
 * @throws InputError when the record does not fit the calendar (see {@link checkRecordOnCalendar})
 *   or `asOf` is before the calendar's year.
 */
export function derivePupilFacts(record: PupilRecord, calendar: SchoolCalendar, asOf: IsoDate): PupilFacts {
  if (!isIsoDate(asOf)) throw new InputError('the evaluation date is not a real date', [{ code: 'date.not-real', field: 'asOf', message: notARealDate(asOf) }]);
  const problems = checkRecordOnCalendar(record, calendar);
  if (problems.length > 0) {
    throw new InputError(`pupil ${record.id} does not fit the ${calendar.name} calendar`, problems.map((p) => ({ location: `pupil ${record.id}`, ...p })));
  }
  if (asOf < calendar.firstDay) {
    throw new InputError('evaluation date before the calendar', [
      { code: 'calendar.outside', field: 'asOf', message: `${asOf} is before the ${calendar.name} calendar starts (${calendar.firstDay}); use that year's calendar` },
    ]);
  }

  const counted = record.exclusions
    .filter((e) => !e.cancelled && calendar.covers(e.startDate) && e.startDate <= asOf)
    .map((e) => ({ e, slot: calendar.sessionSlot(e.startDate, e.startSession) }))
    .sort((a, b) => a.slot - b.slot || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));

  const termRunning: Record<Term, { id: string; days: number }[]> = { autumn: [], spring: [], summer: [] };
  const sessionsInYear = calendar.schoolDayCount * 2;
  let run: { startSlot: number; endSlot: number; ids: string[] } | undefined;
  const exclusions: ExclusionFacts[] = counted.map(({ e, slot }) => {
    const laid = layExclusion(e, slot, calendar, sessionsInYear);
    for (const [term, days] of Object.entries(laid.daysByTerm) as [Term, number][]) termRunning[term].push({ id: e.id, days });
    const termTotal = highestTermTotal(laid.daysByTerm, termRunning, calendar.termOf(e.startDate) ?? 'autumn');

    let consecutive: ConsecutiveRun = { daysBefore: 0, daysThrough: 0, sixthDay: undefined, fullTimeEducationFrom: undefined, exclusionIds: [] };
    if (e.category !== 'LNCH') {
      // Slots past the end of the year still count: a suspension may run on after the summer.
      const end = laid.endSlot + laid.sessionsBeyondYear;
      run = run && slot <= run.endSlot ? { startSlot: run.startSlot, endSlot: Math.max(run.endSlot, end), ids: [...run.ids, e.id] } : { startSlot: slot, endSlot: end, ids: [e.id] };
      // The sixth day of exclusion begins with the run's eleventh session.
      const sixthSlot = run.startSlot + 10;
      const dueSlot = Math.max(sixthSlot, slot);
      consecutive = {
        daysBefore: (slot - run.startSlot) / 2,
        daysThrough: (end - run.startSlot) / 2,
        sixthDay: sixthSlot < run.endSlot && sixthSlot < sessionsInYear ? calendar.sessionAt(sixthSlot).date : undefined,
        fullTimeEducationFrom: dueSlot < end && dueSlot < sessionsInYear ? calendar.sessionAt(dueSlot).date : undefined,
        exclusionIds: run.ids,
      };
    }
    return {
      id: e.id,
      category: e.category,
      startDate: e.startDate,
      startSession: e.startSession,
      reasons: e.reasons,
      missesPublicExam: e.missesPublicExam,
      isSuspension: e.category !== 'PERM',
      schoolDays: laid.schoolDays,
      lastDate: laid.lastDate,
      sessionsBeyondYear: laid.sessionsBeyondYear,
      daysByTerm: laid.daysByTerm,
      termTotal,
      consecutive,
    };
  });

  const suspensionDaysByTerm: Record<Term, number> = { autumn: 0, spring: 0, summer: 0 };
  for (const term of Object.keys(termRunning) as Term[]) suspensionDaysByTerm[term] = sum(termRunning[term].map((p) => p.days));

  const currentHalfTerm = calendar.latestHalfTermBy(asOf);
  const halfTerms = calendar.halfTerms
    .filter((h) => h.start <= asOf)
    .map((halfTerm) => ({
      halfTerm,
      isCurrent: halfTerm === currentHalfTerm,
      suspensions: exclusions.filter((x) => x.isSuspension && x.startDate >= halfTerm.start && x.startDate <= halfTerm.end),
    }));

  return {
    record,
    calendar,
    asOf,
    currentHalfTerm,
    exclusions,
    halfTerms,
    suspensionDaysByTerm,
    suspensionDaysThisYear: record.priorSchoolSuspensionDays + sum(Object.values(suspensionDaysByTerm)),
    attendance: attendanceFacts(record, calendar, asOf),
  };
}

function layExclusion(e: Exclusion, startSlot: number, calendar: SchoolCalendar, sessionsInYear: number) {
  const daysByTerm: Partial<Record<Term, number>> = {};
  const addDay = (date: IsoDate, days: number) => {
    const term = calendar.termOf(date);
    if (term) daysByTerm[term] = (daysByTerm[term] ?? 0) + days;
  };
  if (e.category === 'LNCH') {
    // One lunchtime a school day, each half a school day.
    const count = e.lunchtimes ?? 0;
    const firstDay = Math.floor(startSlot / 2);
    const inYear = Math.min(count, calendar.schoolDayCount - firstDay);
    for (let i = 0; i < inYear; i++) addDay(calendar.schoolDayAt(firstDay + i), 0.5);
    return {
      schoolDays: count / 2,
      daysByTerm,
      lastDate: inYear > 0 ? calendar.schoolDayAt(firstDay + inYear - 1) : undefined,
      sessionsBeyondYear: count - inYear,
      endSlot: startSlot,
    };
  }
  // An open-ended permanent exclusion runs to the end of the year.
  const sessions = e.sessions ?? sessionsInYear - startSlot;
  const endSlot = Math.min(startSlot + sessions, sessionsInYear);
  if (e.category === 'FIXD') for (let s = startSlot; s < endSlot; s++) addDay(calendar.sessionAt(s).date, 0.5);
  return {
    schoolDays: e.category === 'FIXD' ? sessions / 2 : 0,
    daysByTerm,
    lastDate: e.sessions === undefined ? undefined : calendar.sessionAt(endSlot - 1).date,
    sessionsBeyondYear: startSlot + sessions - endSlot,
    endSlot,
  };
}

function highestTermTotal(
  own: Partial<Record<Term, number>>,
  running: Record<Term, { id: string; days: number }[]>,
  startTerm: Term,
): TermTotal {
  let best: TermTotal = { term: startTerm, days: sum(running[startTerm].map((p) => p.days)), parts: [...running[startTerm]] };
  for (const term of Object.keys(own) as Term[]) {
    const days = sum(running[term].map((p) => p.days));
    if (days > best.days) best = { term, days, parts: [...running[term]] };
  }
  return best;
}

function attendanceFacts(record: PupilRecord, calendar: SchoolCalendar, asOf: IsoDate): AttendanceFacts {
  const daysToDate = calendar.schoolDaysUpTo(asOf);
  const possible = new Uint8Array(daysToDate);
  const attended = new Uint8Array(daysToDate);
  const count = (index: number, mark: AttendanceMark | undefined) => {
    if (mark === undefined || !countsAsPossible(mark)) return;
    possible[index]! += 1;
    if (countsAsAttending(mark)) attended[index]! += 1;
  };
  for (const day of record.attendance) {
    const index = calendar.schoolDayIndex(day.date);
    if (index < 0 || index >= daysToDate) continue;
    count(index, day.am);
    count(index, day.pm);
  }
  const possibleSessions = sum(possible);
  const missedSessions = possibleSessions - sum(attended);
  return {
    possibleSessions,
    missedSessions,
    absenceRate: possibleSessions > 0 ? (100 * missedSessions) / possibleSessions : undefined,
    overLastSchoolDays(n: number) {
      const from = Math.max(0, daysToDate - n);
      let p = 0;
      let a = 0;
      for (let i = from; i < daysToDate; i++) {
        p += possible[i]!;
        a += attended[i]!;
      }
      return {
        rate: p > 0 ? (100 * a) / p : undefined,
        possibleSessions: p,
        from: daysToDate > 0 ? calendar.schoolDayAt(from) : undefined,
        schoolDays: daysToDate - from,
      };
    },
  };
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}
