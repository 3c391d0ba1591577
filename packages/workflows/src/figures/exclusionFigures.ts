/**
 * What pupils' records show for a report period: suspension incidents, children suspended,
 * children permanently excluded, lunchtime incidents, school days lost to suspension, children
 * suspended twice or more, children out 15 days or more in a term — each overall and by reason,
 * sex, key stage, year group, SEND, FSM, in care and ethnicity — and the pupils on roll that
 * rates are per 100 of. One pupil with three suspensions is three incidents and one child.
 *
 * Exclusions count by the date they started, in the period of the pupil's school, whatever the
 * pupil's status now: a pupil who has left since still counts, because their record stays in the
 * store. The roll counts the pupils on roll at any point in the period — joined by its end (or no
 * `joinedOn`) and not left before its start (`leftOn`) — so a leaver is on the roll of the periods
 * they were on roll in, and not after; unless the school's roll is given.
 */
import {
  derivePupilFacts,
  EXCLUSION_REASONS,
  InputError,
  onRollDuring,
  TERMS,
  type ExclusionFacts,
  type Problem,
  type PupilRecord,
  type SchoolCalendar,
} from '@before-exclusion/rules';
import { breakdownSums, type Address, type MeasureRow, type MeasureSum } from './figures.js';
import type { Period } from './reportPeriod.js';

export const BREAKDOWNS = ['total', 'reason', 'sex', 'key-stage', 'year-group', 'send', 'fsm', 'looked-after', 'ethnicity'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];
/** Breakdowns into groups of pupils: each pupil in exactly one category, so each adds up to the total. */
export type PupilGroup = Exclude<Breakdown, 'total' | 'reason'>;
export const PUPIL_GROUPS: readonly PupilGroup[] = ['sex', 'key-stage', 'year-group', 'send', 'fsm', 'looked-after', 'ethnicity'];

export const EXCLUSION_MEASURES = [
  'suspension-incidents',
  'children-suspended',
  'children-permanently-excluded',
  'lunchtime-incidents',
  'suspension-days-lost',
  'children-with-2-or-more-suspensions',
  'children-with-15-or-more-days-in-a-term',
] as const;
export type ExclusionMeasure = (typeof EXCLUSION_MEASURES)[number];

/** The pupils on roll, by the same groups: what rates are per 100 of. */
export const PUPILS_ON_ROLL = 'pupils-on-roll';

/**
 * Councils watch pupils out 15 days or more in a term (shared/domain.md §13): a monitoring
 * threshold, not the statutory one (a board must consider reinstatement past 15 days, which the
 * rule pack holds).
 */
export const DAYS_IN_A_TERM_WATCHED = 15;

/** A pupil's exclusions that started in the report period, laid onto their school's calendar. */
export interface PupilInPeriod {
  readonly record: PupilRecord;
  /** Suspensions (FIXD). */
  readonly suspensions: readonly ExclusionFacts[];
  /** Lunchtime suspensions (LNCH), each lunchtime half a school day. */
  readonly lunchtimeSuspensions: readonly ExclusionFacts[];
  readonly permanentExclusions: readonly ExclusionFacts[];
  /** The most school days of suspension (FIXD and LNCH) in any one term, from these exclusions. */
  readonly mostDaysInATerm: number;
}

/** An exclusion figure, with the number of pupils behind it (days lost about one pupil are withheld like a count of one). */
export interface ExclusionRow extends MeasureRow {
  readonly pupils: number;
}

/** Pupils on roll: the school's whole roll, and by group when the store holds every pupil. */
export interface Roll {
  readonly total: number;
  /** By `breakdown|category`; absent when only the school's total is known (a roll given by hand). */
  readonly groups: ReadonlyMap<string, number> | undefined;
}

/**
 * Lays each pupil's exclusions in their school's period onto the school's calendar for the year
 * (through the rules' {@link derivePupilFacts}: days, and days per term).
 * @throws InputError listing every pupil with exclusions in the period that no calendar held covers.
 */
