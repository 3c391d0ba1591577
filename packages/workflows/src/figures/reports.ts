/**
 * The figures inclusion officers report, academic-year-to-date to the end of a quarter or of a
 * term, per school and for all of them together: suspension incidents, children suspended and
 * permanently excluded, days lost, repeat suspensions and pupils out 15 days in a term — broken
 * down by reason, sex, key stage, year group, SEND, FSM, in care and ethnicity, with rates per
 * 100 pupils on roll and each group's rate beside the rest of the cohort's — and what the cases
 * show: PEAPs held and their outcomes, statutory duties met on time, late or overdue, EBSNA
 * referrals and outcomes — and pupil movement (off-site directions, managed moves, part-time
 * timetables, pupils leaving the roll) per school beside all the schools' rate (pupilMovementFigures.ts).
 *
 * In a report marked for publication, counts of 1 or 2 are withheld, as DfE statistics do, and
 * so is every figure that would give one back (see suppression.ts).
 */
import type { SchoolCalendar, Term } from '@before-exclusion/rules';
import { SYSTEM, assertCanRead, type Actor } from '../access.js';
import { caseMeasures, caseMeasureSums } from './caseMeasures.js';
import {
  categoryLabel,
  combinedRoll,
  exclusionFigures,
  exclusionSums,
  PUPIL_GROUPS,
  PUPILS_ON_ROLL,
  pupilsInPeriod,
  rollBehind,
  rollFigures,
  rollOf,
  type Breakdown,
  type ExclusionRow,
  type PupilInPeriod,
  type Roll,
} from './exclusionFigures.js';
import { addressOf, figureKey, type Address, type MeasureRow, type MeasureSum } from './figures.js';
import { movementFigures, movementSums } from './pupilMovementFigures.js';
import { academicYearStart, calendarForYear, choosePeriod, reportPeriod, schoolPeriods, spanOf, type Period } from './reportPeriod.js';
import type { CaseStore } from '../store/caseStore.js';
import { REPORT_READ_FORMS, type ReportReadForm } from '../store/reportReads.js';
import { suppressFigures, type Figure, type Sum } from './suppression.js';

export { BREAKDOWNS, keyStage, type Breakdown } from './exclusionFigures.js';
export { reportPeriod } from './reportPeriod.js';

/** A group's rate beside the rest of the cohort's: the table's total less the group. */
export interface Disproportionality {
  readonly restValue: number;
  readonly restRoll: number;
  readonly restRatePer100: number;
  /** The group's rate over the rest's; absent when the rest's rate is 0 (there is no ratio). */
  readonly rateRatio?: number;
}

export interface ReportRow {
  /** A school id, or `all`. */
  readonly school: string;
  readonly measure: string;
  readonly breakdown: Breakdown | string;
  readonly category: string;
  /** Null when suppressed for publication. */
  readonly value: number | null;
  /** The category in words, where its code needs them (reasons, SEND, key stages…). */
  readonly label?: string;
  /** Pupils on roll in the row's group (the whole roll for the total and for reasons); null when suppressed, absent when not known. */
  readonly roll?: number | null;
  /** `value` per 100 of `roll`, to 2 places; null when suppressed, absent without a roll. */
  readonly ratePer100?: number | null;
  /** For a group of pupils: its rate beside the rest of the cohort's; null when suppressed. */
  readonly disproportionality?: Disproportionality | null;
  /**
   * For pupil movement in one school: the same figure's rate per 100 on roll across all the
   * schools in the report (the council's, for an inclusion officer); null when suppressed.
   */
  readonly councilRatePer100?: number | null;
}

/** The dates one school's figures count between. */
export interface SchoolPeriod extends Period {
  readonly school: string;
}

export interface Report {
  readonly academicYear: string;
  /** The quarter reported to (1–4), or null for a term's report. */
  readonly quarter: number | null;
  /** The term reported to, or null for a quarter's report. */
  readonly term: Term | null;
  /** The earliest start and latest end of the schools' periods (for a quarter, everyone's). */
  readonly periodStart: string;
  readonly periodEnd: string;
  /** Each school's period: to the end of its own term, for a term's report. */
  readonly periods: readonly SchoolPeriod[];
  readonly forPublication: boolean;
  readonly schools: readonly string[];
  readonly rows: readonly ReportRow[];
}

