/**
 * School-calendar dates: `YYYY-MM-DD` strings at the edges, whole day numbers inside.
 *
 * A day number counts days since 1970-01-01 in UTC, so arithmetic never drifts with the
 * machine's time zone or daylight saving.
 */

/** A calendar date written `YYYY-MM-DD`. */
export type IsoDate = string;

/** A half of a school day: the morning or the afternoon registration session. */
export type Session = 'AM' | 'PM';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** True when `text` is a real date written `YYYY-MM-DD` (so `2026-02-30` is not). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(day).toISOString().slice(0, 10) === text;
}

/**
 * The day number of an ISO date.
 * @example dayNumber('1970-01-02') // 1
 * @throws RangeError when `date` is not a real `YYYY-MM-DD` date.
 */
export function dayNumber(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a date written YYYY-MM-DD`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

/** The ISO date of a day number. */
export function isoDate(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Adds calendar days (not school days) to a date. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return isoDate(dayNumber(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** "Monday", "Tuesday", … for an ISO date. */
export function weekdayName(date: IsoDate): string {
  return WEEKDAYS[weekdayOf(dayNumber(date))] as string;
}

/** True for Saturdays and Sundays. */
export function isWeekend(day: number): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

/**
 * A short English date for explanations.
 * @example shortDate('2025-10-02') // "2 Oct"
 */
export function shortDate(date: IsoDate): string {
  return `${Number(date.slice(8, 10))} ${MONTHS[Number(date.slice(5, 7)) - 1]}`;
}

/**
 * A date a person reads easily.
 * @example longDate('2025-10-02') // "Thursday 2 Oct 2025"
 */
export function longDate(date: IsoDate): string {
  return `${weekdayName(date)} ${shortDate(date)} ${date.slice(0, 4)}`;
}