export function pupilsInPeriod(
  records: readonly PupilRecord[],
  periodOf: (schoolId: string) => Period,
  calendarOf: (schoolId: string) => SchoolCalendar | undefined,
  academicYear: string,
): PupilInPeriod[] {
  const problems: Problem[] = [];
  const pupils: PupilInPeriod[] = [];
  for (const record of records) {
    const { start, end } = periodOf(record.schoolId);
    const inPeriod = record.exclusions.filter((e) => !e.cancelled && e.startDate >= start && e.startDate <= end);
    if (inPeriod.length === 0) {
      pupils.push({ record, suspensions: [], lunchtimeSuspensions: [], permanentExclusions: [], mostDaysInATerm: 0 });
      continue;
    }
    const calendar = calendarOf(record.schoolId);
    if (!calendar) {
      problems.push({ location: `pupil ${record.id}`, field: 'calendar', message: `no ${academicYear} calendar is held for school ${record.schoolId}, which days of suspension are counted on: import it (cases import --pupils FILE --calendar FILE)` });
      continue;
    }
    let laid: readonly ExclusionFacts[];
    try {
      laid = derivePupilFacts(record, calendar, end).exclusions;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      continue;
    }
    const facts = laid.filter((x) => x.startDate >= start);
    for (const e of inPeriod) {
      if (!facts.some((x) => x.id === e.id)) {
        problems.push({ location: `pupil ${record.id}`, field: `exclusion ${e.id}`, message: `starts ${e.startDate}, outside school ${record.schoolId}'s ${calendar.name} calendar (${calendar.firstDay} to ${calendar.lastDay})` });
      }
    }
    const byTerm = TERMS.map((term) => facts.filter((x) => x.isSuspension).reduce((n, x) => n + (x.daysByTerm[term] ?? 0), 0));
    pupils.push({
      record,
      suspensions: facts.filter((x) => x.category === 'FIXD'),
      lunchtimeSuspensions: facts.filter((x) => x.category === 'LNCH'),
      permanentExclusions: facts.filter((x) => x.category === 'PERM'),
      mostDaysInATerm: Math.max(0, ...byTerm),
    });
  }
  if (problems.length > 0) throw new InputError('cannot count the period: some exclusions are not on a calendar held', problems);
  return pupils;
}

/** What one pupil adds to a measure: overall, and to each reason. */
interface Contribution {
  readonly amount: number;
  readonly byReason: ReadonlyMap<string, number>;
}

const incidents = (exclusions: readonly ExclusionFacts[]): Contribution | undefined => {
  if (exclusions.length === 0) return undefined;
  // Each reason given counts: an exclusion for PA and VA is one PA and one VA.
  const byReason = new Map<string, number>();
  for (const reason of exclusions.flatMap((e) => e.reasons)) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  return { amount: exclusions.length, byReason };
};

const child = (exclusions: readonly ExclusionFacts[]): Contribution | undefined =>
  exclusions.length === 0 ? undefined : { amount: 1, byReason: new Map([...new Set(exclusions.flatMap((e) => e.reasons))].map((r) => [r, 1])) };

const daysLost = (exclusions: readonly ExclusionFacts[]): Contribution | undefined => {
  if (exclusions.length === 0) return undefined;
  const byReason = new Map<string, number>();
  for (const e of exclusions) for (const reason of new Set(e.reasons)) byReason.set(reason, (byReason.get(reason) ?? 0) + e.schoolDays);
  return { amount: exclusions.reduce((n, e) => n + e.schoolDays, 0), byReason };
};

const MEASURES: Readonly<Record<ExclusionMeasure, (p: PupilInPeriod) => Contribution | undefined>> = {
  'suspension-incidents': (p) => incidents(p.suspensions),
  'children-suspended': (p) => child(p.suspensions),
  'children-permanently-excluded': (p) => child(p.permanentExclusions),
  'lunchtime-incidents': (p) => incidents(p.lunchtimeSuspensions),
  // Lunchtimes are half a day each, as the 45-day limit counts them.
  'suspension-days-lost': (p) => daysLost([...p.suspensions, ...p.lunchtimeSuspensions]),
  // Suspensions (FIXD) only, like children suspended, so these are some of those children.
  'children-with-2-or-more-suspensions': (p) => (p.suspensions.length >= 2 ? child(p.suspensions) : undefined),
  'children-with-15-or-more-days-in-a-term': (p) => (p.mostDaysInATerm >= DAYS_IN_A_TERM_WATCHED ? child([...p.suspensions, ...p.lunchtimeSuspensions]) : undefined),
};

/**
 * The exclusion figures of one table (a school, or all of them): every measure overall, by reason
 * and by each group of pupils. A group on roll is listed even at zero, so its rate can be set
 * beside the rest's; other categories only where something happened.
 */
