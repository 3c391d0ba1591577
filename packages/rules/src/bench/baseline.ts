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

/** The triggers this baseline implements (the default pack's, as of 2025/26). */
export const BASELINE_TRIGGERS: ReadonlySet<string> = new Set([
  'attendance.persistent-absence', 'attendance.severe-absence', 'ebsna.referral-suggested', 'looked-after.contact-virtual-school', 'peap.required',
  'send.consider-ehcp-review', 'statutory.alternative-provision-from-day-6', 'statutory.annual-limit-approaching', 'statutory.annual-limit-exceeded',
  'statutory.governors-must-review', 'statutory.governors-review-on-request', 'statutory.notify-governing-board', 'statutory.notify-local-authority',
  'statutory.notify-parents', 'statutory.notify-social-worker', 'statutory.notify-virtual-school-head',
]);

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

// --- Reading a record by hand: the baseline's own parse and validation, for a like-for-like
// benchmark from bytes. It refuses (undefined) what the library would refuse — a key given twice,
// an unknown field, a bad code, date, number or length — but says nothing about why.

const REASON_CODES = new Set(['PP', 'PA', 'VP', 'VA', 'OW', 'BU', 'RA', 'LG', 'DS', 'SM', 'DA', 'DM', 'TH', 'MT', 'PH', 'DB', 'PD', 'OT']);
const MARK_CODES = new Set([...ATTENDING, ...ABSENT, 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'X', 'D', 'Z', '#']);
const INDICATOR_CODES = new Set(['anxiety', 'somatic-complaints', 'separation-distress', 'day-or-subject-pattern', 'low-mood', 'social-difficulties']);
const CATEGORY_OF: Readonly<Record<string, 'PERM' | 'FIXD' | 'LNCH'>> = { PERM: 'PERM', FIXD: 'FIXD', SUSP: 'FIXD', LNCH: 'LNCH' };
const MOVEMENT_KINDS = ['offSiteDirections', 'managedMoves', 'safeguardingSeparations', 'partTimeTimetables'] as const;
const TOP_FIELDS = new Set(['format', 'id', 'schoolId', 'joinedOn', 'leftOn', 'yearGroup', 'sex', 'ethnicity', 'send', 'lookedAfter', 'hasSocialWorker', 'fsm', 'atRiskOfPermanentExclusion', 'priorSchoolSuspensionDays', 'exclusions', 'attendance', 'ebsnaIndicators', 'hasFurtherPublicExams', ...MOVEMENT_KINDS]);
const EXCLUSION_FIELDS = new Set(['id', 'category', 'startDate', 'startSession', 'sessions', 'lunchtimes', 'reasons', 'cancelled', 'missesPublicExam']);
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ATTENDEES = new Set(['headteacher', 'parents', 'trust-nominee', 'local-authority', 'governing-board', 'management-committee']);
type FieldType = 'id' | 'date' | 'flag' | 'name' | 'number' | 'list';
const MOVEMENT_SPECS: Readonly<Record<(typeof MOVEMENT_KINDS)[number], { fields: Readonly<Record<string, FieldType>>; required: readonly string[]; order: readonly (readonly [string, string])[] }>> = {
  offSiteDirections: {
    fields: { id: 'id', startDate: 'date', plannedEndDate: 'date', endedOn: 'date', sessionsPerWeek: 'number', provider: 'name', noticeGivenOn: 'date', reviews: 'list', reviewRequests: 'list', precedesManagedMove: 'flag' },
    required: ['id', 'startDate', 'provider'],
    order: [['startDate', 'plannedEndDate'], ['startDate', 'endedOn']],
  },
  managedMoves: {
    fields: { id: 'id', agreedOn: 'date', receivingSchool: 'name', offRollOn: 'date', plannedTrial: 'flag', returnedOn: 'date' },
    required: ['id', 'agreedOn', 'receivingSchool'],
    order: [['agreedOn', 'offRollOn'], ['agreedOn', 'returnedOn']],
  },
  safeguardingSeparations: {
    fields: { id: 'id', startDate: 'date', endDate: 'date', dslDecidedOn: 'date', localAuthorityToldOn: 'date' },
    required: ['id', 'startDate', 'dslDecidedOn'],
    order: [['startDate', 'endDate']],
  },
  partTimeTimetables: {
    fields: { id: 'id', startDate: 'date', plannedEndDate: 'date', endedOn: 'date', hoursPerWeek: 'number', parentsConsentedOn: 'date', reviewsHeldOn: 'list', reportedToLocalAuthorityOn: 'date' },
    required: ['id', 'startDate'],
    order: [['startDate', 'plannedEndDate'], ['startDate', 'endedOn']],
  },
};

