/**
 * A hand-written TypeScript implementation of the default rule pack's triggers, for the
 * benchmark: the same triggers as the JSON rules, computed directly with plain loops over a
 * pupil's exclusions and attendance. It shares nothing with the library's fact derivation
 * (facts.ts), fact catalogue or mark tables: it reads only the parsed record and the
 * calendar's school-day positions, so agreement between the two is a real cross-check.
 *
 * Counting is in whole units — sessions (half school days) and possible/attended sessions —
 * so thresholds such as "more than 5 school days" or "10% or more missed" are integer
 * comparisons with no floating point.
 *
 * Triggers, as the rule files define them (shared/domain.md §4):
 * - per exclusion: statutory.notify-parents, statutory.notify-local-authority (every exclusion
 *   since Sep 2022; before, PERM / term total > 5 days / public exam), statutory.notify-social-worker,
 *   statutory.notify-virtual-school-head, statutory.notify-governing-board (PERM, term total
 *   > 5 days, public exam), statutory.governors-must-review (PERM, term total > 15, public exam),
 *   statutory.governors-review-on-request (5 < term total ≤ 15, not PERM, no public exam),
 *   statutory.alternative-provision-from-day-6 (the back-to-back run is past its fifth day by the
 *   end of this exclusion, counting days after the year's end: so this exclusion and every later
 *   one in the run), send.consider-ehcp-review (EHC plan);
 * - per half-term: peap.required (≥ 2 suspensions started in it, lunchtimes included; or the
 *   at-risk flag in the current half-term);
 * - per pupil: attendance.persistent-absence (≥ 10% missed, ≥ 10 possible sessions),
 *   attendance.severe-absence (≥ 50%), ebsna.referral-suggested (attendance < 90% over the last
 *   30 school days and ≥ 1 indicator; once per half-term), statutory.annual-limit-approaching
 *   (35 to 45 days), statutory.annual-limit-exceeded (> 45 days),
 *   looked-after.contact-virtual-school (looked after and excluded this year or at risk),
 *   send.consider-ehcp-review (EHC plan and flagged at risk of permanent exclusion; per year).
 */
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import type { IsoDate } from '../dates.js';
import type { PupilRecord } from '../pupilRecord.js';

export interface Fired {
  readonly trigger: string;
  readonly period: string;
}

/** How a mark counts (DfE, from 19 Aug 2024): attending, absent, or not a possible session. */
const ATTENDING = new Set(['/', '\\', 'L', 'K', 'V', 'P', 'W', 'B']);
const ABSENT = new Set(['C1', 'M', 'J1', 'S', 'C2', 'C', 'T', 'R', 'I', 'E', 'G', 'N', 'O', 'U']);
// Q, Y1–Y7, X, D (not possible) and Z, # (administrative) count for neither.
const NOT_COUNTED = 0;
const COUNTS_ABSENT = 1;
const COUNTS_ATTENDING = 2;

/** Class of each mark by its character code, for one-character marks (two-character ones are looked up). */
const CLASS_BY_CHAR = new Uint8Array(128);
const CLASS_OF_LONG = new Map<string, number>();
for (const [marks, c] of [[ATTENDING, COUNTS_ATTENDING], [ABSENT, COUNTS_ABSENT]] as const) {
  for (const m of marks) {
    if (m.length === 1) CLASS_BY_CHAR[m.charCodeAt(0)] = c;
    else CLASS_OF_LONG.set(m, c);
  }
}

/** How a (validated) mark counts; an unknown or missing mark counts for nothing. */
function classOf(mark: string | undefined): number {
  if (mark === undefined) return NOT_COUNTED;
  if (mark.length === 1) return CLASS_BY_CHAR[mark.charCodeAt(0) & 127]!;
  return CLASS_OF_LONG.get(mark) ?? NOT_COUNTED;
}

/** The LA notification rule changed on 1 Sep 2022 (every suspension since). */
const LA_EVERY_EXCLUSION_FROM: IsoDate = '2022-09-01';
/** The social worker and virtual school head duties start on 1 Sep 2022. */
const SOCIAL_WORKER_AND_VSH_FROM: IsoDate = '2022-09-01';

const EBSNA_WINDOW_DAYS = 30;
/** In half school days (sessions): 35, 45, 5 and 15 school days, and 5 days before the sixth. */
const WARN_AT = 70;
const ANNUAL_LIMIT = 90;
const TERM_NOTIFY = 10;
const TERM_MUST_REVIEW = 30;
const SIXTH_DAY = 10;