export interface ReportOptions {
  /** e.g. `2025/26`. */
  readonly academicYear: string;
  /** 1–4: the report runs from 1 September to 31 Dec, 31 Mar, 30 Jun or 31 Aug. Exclusive with `term`. */
  readonly quarter?: number;
  /** The report runs to the end of this term on each school's calendar. Exclusive with `quarter`. */
  readonly term?: Term;
  readonly schoolId?: string;
  readonly forPublication?: boolean;
  /**
   * Pupils on roll by school id, for a school whose pupils the store does not all hold. Its rates
   * are then per 100 of this figure, and its groups' rates (not known from it) are left out.
   * Otherwise a school's roll is the pupils held who were on roll at any point in its period.
   */
  readonly rollOverride?: Readonly<Record<string, number>>;
  /** The school date the report is read on (YYYY-MM-DD): a duty is overdue when due before it and not done. Default: the store's today. */
  readonly today?: string;
  /**
   * Records the read in the audit trail, in this form (a page, a download…), once the report is
   * built: who, the period, the schools and publication mode — never a figure. A report that could
   * not be built (a bad period, a school not covered) was not read, and is not recorded.
   */
  readonly auditAs?: ReportReadForm;
}

/** The figures of one table (a school, or all): exclusions, roll and cases, before suppression. */
interface Table {
  readonly scope: string;
  readonly roll: Roll;
  readonly exclusions: readonly ExclusionRow[];
  readonly rollRows: readonly ExclusionRow[];
  readonly cases: readonly MeasureRow[];
  /** Pupil movement: off-site directions, managed moves, part-time timetables, leavers. */
  readonly movement: readonly ExclusionRow[];
}

/**
 * Builds the report for the schools `actor` may see (or one of them).
 * @throws RangeError for a bad year, quarter, term or roll (say which, and what is accepted).
 * @throws AccessDenied when asking for a school the actor does not cover.
 * @throws InputError when a school with pupils has no calendar for the year (a term's dates, days lost).
 * @throws RangeError when `auditAs` is not one of {@link REPORT_READ_FORMS}.
 */
export async function buildReport(store: CaseStore, actor: Actor, options: ReportOptions): Promise<Report> {
  academicYearStart(options.academicYear);
  const choice = choosePeriod(options);
  for (const [school, roll] of Object.entries(options.rollOverride ?? {})) {
    if (!Number.isInteger(roll) || roll < 0) throw new RangeError(`the roll given for ${school} (${roll}) is not a whole number of pupils`);
  }
  if (options.auditAs !== undefined && !REPORT_READ_FORMS.includes(options.auditAs)) throw new RangeError(`"${options.auditAs}" is not a form a report is read in (${REPORT_READ_FORMS.join(', ')})`);
  if (options.schoolId) assertCanRead(actor, options.schoolId);
  const schools = options.schoolId ? [options.schoolId] : actor.role === 'system' ? (await store.staff.schools()).map((s) => s.id) : [...actor.schoolIds].sort();
  const records = await store.pupils.inSchools(schools);
  const held = new Set(records.map((r) => r.schoolId));
  const periods = await schoolPeriods(store.pupils, schools.map((id) => ({ id, holdsPupils: held.has(id) })), options.academicYear, choice);
  const calendars = new Map<string, SchoolCalendar>();
  for (const school of held) {
    const calendar = await calendarForYear(store.pupils, school, options.academicYear);
    if (calendar) calendars.set(school, calendar);
  }
  const pupils = pupilsInPeriod(records, (id) => periods.get(id)!, (id) => calendars.get(id), options.academicYear);
  // Counted, not shown: read as the system within the schools checked above; the report read itself is audited (auditAs).
  const today = options.today ?? store.today();
  const cases = (await store.cases.list(SYSTEM, options.schoolId ? { schoolId: options.schoolId } : {})).filter((c) => schools.includes(c.schoolId));

  const tables: Table[] = schools.map((school) => {
    const period = periods.get(school)!;
    const roll = rollOf(records.filter((r) => r.schoolId === school), period, options.rollOverride?.[school]);
    return {
      scope: school,
      roll,
      exclusions: exclusionFigures(pupils.filter((p) => p.record.schoolId === school), roll),
      rollRows: rollFigures(roll),
      cases: caseMeasures(cases.filter((c) => c.schoolId === school), period.start, period.end, today),
      movement: movementFigures(records.filter((r) => r.schoolId === school), period),
    };
  });
  const all = allSchools(tables, pupils);
  tables.push(all);

  const forPublication = options.forPublication === true;
  const hidden = forPublication ? suppressFigures(figuresOf(tables), sumsOf(tables, schools)) : new Set<string>();
  // With no school to report on there is nothing to count; the report then spans the whole year.
  const span = periods.size > 0 ? spanOf([...periods.values()]) : reportPeriod(options.academicYear, 'quarter' in choice ? choice.quarter : 4);
  const report: Report = {
    academicYear: options.academicYear,
    quarter: 'quarter' in choice ? choice.quarter : null,
    term: 'term' in choice ? choice.term : null,
    periodStart: span.start,
    periodEnd: span.end,
    periods: schools.map((school) => ({ school, ...periods.get(school)! })),
    forPublication,
    schools,
    rows: tables.flatMap((t) => reportRows(t, hidden, t === all ? undefined : all)),
  };
  if (options.auditAs) {
    await store.reportReads.record(actor, {
      academicYear: report.academicYear,
      quarter: report.quarter,
      term: report.term,
      schoolId: options.schoolId ?? null,
      schools: report.schools,
      forPublication,
      form: options.auditAs,
    });
  }
  return report;
}

