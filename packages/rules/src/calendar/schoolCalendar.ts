/**
 * A school calendar: one academic year of six half-terms and the non-school days inside them,
 * with the school-day arithmetic every statutory deadline is counted in.
 *
 * School days are numbered 0, 1, 2… through the year so that counting and stepping are
 * array look-ups, not loops over the calendar.
 */
import { dayNumber, isoDate, isWeekend, longDate, type IsoDate, type Session } from '../dates.js';

/** The three terms of the English school year. */
export type Term = 'autumn' | 'spring' | 'summer';
export const TERMS: readonly Term[] = ['autumn', 'spring', 'summer'];

/** One of the six half-terms: its name (e.g. `autumn-1`), its term and its first and last day. */
export interface HalfTerm {
  readonly name: string;
  readonly term: Term;
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** The plain data a calendar is built from (the JSON interchange format). */
export interface CalendarSpec {
  readonly academicYear: string;
  readonly halfTerms: readonly HalfTerm[];
  /** INSET days, bank holidays and closures; days outside half-terms may be listed and are ignored. */
  readonly nonSchoolDays: readonly IsoDate[];
  /** A label for people, e.g. "England 2025/26 (example)". */
  readonly name?: string;
  /** Marks a calendar that is an example, not any real school's dates. */
  readonly example?: boolean;
}

/** A registration session on the school timeline. */
export interface SchoolSession {
  readonly date: IsoDate;
  readonly session: Session;
}

/** Raised when arithmetic would leave the calendar's year: the answer is on another calendar. */
export class OutsideCalendarError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'OutsideCalendarError';
  }
}

export class SchoolCalendar {
  readonly academicYear: string;
  readonly name: string;
  readonly example: boolean;
  readonly halfTerms: readonly HalfTerm[];
  /** First day of the first half-term. */
  readonly firstDay: IsoDate;
  /** Last day of the last half-term. */
  readonly lastDay: IsoDate;

  readonly #firstDayNumber: number;
  /** Day numbers of the school days, in order. */
  readonly #schoolDays: Int32Array;
  /** For each day from the first day: its school-day index, or -1 when it is not a school day. */
  readonly #indexByDay: Int32Array;
  /** For each day from the first day: the index of its half-term, or -1 in a holiday. */
  readonly #halfTermByDay: Int8Array;

  /**
   * Builds a calendar from validated data. Use {@link parseCalendar} or {@link loadCalendarFile}
   * for input from users, which report every problem with its place.
   */
  constructor(spec: CalendarSpec) {
    this.academicYear = spec.academicYear;
    this.name = spec.name ?? `${spec.academicYear}`;
    this.example = spec.example ?? false;
    this.halfTerms = spec.halfTerms.map((h) => ({ ...h }));
    const first = this.halfTerms[0];
    const last = this.halfTerms[this.halfTerms.length - 1];
    if (!first || !last) throw new RangeError('a calendar needs at least one half-term');
    this.firstDay = first.start;
    this.lastDay = last.end;
    this.#firstDayNumber = dayNumber(first.start);
    const span = dayNumber(last.end) - this.#firstDayNumber + 1;

    const closed = new Set(spec.nonSchoolDays.map(dayNumber));
    this.#indexByDay = new Int32Array(span).fill(-1);
    this.#halfTermByDay = new Int8Array(span).fill(-1);
    const schoolDays: number[] = [];
    this.halfTerms.forEach((h, i) => {
      for (let d = dayNumber(h.start); d <= dayNumber(h.end); d++) {
        const offset = d - this.#firstDayNumber;
        this.#halfTermByDay[offset] = i;
        if (isWeekend(d) || closed.has(d)) continue;
        this.#indexByDay[offset] = schoolDays.length;
        schoolDays.push(d);
      }
    });
    this.#schoolDays = Int32Array.from(schoolDays);
  }

  /** How many school days the year has. */
  get schoolDayCount(): number {
    return this.#schoolDays.length;
  }

  /** True when `date` falls inside this calendar's year (first to last day of the half-terms). */
  covers(date: IsoDate): boolean {
    const offset = dayNumber(date) - this.#firstDayNumber;
    return offset >= 0 && offset < this.#indexByDay.length;
  }

  /**
   * True when pupils are expected in school on `date`: inside a half-term, a weekday, and not
   * an INSET day, bank holiday or closure.
   * @example calendar.isSchoolDay('2025-10-27') // false: half-term holiday
   */
  isSchoolDay(date: IsoDate): boolean {
    return this.schoolDayIndex(date) >= 0;
  }

  /** The position of `date` among the year's school days (0 = first), or -1 when it is not one. */
  schoolDayIndex(date: IsoDate): number {
    const offset = dayNumber(date) - this.#firstDayNumber;
    return this.#indexByDay[offset] ?? -1;
  }

  /** The school day at a position in the year (0 = first). */
  schoolDayAt(index: number): IsoDate {
    const day = this.#schoolDays[index];
    if (day === undefined) {
      throw new OutsideCalendarError(
        `school day ${index + 1} is outside the ${this.academicYear} calendar, which has ${this.schoolDayCount} school days`,
      );
    }
    return isoDate(day);
  }

