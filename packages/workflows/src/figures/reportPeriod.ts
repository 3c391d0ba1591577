/**
 * The period a report covers: academic-year-to-date, to the end of one of the council's quarters
 * or to the end of a term. Quarters are the same for every school; terms are not — each school
 * sets its own term dates — so a term's report runs to the end of that term on each school's own
 * calendar, and a pupil's exclusions are counted against their school's period.
 */
import { InputError, TERMS, type IsoDate, type SchoolCalendar, type Term } from '@before-exclusion/rules';

/** A quarter (1–4) or a term of the academic year. */
export type PeriodChoice = { readonly quarter: number } | { readonly term: Term };

/** From the first day counted to the last, inclusive (YYYY-MM-DD). */
export interface Period {
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** Where calendars are found: the store's pupils (`store.pupils`). */
export interface CalendarSource {
  calendarFor(schoolId: string, date: IsoDate): Promise<SchoolCalendar | undefined>;
}

/**
 * The first calendar year of an academic year.
 * @example academicYearStart('2025/26') // 2025
 * @throws RangeError when `academicYear` is not written like 2025/26.
 */
export function academicYearStart(academicYear: string): number {
  const m = /^(\d{4})\/(\d{2})$/.exec(academicYear);
  if (!m || Number(m[2]) !== (Number(m[1]) + 1) % 100) throw new RangeError(`"${academicYear}" is not an academic year such as 2025/26`);
  return Number(m[1]);
}

/**
 * When each quarter of an academic year ends: the council quarter ends that fall in it. The
 * report runs from 1 September to 31 Dec, 31 Mar, 30 Jun or 31 Aug.
 * @example reportPeriod('2025/26', 2) // { start: '2025-09-01', end: '2026-03-31' }
 * @throws RangeError for a year not like 2025/26 or a quarter other than 1–4.
 */
export function reportPeriod(academicYear: string, quarter: number): Period {
  const first = academicYearStart(academicYear);
  if (![1, 2, 3, 4].includes(quarter)) throw new RangeError(`quarter ${quarter} is not 1, 2, 3 or 4`);
  const end = [`${first}-12-31`, `${first + 1}-03-31`, `${first + 1}-06-30`, `${first + 1}-08-31`][quarter - 1]!;
  return { start: `${first}-09-01`, end };
}

/**
 * The year to the end of `term` on one school's calendar: from its first day to the last day of
 * the term's last half-term.
 * @example termPeriod(calendar, 'spring') // { start: '2025-09-01', end: '2026-03-27' } on the example 2025/26 calendar
 */
export function termPeriod(calendar: SchoolCalendar, term: Term): Period | undefined {
  const halves = calendar.halfTerms.filter((h) => h.term === term);
  const last = halves[halves.length - 1];
  return last ? { start: calendar.firstDay, end: last.end } : undefined;
}

/** A school's calendar for an academic year, if one is held. */
export async function calendarForYear(calendars: CalendarSource, schoolId: string, academicYear: string): Promise<SchoolCalendar | undefined> {
  // Any day well inside the year finds the calendar that started it, whatever its first day.
  const calendar = await calendars.calendarFor(schoolId, `${academicYearStart(academicYear)}-12-31`);
  return calendar?.academicYear === academicYear ? calendar : undefined;
}

/**
 * Reads the period asked for: exactly one of a quarter and a term.
 * @throws RangeError saying what is accepted.
 */
export function choosePeriod(asked: { readonly quarter?: number | undefined; readonly term?: string | undefined }): PeriodChoice {
  if (asked.quarter !== undefined && asked.term !== undefined) throw new RangeError('give a quarter or a term, not both');
  if (asked.term !== undefined) {
    const term = TERMS.find((t) => t === asked.term);
    if (!term) throw new RangeError(`term "${asked.term}" is not ${TERMS.slice(0, -1).join(', ')} or ${TERMS[TERMS.length - 1]}`);
    return { term };
  }
  if (asked.quarter === undefined) throw new RangeError('give a quarter (1–4) or a term (autumn, spring, summer)');
  if (![1, 2, 3, 4].includes(asked.quarter)) throw new RangeError(`quarter ${asked.quarter} is not 1, 2, 3 or 4`);
  return { quarter: asked.quarter };
}

/**
 * Each school's period. For a term, from the school's own calendar for the year; a school that
 * holds no pupils has nothing to count, so without a calendar it is given the span of the others'.
 * @throws InputError naming every school with pupils but no calendar for the year (or without the term).
 */
export async function schoolPeriods(
  calendars: CalendarSource,
  schools: readonly { readonly id: string; readonly holdsPupils: boolean }[],
  academicYear: string,
  choice: PeriodChoice,
): Promise<Map<string, Period>> {
  const periods = new Map<string, Period>();
  if ('quarter' in choice) {
    const period = reportPeriod(academicYear, choice.quarter);
    for (const school of schools) periods.set(school.id, period);
    return periods;
  }
  const problems: { location: string; field: string; message: string }[] = [];
  const without: string[] = [];
  for (const school of schools) {
    const calendar = await calendarForYear(calendars, school.id, academicYear);
    const period = calendar ? termPeriod(calendar, choice.term) : undefined;
    if (period) periods.set(school.id, period);
    else if (!school.holdsPupils) without.push(school.id);
    else {
      problems.push({
        location: `school ${school.id}`,
        field: 'calendar',
        message: calendar
          ? `its ${academicYear} calendar has no ${choice.term} term`
          : `no ${academicYear} calendar is held for it; a term's report counts to the end of each school's own term: import the school's calendar (cases import --pupils FILE --calendar FILE)`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(`cannot report to the end of the ${choice.term} term ${academicYear}`, problems);
  if (without.length > 0) {
    const known = [...periods.values()];
    if (known.length === 0) {
      throw new InputError(`cannot report to the end of the ${choice.term} term ${academicYear}`, [
        { field: 'calendar', message: `no school in the report has a ${academicYear} calendar to take the term's dates from: import one (cases import --pupils FILE --calendar FILE), or report by quarter` },
      ]);
    }
    const span = spanOf(known);
    for (const id of without) periods.set(id, span);
  }
  return periods;
}

/** The earliest start and the latest end of some periods. */
export function spanOf(periods: readonly Period[]): Period {
  if (periods.length === 0) throw new RangeError('no periods to span');
  return {
    start: periods.map((p) => p.start).reduce((a, b) => (b < a ? b : a)),
    end: periods.map((p) => p.end).reduce((a, b) => (b > a ? b : a)),
  };
}