/** The table for all the schools: each figure the sum of the schools', each pupil counted in their own school's period. */
function allSchools(tables: readonly Table[], pupils: readonly PupilInPeriod[]): Table {
  const roll = combinedRoll(tables.map((t) => t.roll));
  const cases = new Map<string, MeasureRow>();
  for (const row of tables.flatMap((t) => t.cases)) {
    const key = figureKey('all', row);
    cases.set(key, { ...row, value: (cases.get(key)?.value ?? 0) + row.value });
  }
  // Each school's movement is counted in its own period, so all schools' is their sum.
  const movement = new Map<string, ExclusionRow>();
  for (const row of tables.flatMap((t) => t.movement)) {
    const key = figureKey('all', row);
    const before = movement.get(key);
    movement.set(key, { ...row, value: (before?.value ?? 0) + row.value, pupils: (before?.pupils ?? 0) + row.pupils });
  }
  return { scope: 'all', roll, exclusions: exclusionFigures(pupils, roll), rollRows: rollFigures(roll), cases: [...cases.values()], movement: [...movement.values()] };
}

/** Every figure of every table, with whether it is withheld in itself. */
function figuresOf(tables: readonly Table[]): Map<string, Figure> {
  const figures = new Map<string, Figure>();
  for (const table of tables) {
    for (const row of table.exclusions) {
      // Days lost are not a count of anyone: they are withheld when they are one or two pupils' days.
      const small = row.measure === 'suspension-days-lost' ? isSmall(row.pupils) : isSmall(row.value);
      figures.set(figureKey(table.scope, row), { value: row.value, primary: small });
    }
    for (const row of [...table.rollRows, ...table.cases, ...table.movement]) figures.set(figureKey(table.scope, row), { value: row.value, primary: isSmall(row.value) });
  }
  return figures;
}

/** Counts of 1 and 2, withheld as in DfE statistics (shown as `c`). */
function isSmall(count: number): boolean {
  return count === 1 || count === 2;
}

/** How the figures add up: within each table, and each school's to all schools'. */
function sumsOf(tables: readonly Table[], schools: readonly string[]): Sum[] {
  const sums: Sum[] = [];
  const keyed = (scope: string, s: MeasureSum): Sum => ({ whole: figureKey(scope, s.whole), parts: s.parts.map((p) => figureKey(scope, p)), counts: s.counts });
  const addresses = new Map<string, { address: Address; counts: boolean }>();
  for (const table of tables) {
    const rows = [...table.exclusions, ...table.rollRows, ...table.cases, ...table.movement].map(addressOf);
    sums.push(...exclusionSums(rows).map((s) => keyed(table.scope, s)), ...caseMeasureSums(rows).map((s) => keyed(table.scope, s)), ...movementSums(rows).map((s) => keyed(table.scope, s)));
    for (const address of rows) addresses.set(figureKey('all', address), { address, counts: address.measure !== 'suspension-days-lost' });
  }
  const present = new Set(tables.flatMap((t) => [...t.exclusions, ...t.rollRows, ...t.cases, ...t.movement].map((r) => figureKey(t.scope, r))));
  for (const [whole, { address, counts }] of addresses) {
    sums.push({ whole, parts: schools.map((s) => figureKey(s, address)).filter((k) => present.has(k)), counts });
  }
  return sums;
}

/**
 * One table's rows as reported: values withheld where hidden, with labels, rolls, rates and the
 * rest of the cohort; a school's pupil movement beside the same rate for all the schools (`all`).
 */
