/**
 * The figures inclusion officers report, academic-year-cumulative to the end of a quarter, per
 * school and overall: suspension incidents, children suspended and permanently excluded —
 * broken down by reason, sex, key stage, SEND, FSM, in care and ethnicity — and what the cases
 * show: PEAPs held and their outcomes, statutory duties met on time, late or overdue, EBSNA
 * referrals and outcomes. One pupil with three suspensions is three incidents and one child.
 * In a report marked for publication, counts of 1 or 2 are suppressed, as DfE statistics do.
 */
import type { PupilRecord } from '@before-exclusion/rules';
import { assertCanRead, type Actor } from './access.js';
import { caseMeasures } from './caseMeasures.js';
import type { CaseStore } from './store/caseStore.js';

export const BREAKDOWNS = ['total', 'reason', 'sex', 'key-stage', 'send', 'fsm', 'looked-after', 'ethnicity'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export interface ReportRow {
  /** A school id, or `all`. */
  readonly school: string;
  readonly measure: string;
  readonly breakdown: Breakdown | string;
  readonly category: string;
  /** Null when suppressed for publication. */
  readonly value: number | null;
}

export interface Report {
  readonly academicYear: string;
  readonly quarter: number;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly forPublication: boolean;
  readonly schools: readonly string[];
  readonly rows: readonly ReportRow[];
}

export interface ReportOptions {
  /** e.g. `2025/26`. */
  readonly academicYear: string;
  /** 1–4: the report runs from 1 September to 31 Dec, 31 Mar, 30 Jun or 31 Aug. */
  readonly quarter: number;
  readonly schoolId?: string;
  readonly forPublication?: boolean;
}

/** When each quarter of an academic year ends: the council quarter ends that fall in it. */
export function reportPeriod(academicYear: string, quarter: number): { start: string; end: string } {
  const m = /^(\d{4})\/(\d{2})$/.exec(academicYear);
  if (!m || Number(m[2]) !== (Number(m[1]) + 1) % 100) throw new RangeError(`"${academicYear}" is not an academic year such as 2025/26`);
  if (![1, 2, 3, 4].includes(quarter)) throw new RangeError(`quarter ${quarter} is not 1, 2, 3 or 4`);
  const first = Number(m[1]);
  const end = [`${first}-12-31`, `${first + 1}-03-31`, `${first + 1}-06-30`, `${first + 1}-08-31`][quarter - 1]!;
  return { start: `${first}-09-01`, end };
}

/**
 * Builds the report for the schools `actor` may see (or one of them).
 * @throws AccessDenied when asking for a school the actor does not cover.
 */
export async function buildReport(store: CaseStore, actor: Actor, options: ReportOptions): Promise<Report> {
  const { start, end } = reportPeriod(options.academicYear, options.quarter);
  if (options.schoolId) assertCanRead(actor, options.schoolId);
  const schools = options.schoolId ? [options.schoolId] : actor.role === 'system' ? (await store.staff.schools()).map((s) => s.id) : [...actor.schoolIds].sort();
  const rows: ReportRow[] = [];
  const pupils = await store.pupils.inSchools(schools);
  const cases = (await store.cases.list(actor, options.schoolId ? { schoolId: options.schoolId } : {})).filter((c) => schools.includes(c.schoolId));
  for (const scope of [...schools, 'all']) {
    const inScope = scope === 'all' ? pupils : pupils.filter((p) => p.schoolId === scope);
    rows.push(...exclusionMeasures(scope, inScope, start, end));
    rows.push(...caseMeasures(scope === 'all' ? cases : cases.filter((c) => c.schoolId === scope), start, end).map((r) => ({ school: scope, ...r })));
  }
  const forPublication = options.forPublication === true;
  return {
    academicYear: options.academicYear,
    quarter: options.quarter,
    periodStart: start,
    periodEnd: end,
    forPublication,
    schools,
    rows: forPublication ? rows.map(suppress) : rows,
  };
}

/** Counts of 1 and 2 withheld, as in DfE statistics (shown as `c`). */
function suppress(row: ReportRow): ReportRow {
  return row.value === 1 || row.value === 2 ? { ...row, value: null } : row;
}

function exclusionMeasures(school: string, pupils: readonly PupilRecord[], start: string, end: string): ReportRow[] {
  const rows: ReportRow[] = [];
  const inPeriod = (p: PupilRecord, category: string) => p.exclusions.filter((e) => e.category === category && !e.cancelled && e.startDate >= start && e.startDate <= end);
  const measures: { measure: string; category: string; count: 'incidents' | 'children' }[] = [
    { measure: 'suspension-incidents', category: 'FIXD', count: 'incidents' },
    { measure: 'children-suspended', category: 'FIXD', count: 'children' },
    { measure: 'children-permanently-excluded', category: 'PERM', count: 'children' },
    { measure: 'lunchtime-incidents', category: 'LNCH', count: 'incidents' },
  ];
  for (const { measure, category, count } of measures) {
    for (const breakdown of BREAKDOWNS) {
      const tally = new Map<string, number>();
      for (const pupil of pupils) {
        const exclusions = inPeriod(pupil, category);
        if (exclusions.length === 0) continue;
        if (breakdown === 'reason') {
          // Each reason given counts: an exclusion for PA and VA is one PA and one VA.
          const reasons = exclusions.flatMap((e) => e.reasons);
          const counted = count === 'incidents' ? reasons : [...new Set(reasons)];
          for (const reason of counted) tally.set(reason, (tally.get(reason) ?? 0) + 1);
        } else {
          const key = categoryOf(pupil, breakdown);
          tally.set(key, (tally.get(key) ?? 0) + (count === 'incidents' ? exclusions.length : 1));
        }
      }
      if (breakdown === 'total' && tally.size === 0) tally.set('all', 0);
      for (const [key, value] of [...tally].sort((a, b) => (a[0] < b[0] ? -1 : 1))) rows.push({ school, measure, breakdown, category: key, value });
    }
  }
  return rows;
}

function categoryOf(pupil: PupilRecord, breakdown: Exclude<Breakdown, 'reason'>): string {
  switch (breakdown) {
    case 'total':
      return 'all';
    case 'sex':
      return pupil.sex ?? 'unknown';
    case 'key-stage':
      return keyStage(pupil.yearGroup);
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

/** The report as CSV: one row per school, measure, breakdown and category; `c` where suppressed. */
export function reportToCsv(report: Report): string {
  const lines = ['academic_year,quarter,period_end,school,measure,breakdown,category,value'];
  for (const r of report.rows) {
    lines.push([report.academicYear, report.quarter, report.periodEnd, r.school, r.measure, r.breakdown, r.category, r.value === null ? 'c' : r.value].map(csvCell).join(','));
  }
  return lines.join('\r\n');
}

function csvCell(value: string | number): string {
  const text = String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