export class BaselineRules {
  readonly #calendar: SchoolCalendar;
  readonly #asOf: IsoDate;
  readonly #year: string;
  /** The key ({@link dateKey}) of the calendar's first day; the table below is indexed from it. */
  readonly #firstKey: number;
  /** For each date key from the first day's to the last day's: its school-day index, or -1. */
  readonly #indexByKey: Int32Array;
  /** Term (0–2) of each school day. */
  readonly #termOfDay: Uint8Array;
  readonly #sessionsInYear: number;
  /** School days up to and including asOf. */
  readonly #daysToDate: number;
  readonly #halfTerms: { start: IsoDate; end: IsoDate; period: string; current: boolean }[];
  readonly #currentHalfTermPeriod: string;

  constructor(calendar: SchoolCalendar, asOf: IsoDate) {
    this.#calendar = calendar;
    this.#asOf = asOf;
    this.#year = calendar.academicYear;
    const n = calendar.schoolDayCount;
    this.#sessionsInYear = 2 * n;
    this.#termOfDay = new Uint8Array(n);
    const termNumber = { autumn: 0, spring: 1, summer: 2 } as const;
    this.#firstKey = dateKey(calendar.firstDay);
    this.#indexByKey = new Int32Array(dateKey(calendar.lastDay) - this.#firstKey + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const date = calendar.schoolDayAt(i);
      this.#indexByKey[dateKey(date) - this.#firstKey] = i;
      const term = calendar.termOf(date);
      if (term === undefined) throw new Error(`school day ${date} outside every half-term`);
      this.#termOfDay[i] = termNumber[term];
    }
    this.#daysToDate = calendar.schoolDaysUpTo(asOf);
    const started = calendar.halfTerms.filter((h) => h.start <= asOf);
    this.#halfTerms = started.map((h, i) => ({ start: h.start, end: h.end, period: `${this.#year} ${h.name}`, current: i === started.length - 1 }));
    this.#currentHalfTermPeriod = `${this.#year} ${started[started.length - 1]?.name ?? 'before term'}`;
  }

  /** The school-day index of a (validated) date, or -1 when it is not a school day of this year. */
  #indexOf(date: IsoDate): number {
    const offset = dateKey(date) - this.#firstKey;
    return offset >= 0 && offset < this.#indexByKey.length ? this.#indexByKey[offset]! : -1;
  }

  /** The `{ trigger, period }` pairs the default pack fires for one parsed record on asOf. */
  evaluate(record: PupilRecord): Fired[] {
    const out: Fired[] = [];
    const asOf = this.#asOf;
    const { firstDay, lastDay } = this.#calendar;

    // --- exclusions counted: not cancelled, starting in this year, on or before asOf; in session order.
    const counted: { e: PupilRecord['exclusions'][number]; slot: number }[] = [];
    for (const e of record.exclusions) {
      if (e.cancelled || e.startDate < firstDay || e.startDate > lastDay || e.startDate > asOf) continue;
      const day = this.#indexOf(e.startDate);
      if (day < 0) throw new Error(`pupil ${record.id}: exclusion ${e.id} starts on ${e.startDate}, not a school day`);
      counted.push({ e, slot: 2 * day + (e.startSession === 'PM' ? 1 : 0) });
    }
    counted.sort((a, b) => a.slot - b.slot || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));

    const termHalfDays = [0, 0, 0];
    let runStart = -1;
    let runEnd = -1;
    let suspensionHalfDays = 0;
    for (const { e, slot } of counted) {
      const startDay = slot >> 1;
      const startTerm = this.#termOfDay[startDay]!;
      const touched = [false, false, false];
      touched[startTerm] = true;
      let end = slot; // exclusive end slot of a FIXD/PERM, past the year's end if it runs on
      if (e.category === 'FIXD') {
        end = slot + (e.sessions ?? 0);
        const endInYear = Math.min(end, this.#sessionsInYear);
        for (let s = slot; s < endInYear; s++) {
          const t = this.#termOfDay[s >> 1]!;
          termHalfDays[t]!++;
          touched[t] = true;
          suspensionHalfDays++;
        }
      } else if (e.category === 'LNCH') {
        const last = Math.min(startDay + (e.lunchtimes ?? 0), this.#sessionsInYear / 2);
        for (let d = startDay; d < last; d++) {
          const t = this.#termOfDay[d]!;
          termHalfDays[t]!++;
          touched[t] = true;
          suspensionHalfDays++;
        }
      } else {
        end = Math.min(slot + (e.sessions ?? this.#sessionsInYear - slot), this.#sessionsInYear);
      }
      let termTotal = 0;
      for (let t = 0; t < 3; t++) if (touched[t] && termHalfDays[t]! > termTotal) termTotal = termHalfDays[t]!;

      // Back-to-back exclusion (not lunchtimes): a run continues when this one starts by the run's end.
      // `through`: sessions excluded back to back from the run's start to the end of this exclusion.
      let through = 0;
      if (e.category !== 'LNCH') {
        if (runEnd >= 0 && slot <= runEnd) runEnd = Math.max(runEnd, end);
        else {
          runStart = slot;
          runEnd = end;
        }
        through = end - runStart;
      }

      const permanent = e.category === 'PERM';
      const exam = e.missesPublicExam;
      const period = e.id;
      const fire = (trigger: string) => out.push({ trigger, period });
      if (through > SIXTH_DAY) fire('statutory.alternative-provision-from-day-6');
      if (permanent || termTotal > TERM_MUST_REVIEW || exam) fire('statutory.governors-must-review');
      if (termTotal > TERM_NOTIFY && termTotal <= TERM_MUST_REVIEW && !permanent && !exam) fire('statutory.governors-review-on-request');
      if (permanent || termTotal > TERM_NOTIFY || exam) fire('statutory.notify-governing-board');
      if (e.startDate >= LA_EVERY_EXCLUSION_FROM || permanent || termTotal > TERM_NOTIFY || exam) fire('statutory.notify-local-authority');
      fire('statutory.notify-parents');
      if (record.hasSocialWorker && e.startDate >= SOCIAL_WORKER_AND_VSH_FROM) fire('statutory.notify-social-worker');
      if (record.lookedAfter && e.startDate >= SOCIAL_WORKER_AND_VSH_FROM) fire('statutory.notify-virtual-school-head');
      if (record.send === 'E') fire('send.consider-ehcp-review');
    }

    // --- half-terms: PEAP.
    for (const h of this.#halfTerms) {
      let suspensions = 0;
      for (const { e } of counted) if (e.category !== 'PERM' && e.startDate >= h.start && e.startDate <= h.end) suspensions++;
      if (suspensions >= 2 || (h.current && record.atRiskOfPermanentExclusion)) out.push({ trigger: 'peap.required', period: h.period });
    }

    // --- the pupil, year to date.
    const year = this.#year;
    const totalHalfDays = 2 * record.priorSchoolSuspensionDays + suspensionHalfDays;
    if (totalHalfDays >= WARN_AT && totalHalfDays <= ANNUAL_LIMIT) out.push({ trigger: 'statutory.annual-limit-approaching', period: year });
    if (totalHalfDays > ANNUAL_LIMIT) out.push({ trigger: 'statutory.annual-limit-exceeded', period: year });
    if (record.lookedAfter && (counted.length > 0 || record.atRiskOfPermanentExclusion)) out.push({ trigger: 'looked-after.contact-virtual-school', period: year });
    if (record.send === 'E' && record.atRiskOfPermanentExclusion) out.push({ trigger: 'send.consider-ehcp-review', period: year });

    const toDate = this.#daysToDate;
    const windowFrom = Math.max(0, toDate - EBSNA_WINDOW_DAYS);
    let possible = 0;
    let attended = 0;
    let windowPossible = 0;
    let windowAttended = 0;
    for (const day of record.attendance) {
      const index = this.#indexOf(day.date);
      if (index < 0 || index >= toDate) continue;
      // Each session: 0 not counted, 1 absent, 2 attending.
      const am = classOf(day.am);
      const pm = classOf(day.pm);
      const p = (am !== NOT_COUNTED ? 1 : 0) + (pm !== NOT_COUNTED ? 1 : 0);
      const a = (am === COUNTS_ATTENDING ? 1 : 0) + (pm === COUNTS_ATTENDING ? 1 : 0);
      possible += p;
      attended += a;
      if (index >= windowFrom) {
        windowPossible += p;
        windowAttended += a;
      }
    }
    const missed = possible - attended;
    if (possible >= 10 && missed * 10 >= possible) out.push({ trigger: 'attendance.persistent-absence', period: year });
    if (possible >= 10 && missed * 2 >= possible) out.push({ trigger: 'attendance.severe-absence', period: year });
    // attendance% < 90  ⇔  100·a/p < 90  ⇔  10·a < 9·p
    if (windowPossible > 0 && 10 * windowAttended < 9 * windowPossible && record.ebsnaIndicators.length >= 1) {
      out.push({ trigger: 'ebsna.referral-suggested', period: this.#currentHalfTermPeriod });
    }
    return out;
  }
}

/**
 * A key for a `YYYY-MM-DD` date already validated by the record schema, read digit by digit
 * (no regular expression, no Date object): 31 slots a month, so keys keep date order and a
 * year of dates fits a table of ~400 entries.
 */
function dateKey(date: IsoDate): number {
  const digit = (i: number) => date.charCodeAt(i) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  return (year * 12 + month - 1) * 31 + day - 1;
}