export function exclusionFigures(pupils: readonly PupilInPeriod[], roll: Roll): ExclusionRow[] {
  const rows: ExclusionRow[] = [];
  for (const measure of EXCLUSION_MEASURES) {
    const tally = new Map<string, { value: number; pupils: number }>();
    const add = (breakdown: Breakdown, category: string, amount: number) => {
      const key = `${breakdown}|${category}`;
      const t = tally.get(key) ?? { value: 0, pupils: 0 };
      tally.set(key, { value: t.value + amount, pupils: t.pupils + 1 });
    };
    tally.set('total|all', { value: 0, pupils: 0 });
    for (const [key] of roll.groups ?? []) tally.set(key, { value: 0, pupils: 0 });
    for (const pupil of pupils) {
      const c = MEASURES[measure](pupil);
      if (!c) continue;
      add('total', 'all', c.amount);
      for (const [reason, amount] of c.byReason) add('reason', reason, amount);
      for (const group of PUPIL_GROUPS) add(group, categoryOf(pupil.record, group), c.amount);
    }
    for (const [key, t] of tally) {
      const [breakdown, category] = key.split('|') as [Breakdown, string];
      rows.push({ measure, breakdown, category, value: t.value, pupils: t.pupils });
    }
  }
  return rows.sort(inReportOrder);
}

/** The roll rows of one table: pupils on roll overall and, when known, by group. */
export function rollFigures(roll: Roll): ExclusionRow[] {
  const rows: ExclusionRow[] = [{ measure: PUPILS_ON_ROLL, breakdown: 'total', category: 'all', value: roll.total, pupils: roll.total }];
  for (const [key, value] of roll.groups ?? []) {
    const [breakdown, category] = key.split('|') as [Breakdown, string];
    rows.push({ measure: PUPILS_ON_ROLL, breakdown, category, value, pupils: value });
  }
  return rows.sort(inReportOrder);
}

/**
 * The roll of one school for a period: `given` when a roll figure is set for it (the store may
 * hold only some of its pupils), otherwise the pupils held who were on roll at any point in the
 * period (joined by its end, not left before its start), by group.
 */