function realDate(v: unknown): v is IsoDate {
  if (typeof v !== 'string' || v.length !== 10 || v[4] !== '-' || v[7] !== '-') return false;
  for (let i = 0; i < 10; i++) if (i !== 4 && i !== 7 && !(v.charCodeAt(i) >= 48 && v.charCodeAt(i) <= 57)) return false;
  const key = dateKey(v);
  const year = Math.floor(key / 372);
  const month = Math.floor(key / 31) % 12;
  const day = (key % 31) + 1;
  if (!(year >= 1990 && year <= 2199) || !(month >= 0 && month < 12) || day > DAYS_IN_MONTH[month]!) return false;
  return month !== 1 || day < 29 || (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0));
}

function printableId(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 64) return false;
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x21 || v.charCodeAt(i) > 0x7e) return false;
  return true;
}

/** Keys written in the text (strings followed by a colon), to compare with the keys JSON.parse kept. */
function keysWritten(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 34) continue;
    for (i++; text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    let j = i + 1;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13) j++;
    if (text.charCodeAt(j) === 58) n++;
  }
  return n;
}

/**
 * Pupil movement (issue 12), checked by hand as the library checks it — fields, ids, dates and
 * their order, codes and bounds — though no baseline trigger reads it. Returns the keys counted
 * (for the repeated-key check), or -1 when invalid.
 */
function movementKeys(kind: (typeof MOVEMENT_KINDS)[number], list: unknown): number {
  if (!Array.isArray(list) || list.length > 100) return -1;
  const spec = MOVEMENT_SPECS[kind];
  const ids = new Set<string>();
  let keys = 0;
  for (const m of list as Record<string, unknown>[]) {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) return -1;
    for (const k in m) {
      if (!(k in spec.fields)) return -1;
      keys++;
      const v = m[k];
      const type = spec.fields[k]!;
      if (type === 'date' ? !realDate(v) : type === 'flag' ? typeof v !== 'boolean' : type === 'name' ? !(typeof v === 'string' && v.length >= 1 && v.length <= 120 && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(v)) : false) return -1;
    }
    if (!printableId(m.id) || ids.has(m.id) || spec.required.some((f) => m[f] === undefined)) return -1;
    ids.add(m.id);
    for (const [earlier, later] of spec.order) if (m[later] !== undefined && (m[later] as string) < (m[earlier] as string)) return -1;
    if (m.sessionsPerWeek !== undefined && !(Number.isInteger(m.sessionsPerWeek) && (m.sessionsPerWeek as number) >= 1 && (m.sessionsPerWeek as number) <= 10)) return -1;
    if (m.hoursPerWeek !== undefined && !(typeof m.hoursPerWeek === 'number' && m.hoursPerWeek >= 0 && m.hoursPerWeek <= 32.5)) return -1;
    for (const k of ['reviews', 'reviewRequests', 'reviewsHeldOn'] as const) {
      const items = m[k];
      if (items === undefined) continue;
      if (!Array.isArray(items) || items.length > 200) return -1;
      for (const item of items as unknown[]) {
        if (k === 'reviewsHeldOn') {
          if (!realDate(item)) return -1;
          continue;
        }
        if (typeof item !== 'object' || item === null) return -1;
        const r = item as Record<string, unknown>;
        for (const f in r) {
          if (!(k === 'reviews' ? f === 'heldOn' || f === 'attendees' : f === 'requestedOn' || f === 'by')) return -1;
          keys++;
        }
        if (k === 'reviews' && (!realDate(r.heldOn) || (r.attendees !== undefined && !(Array.isArray(r.attendees) && r.attendees.length <= 12 && r.attendees.every((a) => ATTENDEES.has(a as string)))))) return -1;
        if (k === 'reviewRequests' && (!realDate(r.requestedOn) || (r.by !== 'parents' && r.by !== 'local-authority'))) return -1;
      }
    }
  }
  return keys;
}

/**
 * One NDJSON line to a record, by hand; undefined when it is not a valid record. Calendar fit
 * is checked by {@link BaselineRules.evaluate} (an exclusion must start on a school day).
 */