function reportRows(table: Table, hidden: ReadonlySet<string>, all?: Table): ReportRow[] {
  const shown = (row: Address, value: number) => (hidden.has(figureKey(table.scope, row)) ? null : value);
  const rollKey = (row: Address): Address =>
    row.breakdown === 'total' || row.breakdown === 'reason' ? { measure: PUPILS_ON_ROLL, breakdown: 'total', category: 'all' } : { measure: PUPILS_ON_ROLL, breakdown: row.breakdown, category: row.category };
  const labelled = (row: MeasureRow) => {
    const label = categoryLabel(row.breakdown, row.category);
    return { school: table.scope, measure: row.measure, breakdown: row.breakdown, category: row.category, value: shown(row, row.value), ...(label ? { label } : {}) };
  };
  const totals = new Map(table.exclusions.filter((r) => r.breakdown === 'total').map((r) => [r.measure, r]));

  const exclusions = table.exclusions.map((row): ReportRow => {
    const roll = rollBehind(table.roll, row);
    if (roll === undefined) return labelled(row);
    const value = shown(row, row.value);
    const rollShown = shown(rollKey(row), roll);
    const rate = roll === 0 ? {} : { ratePer100: value === null || rollShown === null ? null : per100(row.value, roll) };
    return { ...labelled(row), roll: rollShown, ...rate, ...comparison(row, roll) };
  });

  /** The group beside the rest of the cohort, for groups of pupils with someone on either side. */
  function comparison(row: ExclusionRow, roll: number): { disproportionality?: Disproportionality | null } {
    const total = totals.get(row.measure);
    if (!(PUPIL_GROUPS as readonly string[]).includes(row.breakdown) || !total || roll === 0 || table.roll.total - roll <= 0) return {};
    const inputs = [row, total, rollKey(row), rollKey(total)];
    if (inputs.some((a) => hidden.has(figureKey(table.scope, a)))) return { disproportionality: null };
    const restValue = total.value - row.value;
    const restRoll = table.roll.total - roll;
    const restRate = (100 * restValue) / restRoll;
    const rate = (100 * row.value) / roll;
    return { disproportionality: { restValue, restRoll, restRatePer100: round2(restRate), ...(restRate > 0 ? { rateRatio: round2(rate / restRate) } : {}) } };
  }

  const rated = (t: Table, row: Address & { value: number }): { roll?: number | null; ratePer100?: number | null } => {
    const roll = rollBehind(t.roll, row);
    if (roll === undefined) return {};
    const isHidden = (a: Address) => hidden.has(figureKey(t.scope, a));
    const rollShown = isHidden(rollKey(row)) ? null : roll;
    return { roll: rollShown, ...(roll === 0 ? {} : { ratePer100: isHidden(row) || rollShown === null ? null : per100(row.value, roll) }) };
  };
  const allMovement = new Map((all?.movement ?? []).map((r) => [figureKey('all', r), r]));
  const movement = table.movement.map((row): ReportRow => {
    if (!all) return { ...labelled(row), ...rated(table, row) };
    // The council's figure for the same measure and group; a group none of its schools has is 0.
    const councilRow = allMovement.get(figureKey('all', row)) ?? { ...addressOf(row), value: 0 };
    const council = rated(all, councilRow).ratePer100;
    return { ...labelled(row), ...rated(table, row), ...(council !== undefined ? { councilRatePer100: council } : {}) };
  });

  return [...exclusions, ...table.rollRows.map(labelled), ...table.cases.map(labelled), ...movement];
}

function per100(value: number, roll: number): number {
  return round2((100 * value) / roll);
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The report as CSV: one row per school, measure, breakdown and category; `c` where suppressed,
 * empty where a figure does not apply. The first eight columns are as they always were; the
 * rest were added after them.
 */
export function reportToCsv(report: Report): string {
  const lines = [
    'academic_year,quarter,period_end,school,measure,breakdown,category,value,term,period_start,category_label,roll,rate_per_100,rest_value,rest_roll,rest_rate_per_100,rate_ratio,council_rate_per_100',
  ];
  const periods = new Map(report.periods.map((p) => [p.school, p]));
  for (const r of report.rows) {
    const period = periods.get(r.school) ?? { start: report.periodStart, end: report.periodEnd };
    const d = r.disproportionality;
    const cells: (string | number | null | undefined)[] = [
      report.academicYear,
      report.quarter ?? '',
      period.end,
      r.school,
      r.measure,
      r.breakdown,
      r.category,
      r.value,
      report.term ?? '',
      period.start,
      r.label,
      r.roll,
      r.ratePer100,
      d === null ? null : d?.restValue,
      d === null ? null : d?.restRoll,
      d === null ? null : d?.restRatePer100,
      d === null ? null : d?.rateRatio,
      r.councilRatePer100,
    ];
    lines.push(cells.map((c) => csvCell(c === null ? 'c' : (c ?? ''))).join(','));
  }
  return lines.join('\r\n');
}

function csvCell(value: string | number): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