export function rollOf(records: readonly PupilRecord[], period: Period, given?: number): Roll {
  if (given !== undefined) return { total: given, groups: undefined };
  const onRoll = records.filter((r) => onRollDuring(r, period.start, period.end));
  const groups = new Map<string, number>();
  for (const record of onRoll) {
    for (const group of PUPIL_GROUPS) {
      const key = `${group}|${categoryOf(record, group)}`;
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
  }
  return { total: onRoll.length, groups };
}

/** The roll of several schools together: groups only when every school's are known. */
export function combinedRoll(rolls: readonly Roll[]): Roll {
  const total = rolls.reduce((n, r) => n + r.total, 0);
  if (rolls.some((r) => r.groups === undefined)) return { total, groups: undefined };
  const groups = new Map<string, number>();
  for (const roll of rolls) for (const [key, n] of roll.groups ?? []) groups.set(key, (groups.get(key) ?? 0) + n);
  return { total, groups };
}

/** Pupils on roll in a row's group: the whole roll for the total and for a reason; undefined when not known. */
export function rollBehind(roll: Roll, row: Address): number | undefined {
  if (row.breakdown === 'total' || row.breakdown === 'reason') return roll.total;
  return roll.groups?.get(`${row.breakdown}|${row.category}`);
}

/**
 * How the figures of one table add up: each measure's groups to its total, and each key stage to
 * its year groups. (Reasons do not add up: an exclusion may give up to three.)
 */
export function exclusionSums(rows: readonly Address[]): MeasureSum[] {
  const sums: MeasureSum[] = [];
  for (const measure of [...EXCLUSION_MEASURES, PUPILS_ON_ROLL]) {
    const counts = measure !== 'suspension-days-lost';
    const whole = { measure, breakdown: 'total', category: 'all' };
    sums.push(...breakdownSums(rows, whole, PUPIL_GROUPS, counts));
    const stages = rows.filter((r) => r.measure === measure && r.breakdown === 'key-stage');
    const years = rows.filter((r) => r.measure === measure && r.breakdown === 'year-group');
    for (const stage of stages) {
      sums.push({ whole: stage, parts: years.filter((y) => keyStageOfYear(y.category) === stage.category), counts });
    }
  }
  return sums.filter((s) => s.parts.length > 0);
}

/** A pupil's category in a group breakdown. */
export function categoryOf(pupil: PupilRecord, breakdown: PupilGroup): string {
  switch (breakdown) {
    case 'sex':
      return pupil.sex ?? 'unknown';
    case 'key-stage':
      return keyStage(pupil.yearGroup);
    case 'year-group':
      return yearGroupCategory(pupil.yearGroup);
    case 'send':
      return pupil.send;
    case 'fsm':
      return pupil.fsm ? 'fsm' : 'not-fsm';
    case 'looked-after':
      return pupil.lookedAfter ? 'looked-after' : 'not-looked-after';
    case 'ethnicity':
      return pupil.ethnicity ?? 'unknown';
  }
}

/** The key stage of a national-curriculum year group (0 = Reception). */
export function keyStage(yearGroup: number | undefined): string {
  if (yearGroup === undefined) return 'unknown';
  if (yearGroup === 0) return 'EYFS';
  if (yearGroup <= 2) return 'KS1';
  if (yearGroup <= 6) return 'KS2';
  if (yearGroup <= 9) return 'KS3';
  if (yearGroup <= 11) return 'KS4';
  return 'KS5';
}

function yearGroupCategory(yearGroup: number | undefined): string {
  if (yearGroup === undefined) return 'unknown';
  return yearGroup === 0 ? 'reception' : `year-${yearGroup}`;
}

function keyStageOfYear(category: string): string {
  if (category === 'unknown') return 'unknown';
  return keyStage(category === 'reception' ? 0 : Number(category.slice('year-'.length)));
}

const SEX: Readonly<Record<string, string>> = { F: 'female', M: 'male', U: 'sex not known', unknown: 'sex not recorded' };
const SEND: Readonly<Record<string, string>> = { none: 'no special educational needs', K: 'SEN support', E: 'education, health and care plan' };
const KEY_STAGES: Readonly<Record<string, string>> = {
  EYFS: 'early years (Reception)',
  KS1: 'key stage 1 (years 1–2)',
  KS2: 'key stage 2 (years 3–6)',
  KS3: 'key stage 3 (years 7–9)',
  KS4: 'key stage 4 (years 10–11)',
  KS5: 'key stage 5 (years 12–14)',
  unknown: 'year group not recorded',
};
const OTHER: Readonly<Record<string, string>> = {
  fsm: 'eligible for free school meals',
  'not-fsm': 'not eligible for free school meals',
  'looked-after': 'looked after (in care)',
  'not-looked-after': 'not looked after',
};

/** A category in words, where the code needs them: reasons (the DfE's words), SEND, key stages… */
export function categoryLabel(breakdown: string, category: string): string | undefined {
  switch (breakdown) {
    case 'total':
      return 'all pupils';
    case 'reason':
      return category in EXCLUSION_REASONS ? EXCLUSION_REASONS[category as keyof typeof EXCLUSION_REASONS] : undefined;
    case 'sex':
      return SEX[category];
    case 'send':
      return SEND[category];
    case 'key-stage':
      return KEY_STAGES[category];
    case 'year-group':
      return category === 'reception' ? 'Reception' : category === 'unknown' ? 'year group not recorded' : `Year ${category.slice('year-'.length)}`;
    case 'ethnicity':
      return category === 'unknown' ? 'ethnicity not recorded' : undefined;
    default:
      return OTHER[category];
  }
}

/** Where a category goes among its breakdown's: key stages and year groups in school order, others by name, `unknown` last. */
function categoryRank(breakdown: string, category: string): [number, string] {
  if (category === 'unknown') return [Number.MAX_SAFE_INTEGER, ''];
  if (breakdown === 'key-stage') return [['EYFS', 'KS1', 'KS2', 'KS3', 'KS4', 'KS5'].indexOf(category), ''];
  if (breakdown === 'year-group') return [category === 'reception' ? 0 : Number(category.slice('year-'.length)), ''];
  return [0, category];
}

/** Rows by measure (in the order they are listed, others after by name), breakdown (likewise), then category. */
export function inReportOrder(a: Address, b: Address): number {
  const [ra, sa] = categoryRank(a.breakdown, a.category);
  const [rb, sb] = categoryRank(b.breakdown, b.category);
  return listed(MEASURE_ORDER, a.measure, b.measure) || listed(BREAKDOWNS, a.breakdown, b.breakdown) || ra - rb || byName(sa, sb);
}

const MEASURE_ORDER: readonly string[] = [...EXCLUSION_MEASURES, PUPILS_ON_ROLL];

function listed(list: readonly string[], x: string, y: string): number {
  const at = (v: string) => (list.includes(v) ? list.indexOf(v) : list.length);
  return at(x) - at(y) || byName(x, y);
}

function byName(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
