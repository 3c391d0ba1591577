/**
 * Attendance counts behind the duties of August 2024 (School Attendance (Pupil Registration)
 * (England) Regulations 2024 and *Working together to improve school attendance*): unauthorised
 * sessions in a rolling run of school weeks (the national threshold for considering a penalty
 * notice) and school days missed through illness (the sickness return to the local authority).
 */
import { ATTENDANCE_MARKS, type AttendanceMark } from './codes.js';
import { addDays, dayNumber, type IsoDate } from './dates.js';
import type { SchoolCalendar } from './calendar/schoolCalendar.js';
import type { PupilFacts } from './facts.js';

/** A rolling window of school weeks and the unauthorised sessions in it. */
export interface UnauthorisedWindow {
  readonly sessions: number;
  /** Monday of the window's first school week, and Sunday of its last. */
  readonly from: IsoDate;
  readonly to: IsoDate;
}

const isUnauthorised = (mark: AttendanceMark | undefined) => mark !== undefined && ATTENDANCE_MARKS[mark].meaning === 'unauthorised-absence';

/** The Monday of the week `date` falls in. */
function mondayOf(date: IsoDate): IsoDate {
  // Day 0 of dayNumber is Thursday 1 January 1970; (n + 3) % 7 is 0 on a Monday.
  return addDays(date, -((dayNumber(date) + 3) % 7));
}

const windows = new WeakMap<PupilFacts, Map<number, UnauthorisedWindow | undefined>>();

/** A calendar's school weeks up to a day: each school day's week, and each week's Monday and Sunday. */
interface SchoolWeeks {
  readonly weekOfDay: Int32Array;
  readonly mondays: readonly IsoDate[];
  readonly sundays: readonly IsoDate[];
}

/** Worked out once per calendar and evaluation date, not once per pupil: it is the same for all of them. */
const weeksOf = new WeakMap<SchoolCalendar, Map<number, SchoolWeeks>>();

function schoolWeeks(calendar: SchoolCalendar, daysToDate: number): SchoolWeeks {
  let byDays = weeksOf.get(calendar);
  if (!byDays) weeksOf.set(calendar, (byDays = new Map()));
  const known = byDays.get(daysToDate);
  if (known) return known;
  const weekOfDay = new Int32Array(daysToDate);
  const mondays: IsoDate[] = [];
  for (let i = 0; i < daysToDate; i++) {
    const monday = mondayOf(calendar.schoolDayAt(i));
    if (mondays[mondays.length - 1] !== monday) mondays.push(monday);
    weekOfDay[i] = mondays.length - 1;
  }
  const weeks = { weekOfDay, mondays, sundays: mondays.map((m) => addDays(m, 6)) };
  byDays.set(daysToDate, weeks);
  return weeks;
}

/**
 * The most unauthorised sessions (G, N, O, U) in any `weeks` consecutive school weeks that end
 * in the current half-term, up to the evaluation date. A school week is a week with at least one
 * school session, so holidays are stepped over and a window may span terms; weeks before this
 * calendar's year are not in it. Undefined before any school day.
 */
export function worstUnauthorisedWindow(pupil: PupilFacts, weeks: number): UnauthorisedWindow | undefined {
  let byWeeks = windows.get(pupil);
  if (!byWeeks) windows.set(pupil, (byWeeks = new Map()));
  if (byWeeks.has(weeks)) return byWeeks.get(weeks);

  const { calendar, asOf, record } = pupil;
  const daysToDate = calendar.schoolDaysUpTo(asOf);
  // School weeks in order (school days are in date order, so a week's days are together), each with its unauthorised sessions.
  const { weekOfDay, mondays, sundays } = schoolWeeks(calendar, daysToDate);
  const sessions = new Array<number>(mondays.length).fill(0);
  for (const day of record.attendance) {
    const index = calendar.schoolDayIndex(day.date);
    if (index < 0 || index >= daysToDate) continue;
    sessions[weekOfDay[index]!]! += (isUnauthorised(day.am) ? 1 : 0) + (isUnauthorised(day.pm) ? 1 : 0);
  }
  const halfTermStart = pupil.currentHalfTerm?.start;
  let best: UnauthorisedWindow | undefined;
  let running = 0;
  for (let end = 0; end < mondays.length; end++) {
    running += sessions[end]!;
    if (end >= weeks) running -= sessions[end - weeks]!;
    const to = sundays[end]!;
    if (halfTermStart !== undefined && to < halfTermStart) continue;
    if (!best || running > best.sessions) best = { sessions: running, from: mondays[Math.max(0, end - weeks + 1)]!, to };
  }
  byWeeks.set(weeks, best);
  return best;
}

/** School days missed through illness (mark I, half a day a session) this year, up to the evaluation date. */
export function illnessSchoolDays(pupil: PupilFacts): number {
  const { calendar, asOf, record } = pupil;
  let sessions = 0;
  for (const day of record.attendance) {
    if (day.date > asOf || calendar.schoolDayIndex(day.date) < 0) continue;
    sessions += (day.am === 'I' ? 1 : 0) + (day.pm === 'I' ? 1 : 0);
  }
  return sessions / 2;
}
