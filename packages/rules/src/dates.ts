/**
 * School-calendar dates: `YYYY-MM-DD` strings at the edges, whole day numbers inside.
 *
 * A day number counts days since 1970-01-01 in UTC, so arithmetic never drifts with the
 * machine's time zone or daylight saving.
 */
import { InputError, quoted } from './problems.js';

/** A calendar date written `YYYY-MM-DD`. */
export type IsoDate = string;

/** A half of a school day: the morning or the afternoon registration session. */
export type Session = 'AM' | 'PM';

const MS_PER_DAY = 86_400_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/**
 * The day number of `YYYY-MM-DD`, or NaN when it is not a real date. Plain character
 * arithmetic: every attendance mark's date passes through here, so it must be cheap.
 */
function parseDay(text: string): number {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) return NaN;
  return daysFromCivil(year, month, day);
}

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** True when `text` is a real date written `YYYY-MM-DD` (so `2026-02-30` is not). */
export function isIsoDate(text: string): boolean {
  return !Number.isNaN(parseDay(text));
}

/**
 * The day number of an ISO date.
 * @example dayNumber('1970-01-02') // 1
 * @throws InputError (code `date.not-real`) when `date` is not a real `YYYY-MM-DD` date.
 */
export function dayNumber(date: IsoDate): number {
  const day = parseDay(date);
  if (Number.isNaN(day)) throw new InputError(`${quoted(String(date))} is not a real date`, [{ code: 'date.not-real', message: notARealDate(date) }]);
  return day;
}

/**
 * Why a text is not a date: `"2025-10-32" is not a real date: October 2025 has 31 days`, or
 * `"32/10/2025" is not a date written YYYY-MM-DD`.
 */
export function notARealDate(text: unknown): string {
  const shown = typeof text === 'string' ? quoted(text) : String(text);
  const m = typeof text === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (!m) return `${shown} is not a date written YYYY-MM-DD`;
  const [year, month] = [Number(m[1]), Number(m[2])];
  if (month < 1 || month > 12) return `${shown} is not a real date: there is no month ${m[2]} (01 to 12)`;
  return `${shown} is not a real date: ${MONTH_NAMES[month - 1]} ${year} has ${daysInMonth(year, month)} days`;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

/**
 * The ISO date of a day number: arithmetic (H. Hinnant's civil_from_days), not a Date object,
 * because fact derivation turns thousands of day numbers into dates per pupil.
 */
export function isoDate(day: number): IsoDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  // Years outside 1000–9999 are written as Date writes them (no school record holds one).
  if (y < 1000 || y > 9999) return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  return `${y}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
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
