/**
 * Dates as people type them in a chat — "23/3/26", "Mon 23 Mar", "tomorrow" — read into
 * school-calendar dates (`YYYY-MM-DD`), or a sentence saying what was wrong and what is accepted.
 *
 * Numbers are read day first, as in England: 03/04/2026 is 3 April. A day and month without a
 * year mean that date in the current school year (1 September to 31 August, the year a school's
 * calendar runs): on 20 March 2026 "13 Apr" is 13 April 2026 and "2 Oct" is 2 October 2025. A head
 * checking a suspension or recording a notice means a date of the year the school is in, whether
 * it has passed or not; a date in another school year is given with its year.
 */
import { addDays, isIsoDate, weekdayName, type IsoDate } from '@before-exclusion/rules';

/** What a person may type for a date, for help texts and error messages. */
export const DATE_EXAMPLES = '23/03/2026, 23/3/26, 23 March 2026, Mon 23 Mar, 2026-03-23, today or tomorrow';

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** Month names and their short forms ("sept" too), lower case, to the month's number. */
const MONTHS = new Map<string, number>([['sept', 9]]);
MONTH_NAMES.forEach((name, i) => MONTHS.set(name.toLowerCase(), i + 1).set(name.slice(0, 3).toLowerCase(), i + 1));
/** Day names and their short forms ("tues", "thurs" too), lower case, to the day's full name. */
const DAYS = new Map<string, string>([['tues', 'tuesday'], ['weds', 'wednesday'], ['thur', 'thursday'], ['thurs', 'thursday']]);
for (const day of WEEKDAYS) DAYS.set(day, day).set(day.slice(0, 3), day);

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?$/;
const DAY_MONTH = /^(?:([a-z]+) )?(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)(?: (\d{4}|\d{2}))?$/;
const MONTH_DAY = /^(?:([a-z]+) )?([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}|\d{2}))?$/;

/**
 * The date a person typed, as `YYYY-MM-DD`, or what is wrong with it in words.
 * @example parseDateInput('23/3/26', '2026-03-20') // { date: '2026-03-23' }
 * @example parseDateInput('Mon 23 Mar', '2026-03-20') // { date: '2026-03-23' }
 * @example parseDateInput('31/04/2026', '2026-03-20') // { error: '31 April 2026 is not a real date: April has 30 days.' }
 * @param text — what was typed.
 * @param today — the school date (England) it is typed on: for "today", "tomorrow" and a date given without a year.
 */
export function parseDateInput(text: string, today: IsoDate): { date: IsoDate } | { error: string } {
  const typed = text.trim();
  const clean = typed.toLowerCase().replace(/,/g, ' ').replace(/\.$/, '').replace(/\s+/g, ' ').trim();
  if (clean === '') return { error: `Please give a date, such as ${DATE_EXAMPLES}.` };
  if (clean === 'today') return { date: today };
  if (clean === 'tomorrow') return { date: addDays(today, 1) };
  if (clean === 'yesterday') return { date: addDays(today, -1) };

  let m = clean.match(ISO);
  if (m) return dated(typed, Number(m[1]), Number(m[2]), Number(m[3]));
  m = clean.match(DAY_FIRST);
  if (m) return dated(typed, m[3], Number(m[2]), Number(m[1]), today);
  m = clean.match(DAY_MONTH);
  if (m && MONTHS.has(m[3]!) && (!m[1] || DAYS.has(m[1]))) return dated(typed, m[4], MONTHS.get(m[3]!)!, Number(m[2]), today, m[1]);
  m = clean.match(MONTH_DAY);
  if (m && MONTHS.has(m[2]!) && (!m[1] || DAYS.has(m[1]))) return dated(typed, m[4], MONTHS.get(m[2]!)!, Number(m[3]), today, m[1]);
  return { error: `I could not read "${shorten(typed)}" as a date. Try ${DATE_EXAMPLES}.` };
}

/** A year, month and day checked to be a real date (and the weekday, when one was given). */
function dated(typed: string, year: string | number | undefined, month: number, day: number, today?: IsoDate, weekday?: string): { date: IsoDate } | { error: string } {
  // Without `today` it was written year first (YYYY-MM-DD); otherwise day first, and 03/23/2026 was likely meant American.
  if (month < 1 || month > 12) return { error: `"${shorten(typed)}" has no month ${month}${today ? ': dates are read day first, like 23/03/2026' : ''}.` };
  const y = year === undefined ? inSchoolYear(month, today!) : typeof year === 'number' ? year : year.length === 2 ? 2000 + Number(year) : Number(year);
  const date = `${String(y).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
  const name = `${day} ${MONTH_NAMES[month - 1]} ${y}`;
  if (!isIsoDate(date)) return { error: `${name} is not a real date: ${MONTH_NAMES[month - 1]}${month === 2 ? ` ${y}` : ''} has ${daysIn(y, month)} days.` };
  const said = weekday ? DAYS.get(weekday) : undefined;
  const actual = weekdayName(date);
  if (said && said !== actual.toLowerCase()) return { error: `${name} is a ${actual}, not a ${capitalised(said)}.` };
  return { date };
}

/** The year a month falls in within the school year `today` is in (September to August). */
function inSchoolYear(month: number, today: IsoDate): number {
  const year = Number(today.slice(0, 4));
  const startYear = Number(today.slice(5, 7)) >= 9 ? year : year - 1;
  return month >= 9 ? startYear : startYear + 1;
}

function daysIn(year: number, month: number): number {
  for (let day = 31; day > 28; day--) if (isIsoDate(`${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`)) return day;
  return 28;
}

const pad = (n: number) => String(n).padStart(2, '0');
const capitalised = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
/** What was typed, cut short enough to quote back. */
const shorten = (text: string) => (text.length > 30 ? `${text.slice(0, 30)}…` : text);