  /** How many school days fall on or before `date` in this year (0 before the first). */
  schoolDaysUpTo(date: IsoDate): number {
    const offset = dayNumber(date) - this.#firstDayNumber;
    if (offset < 0) return 0;
    if (offset >= this.#indexByDay.length) return this.schoolDayCount;
    // Walk back to the nearest school day; at most a holiday's length.
    for (let o = offset; o >= 0; o--) {
      const index = this.#indexByDay[o] as number;
      if (index >= 0) return index + 1;
    }
    return 0;
  }

  /**
   * The number of school days after `from`, up to and including `to`; negative when `to` is
   * earlier. The inverse of {@link addSchoolDays}: `schoolDaysBetween(d, addSchoolDays(d, n)) === n`
   * for a school day `d`.
   * @example calendar.schoolDaysBetween('2025-10-24', '2025-11-04') // 2 when 3 Nov is INSET
   */
  schoolDaysBetween(from: IsoDate, to: IsoDate): number {
    return this.schoolDaysUpTo(to) - this.schoolDaysUpTo(from);
  }

  /**
   * The `n`th school day after `date` (before it when `n` is negative). With `n = 0`, `date`
   * itself when it is a school day, otherwise the next school day.
   * @throws OutsideCalendarError when the answer lies outside this calendar's year.
   * @example calendar.addSchoolDays('2025-10-02', 15) // 15 school days later, skipping holidays
   */
  addSchoolDays(date: IsoDate, n: number): IsoDate {
    const index = this.schoolDayIndex(date);
    // From a non-school day, the 1st school day after is the next one, and the 1st before is the previous one.
    const next = index >= 0 ? index : this.schoolDaysUpTo(date);
    const target = index < 0 && n > 0 ? next + n - 1 : next + n;
    if (target < 0 || target >= this.schoolDayCount) {
      throw new OutsideCalendarError(
        `${Math.abs(n)} school days ${n < 0 ? 'before' : 'after'} ${date} is outside the ${this.academicYear} calendar (${this.firstDay} to ${this.lastDay}); count it on the neighbouring year's calendar`,
      );
    }
    return this.schoolDayAt(target);
  }

  /** The half-term `date` falls in, or undefined in a holiday or outside the year. */
  halfTermOf(date: IsoDate): HalfTerm | undefined {
    const offset = dayNumber(date) - this.#firstDayNumber;
    const i = this.#halfTermByDay[offset] ?? -1;
    return i >= 0 ? this.halfTerms[i] : undefined;
  }

  /** The term `date` falls in (the term of its half-term), or undefined in a holiday. */
  termOf(date: IsoDate): Term | undefined {
    return this.halfTermOf(date)?.term;
  }

  /** The half-term in progress on `date`, or the last one to have started (in a holiday). */
  latestHalfTermBy(date: IsoDate): HalfTerm | undefined {
    let latest: HalfTerm | undefined;
    for (const h of this.halfTerms) if (h.start <= date) latest = h;
    return latest;
  }

  /** The school days of a half-term. */
  schoolDaysIn(halfTerm: HalfTerm): IsoDate[] {
    const from = this.schoolDaysUpTo(halfTerm.start) - (this.isSchoolDay(halfTerm.start) ? 1 : 0);
    const to = this.schoolDaysUpTo(halfTerm.end);
    return Array.from(this.#schoolDays.subarray(from, to), isoDate);
  }

  /**
   * Lays an exclusion of `sessions` registration sessions onto the school days it covers,
   * starting at `start` / `startSession` and skipping weekends, holidays, INSET days and closures.
   * Sessions that would fall after the end of the year are returned as `beyondYear`.
   * @throws RangeError when `start` is not a school day.
   * @example calendar.laySessions('2025-10-23', 'PM', 4) // Thu PM, Fri AM+PM, then the Mon AM after half-term
   */
  laySessions(
    start: IsoDate,
    startSession: Session,
    sessions: number,
  ): { covered: SchoolSession[]; beyondYear: number } {
    const first = this.sessionSlot(start, startSession);
    const lastSlot = this.schoolDayCount * 2;
    const covered: SchoolSession[] = [];
    for (let slot = first; slot < first + sessions && slot < lastSlot; slot++) covered.push(this.sessionAt(slot));
    return { covered, beyondYear: Math.max(0, first + sessions - lastSlot) };
  }

  /**
   * The position of a session on the year's timeline of sessions (school day index × 2, + 1 for PM).
   * @throws RangeError when `date` is not a school day.
   */
  sessionSlot(date: IsoDate, session: Session): number {
    const index = this.schoolDayIndex(date);
    if (index < 0) throw new RangeError(`${longDate(date)} is not a school day in the ${this.academicYear} calendar`);
    return index * 2 + (session === 'PM' ? 1 : 0);
  }

  /** The session at a position on the year's timeline of sessions. */
  sessionAt(slot: number): SchoolSession {
    return { date: this.schoolDayAt(Math.floor(slot / 2)), session: slot % 2 === 0 ? 'AM' : 'PM' };
  }

  /** The data this calendar was built from, in the JSON interchange format. */
  toSpec(): CalendarSpec {
    const nonSchoolDays: IsoDate[] = [];
    this.#indexByDay.forEach((index, offset) => {
      const day = this.#firstDayNumber + offset;
      if (index < 0 && !isWeekend(day) && this.#halfTermByDay[offset] !== -1) nonSchoolDays.push(isoDate(day));
    });
    return {
      academicYear: this.academicYear,
      name: this.name,
      example: this.example,
      halfTerms: this.halfTerms,
      nonSchoolDays,
    };
  }
}