export function readByHand(line: string): PupilRecord | undefined {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) return undefined;
  let keys = 0;
  for (const k in j) {
    if (!TOP_FIELDS.has(k)) return undefined;
    keys++;
  }
  if (!printableId(j.id) || !printableId(j.schoolId)) return undefined;
  if (j.format !== undefined && j.format !== 'pupil-record/1') return undefined;
  if ((j.joinedOn !== undefined && !realDate(j.joinedOn)) || (j.leftOn !== undefined && !realDate(j.leftOn))) return undefined;
  if (j.yearGroup !== undefined && !(Number.isInteger(j.yearGroup) && (j.yearGroup as number) >= 0 && (j.yearGroup as number) <= 14)) return undefined;
  if (j.sex !== undefined && j.sex !== 'F' && j.sex !== 'M' && j.sex !== 'U') return undefined;
  if (j.ethnicity !== undefined && !(typeof j.ethnicity === 'string' && /^[A-Z]{4}$/.test(j.ethnicity))) return undefined;
  const send = j.send ?? 'none';
  if (send !== 'none' && send !== 'K' && send !== 'E') return undefined;
  for (const flag of ['lookedAfter', 'hasSocialWorker', 'fsm', 'atRiskOfPermanentExclusion'] as const) if (j[flag] !== undefined && typeof j[flag] !== 'boolean') return undefined;
  const prior = j.priorSchoolSuspensionDays ?? 0;
  if (typeof prior !== 'number' || prior < 0 || prior > 45 || !Number.isInteger(prior * 2)) return undefined;

  const exclusions: PupilRecord['exclusions'][number][] = [];
  const exclusionIds = new Set<string>();
  for (const e of (j.exclusions ?? []) as Record<string, unknown>[]) {
    if (typeof e !== 'object' || e === null) return undefined;
    for (const k in e) {
      if (!EXCLUSION_FIELDS.has(k)) return undefined;
      keys++;
    }
    const category = typeof e.category === 'string' ? CATEGORY_OF[e.category] : undefined;
    const reasons = e.reasons as unknown[];
    if (!printableId(e.id) || exclusionIds.has(e.id) || !category || !realDate(e.startDate)) return undefined;
    if (!Array.isArray(reasons) || reasons.length < 1 || reasons.length > 3 || !reasons.every((r) => REASON_CODES.has(r as string))) return undefined;
    const session = e.startSession ?? 'AM';
    if (session !== 'AM' && session !== 'PM') return undefined;
    const length = category === 'LNCH' ? e.lunchtimes : e.sessions;
    if ((category === 'LNCH' ? e.sessions : e.lunchtimes) !== undefined) return undefined;
    if (length === undefined ? category !== 'PERM' : !(Number.isInteger(length) && (length as number) >= 1 && (length as number) <= 90)) return undefined;
    if ((e.cancelled !== undefined && typeof e.cancelled !== 'boolean') || (e.missesPublicExam !== undefined && typeof e.missesPublicExam !== 'boolean')) return undefined;
    exclusionIds.add(e.id);
    exclusions.push({
      id: e.id,
      category,
      startDate: e.startDate,
      startSession: session,
      ...(category === 'LNCH' ? { lunchtimes: length as number } : length === undefined ? {} : { sessions: length as number }),
      reasons: reasons as PupilRecord['exclusions'][number]['reasons'],
      cancelled: e.cancelled === true,
      missesPublicExam: e.missesPublicExam === true,
    });
  }
  const days = new Set<string>();
  for (const a of (j.attendance ?? []) as Record<string, unknown>[]) {
    if (typeof a !== 'object' || a === null) return undefined;
    for (const k in a) {
      if (k !== 'date' && k !== 'am' && k !== 'pm') return undefined;
      keys++;
    }
    if (!realDate(a.date) || days.has(a.date)) return undefined;
    if ((a.am !== undefined && !MARK_CODES.has(a.am as string)) || (a.pm !== undefined && !MARK_CODES.has(a.pm as string))) return undefined;
    days.add(a.date);
  }
  const indicators = (j.ebsnaIndicators ?? []) as unknown[];
  if (!Array.isArray(indicators) || !indicators.every((i) => INDICATOR_CODES.has(i as string))) return undefined;
  if (j.hasFurtherPublicExams !== undefined && typeof j.hasFurtherPublicExams !== 'boolean') return undefined;
  for (const kind of MOVEMENT_KINDS) {
    if (j[kind] === undefined) continue;
    const counted = movementKeys(kind, j[kind]);
    if (counted < 0) return undefined;
    keys += counted;
  }
  if (keys !== keysWritten(line)) return undefined; // a key given twice
  return {
    ...(j as object),
    send,
    lookedAfter: j.lookedAfter === true,
    hasSocialWorker: j.hasSocialWorker === true,
    fsm: j.fsm === true,
    atRiskOfPermanentExclusion: j.atRiskOfPermanentExclusion === true,
    priorSchoolSuspensionDays: prior,
    exclusions,
    attendance: (j.attendance ?? []) as PupilRecord['attendance'],
    ebsnaIndicators: indicators,
  } as PupilRecord;
}
