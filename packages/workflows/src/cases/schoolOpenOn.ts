/**
 * A day set for something to happen in school — a support plan's review — must be a day the
 * pupil's school is open on its stored calendar. A head who picks a day in the half-term holiday
 * is told so, with the next school day, and picks again: the date agreed is the date the deadline
 * falls due, the reminder is sent and the weekly list shows, never one silently moved.
 *
 * A date no stored calendar reaches (next year's not yet imported) cannot be checked and is
 * accepted as given.
 */
import { addDays, longDate, OutsideCalendarError, type IsoDate, type SchoolCalendar } from '@before-exclusion/rules';

/** The calendar a school follows on a date (`store.pupils.calendarFor`). */
export type CalendarLookup = (schoolId: string, date: IsoDate) => Promise<SchoolCalendar | undefined>;

/** Longer than any summer holiday: a calendar starting within this many days after a date is the next year's. */
const NEXT_YEAR_WITHIN_DAYS = 92;

/**
 * Why `date` cannot be the day at `schoolId`, naming the next school day; undefined when the school
 * is open then, or no stored calendar covers it.
 * @example await closedDayRefusal(calendars, 'SCH-A', '2026-02-18') // "Wednesday 18 Feb 2026 is in the spring half-term holiday at school SCH-A: the next school day is Monday 23 Feb 2026"
 */
export async function closedDayRefusal(calendarFor: CalendarLookup, schoolId: string, date: IsoDate): Promise<string | undefined> {
  const calendar = await calendarFor(schoolId, date);
  if (calendar?.covers(date)) {
    if (calendar.isSchoolDay(date)) return undefined;
    const next = await nextSchoolDay(calendarFor, schoolId, calendar, date);
    return `${longDate(date)} is ${closure(calendar, date)} at school ${schoolId}${next ? `: the next school day is ${longDate(next)}` : ''}`;
  }
  // Past the last calendar to have started by then (or before the first): in the holiday before a later year, if one is held.
  const later = await calendarFor(schoolId, addDays(date, NEXT_YEAR_WITHIN_DAYS));
  if (!later || later.firstDay <= date) return undefined;
  return `${longDate(date)} is in the holiday before the ${later.academicYear} school year at school ${schoolId}: the next school day is ${longDate(later.addSchoolDays(later.firstDay, 0))}`;
}

/** What closes the school on a day of its calendar's year that is not a school day, in words. */
function closure(calendar: SchoolCalendar, date: IsoDate): string {
  if (!calendar.halfTermOf(date)) {
    const after = [...calendar.halfTerms].reverse().find((h) => h.end < date);
    const before = calendar.halfTerms.find((h) => h.start > date);
    if (after && before) return after.term === before.term ? `in the ${after.term} half-term holiday` : `in the holiday between the ${after.term} and ${before.term} terms`;
    return 'outside the terms';
  }
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return 'a weekend';
  return 'not a school day (an INSET day, a bank holiday or a closure on its calendar)';
}

/** The first school day after `date`, on its calendar or the next year's; undefined when none is held. */
async function nextSchoolDay(calendarFor: CalendarLookup, schoolId: string, calendar: SchoolCalendar, date: IsoDate): Promise<IsoDate | undefined> {
  try {
    return calendar.addSchoolDays(date, 0);
  } catch (error) {
    if (!(error instanceof OutsideCalendarError)) throw error;
    const later = await calendarFor(schoolId, addDays(calendar.lastDay, NEXT_YEAR_WITHIN_DAYS));
    return later && later.firstDay > calendar.lastDay ? later.addSchoolDays(later.firstDay, 0) : undefined;
  }
}
