/**
 * A report from the workflows package (`buildReport`), arranged for the figures page: the
 * headline figures of each school and of all together, then for each of them the breakdowns by
 * reason and by group of pupils, each group beside the rest of the cohort, and what the cases
 * show — as tables of cells (a number, `c` where withheld, nothing where a figure does not
 * apply), and the charts drawn beside them. Nothing is counted here: every figure is the
 * report's, so the page, the CSV and the workbook always agree.
 */
import { EXCLUSION_MEASURES, MOVEMENT_MEASURES, MOVEMENT_MEASURE_WORDS, PEAP_DECISIONS, PUPILS_ON_ROLL, PUPIL_GROUPS, MEASURE_DESCRIPTIONS, WATCHED_YEAR_GROUPS, type ExclusionMeasure, type Report, type ReportRow } from '@before-exclusion/workflows';
import type { TopLevelSpec } from 'vega-lite';
import { chartSvg } from './chart.js';
import { BREAKDOWN_NAMES, DUTY_NAMES, EBSNA_OUTCOME_NAMES, EXCLUSION_MEASURE_HEADINGS, EXCLUSION_MEASURE_NAMES, PEAP_OUTCOME_NAMES, TIMELINESS_NAMES, sentenceCase } from './figureWords.js';

/** One cell of a table: a figure, or `c` (withheld), or nothing (does not apply). */
export interface Cell {
  readonly text: string;
  readonly withheld?: true;
  /** The figure does not apply (no roll, no ratio). Not `none`: that is a word of Nunjucks. */
  readonly notApplicable?: true;
}

export interface FigureTable {
  /** Unique on the page. */
  readonly id: string;
  readonly caption: string;
  /** Column headings, the first over the rows' own headings. */
  readonly head: readonly string[];
  readonly rows: readonly { readonly header: string; readonly cells: readonly Cell[] }[];
  /** Whether any cell is withheld (the table then points to the note on withheld figures). */
  readonly withheld: boolean;
}

/** A chart, drawn, with the words that go under it. */
export interface Chart {
  readonly svg: string;
  readonly caption: string;
}

/** Everything about one school, or about all of them. */
export interface ScopeSection {
  readonly id: string;
  readonly name: string;
  readonly reasons: FigureTable;
  /** Absent when there is nothing to draw (no exclusions; no pupils to compare): the table says so. */
  readonly reasonChart?: Chart;
  readonly groups: readonly FigureTable[];
  readonly comparisonChart?: Chart;
  /** Each measure's groups beside the rest of the cohort; the first is shown open. */
  readonly comparisons: readonly { readonly measure: string; readonly table: FigureTable }[];
  readonly cases: readonly FigureTable[];
  /** Off-site directions, managed moves, part-time timetables and leavers, beside all the schools' rate. */
  readonly movement: FigureTable;
}

export interface FiguresView {
  readonly headline: FigureTable;
  readonly headlineChart: Chart;
  readonly sections: readonly ScopeSection[];
  /** Each school's period, in words. */
  readonly periods: readonly { readonly name: string; readonly start: string; readonly end: string }[];
  /** What each measure counts, for the note under the figures. */
  readonly measureNotes: readonly { readonly name: string; readonly description: string }[];
}

const NUMBER = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });

/** A figure as a cell: `c` for null (withheld), nothing for undefined (does not apply). */
export function cell(value: number | null | undefined): Cell {
  if (value === null) return { text: 'c', withheld: true };
  if (value === undefined) return { text: '', notApplicable: true };
  return { text: NUMBER.format(value) };
}

/** The measures whose rates the headline chart draws: counts of pupils and incidents (days lost are another scale). */
const CHARTED_RATES: readonly ExclusionMeasure[] = ['suspension-incidents', 'children-suspended', 'children-permanently-excluded', 'lunchtime-incidents', 'children-with-2-or-more-suspensions', 'children-with-15-or-more-days-in-a-term'];

/** The groups the comparison chart draws: year groups are left to the key stages, which hold them. */
const CHARTED_GROUPS = PUPIL_GROUPS.filter((g) => g !== 'year-group');

/** The measure the comparison chart draws, and whose table is open. */
const COMPARED_FIRST: ExclusionMeasure = 'children-suspended';

/** The page's tables and charts for `report`, with schools named by `schoolName`. */
export async function figuresView(report: Report, schoolName: (id: string) => string): Promise<FiguresView> {
  const rows = new Map(report.rows.map((r) => [keyOf(r.school, r.measure, r.breakdown, r.category), r]));
  const find = (scope: string, measure: string, breakdown = 'total', category = 'all') => rows.get(keyOf(scope, measure, breakdown, category));
  // "All" only when there is more than one school: for one, it is the same table again.
  const scopes = [...report.schools.map((id) => ({ id, name: schoolName(id) })), ...(report.schools.length > 1 ? [{ id: 'all', name: 'All your schools' }] : [])];

  const headline = headlineTable(scopes, find);
  const sections = await Promise.all(scopes.map((scope, i) => scopeSection(report, scope, `s${i}`, find)));
  return {
    headline,
    headlineChart: await headlineChart(scopes, find),
    sections,
    periods: report.periods.map((p) => ({ name: schoolName(p.school), start: p.start, end: p.end })),
    measureNotes: [...EXCLUSION_MEASURES, PUPILS_ON_ROLL, 'peaps-opened', 'peaps-held', 'statutory-duties', 'ebsna-referrals', ...MOVEMENT_MEASURES].map((m) => ({
      name: measureName(m),
      description: MEASURE_DESCRIPTIONS[m] ?? '',
    })),
  };
}

type Find = (scope: string, measure: string, breakdown?: string, category?: string) => ReportRow | undefined;
interface Scope {
  readonly id: string;
  readonly name: string;
}

function keyOf(school: string, measure: string, breakdown: string, category: string): string {
  return `${school}|${measure}|${breakdown}|${category}`;
}

function measureName(measure: string): string {
  const movement = Object.fromEntries(MOVEMENT_MEASURES.map((m) => [m, MOVEMENT_MEASURE_WORDS[m].title]));
  const names: Readonly<Record<string, string>> = { ...EXCLUSION_MEASURE_NAMES, ...movement, [PUPILS_ON_ROLL]: 'Pupils on roll', 'peaps-opened': 'PEAPs opened', 'peaps-held': 'PEAPs held', 'statutory-duties': 'Statutory duties', 'ebsna-referrals': 'EBSNA referrals' };
  return names[measure] ?? measure;
}

/** A row's value: a category with no row is a zero (the report lists only what happened, and groups on roll). */
function valueOf(row: ReportRow | undefined): number | null {
  return row ? row.value : 0;
}

function table(id: string, caption: string, head: readonly string[], rows: FigureTable['rows']): FigureTable {
  return { id, caption, head, rows, withheld: rows.some((r) => r.cells.some((c) => c.withheld)) };
}

function headlineTable(scopes: readonly Scope[], find: Find): FigureTable {
  const head = ['Measure', ...scopes.flatMap((s) => [`${s.name}: number`, `${s.name}: per 100 on roll`])];
  const rows = [...EXCLUSION_MEASURES, PUPILS_ON_ROLL].map((measure) => ({
    header: measureName(measure),
    cells: scopes.flatMap((s) => {
      const row = find(s.id, measure);
      return [cell(valueOf(row)), cell(measure === PUPILS_ON_ROLL ? undefined : row?.ratePer100)];
    }),
  }));
  return table('headline', 'Year-to-date figures, with rates per 100 pupils on roll', head, rows);
}

async function scopeSection(report: Report, scope: Scope, id: string, find: Find): Promise<ScopeSection> {
  const inScope = report.rows.filter((r) => r.school === scope.id);
  const categories = (breakdown: string) => {
    const seen = new Map<string, string>();
    for (const r of inScope) if (r.breakdown === breakdown && !seen.has(r.category)) seen.set(r.category, sentenceCase(r.label ?? r.category));
    return [...seen];
  };

  const reasonRows = categories('reason').sort((a, b) => a[1].localeCompare(b[1]));
  const reasons = table(
    `${id}-reasons`,
    `${scope.name}: by reason (an exclusion may give up to three reasons, so reasons add up to more than the total)`,
    ['Reason', ...EXCLUSION_MEASURES.map((m) => EXCLUSION_MEASURE_HEADINGS[m])],
    reasonRows.map(([category, label]) => ({ header: label, cells: EXCLUSION_MEASURES.map((m) => cell(valueOf(find(scope.id, m, 'reason', category)))) })),
  );

  const groups = PUPIL_GROUPS.map((group) =>
    table(
      `${id}-${group}`,
      `${scope.name}: by ${BREAKDOWN_NAMES[group]!.charAt(0).toLowerCase()}${BREAKDOWN_NAMES[group]!.slice(1)}`,
      [BREAKDOWN_NAMES[group]!, 'On roll', ...EXCLUSION_MEASURES.map((m) => EXCLUSION_MEASURE_HEADINGS[m])],
      categories(group).map(([category, label]) => ({
        header: label,
        cells: [cell(find(scope.id, PUPILS_ON_ROLL, group, category)?.value), ...EXCLUSION_MEASURES.map((m) => cell(valueOf(find(scope.id, m, group, category))))],
      })),
    ),
  );

  const comparisons = [COMPARED_FIRST, ...EXCLUSION_MEASURES.filter((m) => m !== COMPARED_FIRST)].map((measure) => ({
    measure: EXCLUSION_MEASURE_NAMES[measure],
    table: comparisonTable(`${id}-beside-${measure}`, scope, measure, inScope),
  }));

  const [reasonChart, comparisonChart] = await Promise.all([reasonsChart(`${id}-reasons-chart`, scope, reasonRows, find), groupsChart(`${id}-beside-chart`, scope, inScope)]);
  return {
    id,
    name: scope.name,
    reasons,
    ...(reasonChart ? { reasonChart } : {}),
    groups,
    ...(comparisonChart ? { comparisonChart } : {}),
    comparisons,
    cases: caseTables(id, scope, inScope, find),
    movement: movementTable(id, scope, find, report.schools.length > 1 && scope.id !== 'all'),
  };
}

/**
 * Pupil movement: each measure, then Years 10 and 11 (leaving between them takes a pupil out of the
 * school's GCSE results), with the rate per 100 on roll and — for one school among several — all
 * the schools' rate beside it. Counts of events, not findings: the caption says so.
 */
function movementTable(id: string, scope: Scope, find: Find, besideAll: boolean): FigureTable {
  const rowFor = (header: string, measure: string, breakdown = 'total', category = 'all') => {
    const row = find(scope.id, measure, breakdown, category);
    const rate = row ? row.ratePer100 : valueOf(row) === 0 ? 0 : undefined;
    return { header, cells: [cell(valueOf(row)), cell(rate), ...(besideAll ? [cell(row ? row.councilRatePer100 : undefined)] : [])] };
  };
  const rows = MOVEMENT_MEASURES.flatMap((m) => [
    rowFor(MOVEMENT_MEASURE_WORDS[m].title, m),
    ...WATCHED_YEAR_GROUPS.map((y) => rowFor(`${MOVEMENT_MEASURE_WORDS[m].title}: Year ${y.slice('year-'.length)}`, m, 'year-group', y)),
  ]);
  return table(
    `${id}-movement`,
    `${scope.name}: pupil movement — counts of what the records show happened in the period, to ask about, not findings`,
    ['Pupil movement', 'Number', 'Per 100 on roll', ...(besideAll ? ['All your schools: per 100 on roll'] : [])],
    rows,
  );
}

/** Each group's figure and rate beside the rest of the cohort's, the counts behind both, and the ratio. */
function comparisonTable(id: string, scope: Scope, measure: ExclusionMeasure, inScope: readonly ReportRow[]): FigureTable {
  const name = EXCLUSION_MEASURE_HEADINGS[measure];
  const rows = inScope
    .filter((r) => r.measure === measure && r.disproportionality !== undefined)
    .map((r) => {
      const d = r.disproportionality;
      return {
        header: groupName(r),
        cells: [
          cell(r.value),
          cell(r.roll),
          cell(r.ratePer100),
          cell(d === null ? null : d?.restValue),
          cell(d === null ? null : d?.restRoll),
          cell(d === null ? null : d?.restRatePer100),
          cell(d === null ? null : d?.rateRatio),
        ],
      };
    });
  return table(
    id,
    `${scope.name}: ${EXCLUSION_MEASURE_NAMES[measure].toLowerCase()}, each group beside the rest of the cohort`,
    ['Group', `Group: ${name.toLowerCase()}`, 'Group: on roll', 'Group: per 100', `Rest: ${name.toLowerCase()}`, 'Rest: on roll', 'Rest: per 100', 'Ratio of the rates'],
    rows,
  );
}

function groupName(r: ReportRow): string {
  return `${BREAKDOWN_NAMES[r.breakdown] ?? r.breakdown}: ${r.label ?? r.category}`;
}

/** PEAPs and their outcomes; statutory duties on time, late or overdue; EBSNA referrals and their outcomes. */
function caseTables(id: string, scope: Scope, inScope: readonly ReportRow[], find: Find): FigureTable[] {
  const count = (measure: string, breakdown = 'total', category = 'all') => cell(valueOf(find(scope.id, measure, breakdown, category)));
  const peaps = table(`${id}-peaps`, `${scope.name}: pre-exclusion action plans (PEAPs)`, ['PEAPs', 'Number'], [
    { header: 'Opened', cells: [count('peaps-opened')] },
    { header: 'Held (decided)', cells: [count('peaps-held')] },
    ...PEAP_DECISIONS.map((d) => ({ header: `Decided: ${PEAP_OUTCOME_NAMES[d] ?? d}`, cells: [count('peaps-held', 'outcome', d)] })),
  ]);
  const timeliness = Object.keys(TIMELINESS_NAMES);
  const duties = table(
    `${id}-duties`,
    `${scope.name}: statutory duties of the suspensions that started in the period`,
    ['Duty', ...timeliness.map((t) => TIMELINESS_NAMES[t]!)],
    [
      ...Object.entries(DUTY_NAMES).map(([duty, name]) => ({ header: name, cells: timeliness.map((t) => count('statutory-duties', duty, t)) })),
      { header: 'All duties', cells: timeliness.map((t) => count('statutory-duties', 'timeliness', t)) },
    ],
  );
  const outcomes = [...new Set(inScope.filter((r) => r.measure === 'ebsna-referrals' && r.breakdown === 'outcome').map((r) => r.category))];
  const ebsna = table(`${id}-ebsna`, `${scope.name}: emotionally based school non-attendance (EBSNA) referrals`, ['EBSNA referrals', 'Number'], [
    { header: 'Referred', cells: [count('ebsna-referrals')] },
    ...outcomes.map((o) => ({ header: `Now: ${(EBSNA_OUTCOME_NAMES[o] ?? o).toLowerCase()}`, cells: [count('ebsna-referrals', 'outcome', o)] })),
  ]);
  return [peaps, duties, ebsna];
}

/** A figure for a chart's words: the number, "c (withheld)", or "not applicable" (a rate with nobody on roll). */
function spoken(value: number | null | undefined): string {
  if (value === null) return 'c (withheld)';
  return value === undefined ? 'not applicable' : NUMBER.format(value);
}

/** A bar's label on the chart: the figure; "c" where it is withheld, "–" where it does not apply (no bar is drawn for either). */
function barLabel(value: number | null | undefined): string {
  if (value === null) return 'c';
  return value === undefined ? '–' : NUMBER.format(value);
}

const BLUE = '#1d70b8';
const BLACK = '#0b0c0c';
const WITHHELD_NOTE = 'Where a figure is withheld, no bar is drawn and "c" is shown; where it does not apply (no pupils on roll), a dash.';

async function headlineChart(scopes: readonly Scope[], find: Find): Promise<Chart> {
  const values = scopes.flatMap((s) =>
    CHARTED_RATES.map((m) => {
      const rate = find(s.id, m)?.ratePer100;
      return { school: s.name, measure: EXCLUSION_MEASURE_NAMES[m], rate: rate ?? null, at: rate ?? 0, label: barLabel(rate) };
    }),
  );
  const bars = barLayers('measure', 'rate', 'Per 100 pupils on roll', CHARTED_RATES.map((m) => EXCLUSION_MEASURE_NAMES[m]));
  // One school: one set of bars. Several: a set for each, one under another, each headed by the school's name (not told apart by colour).
  const spec: TopLevelSpec =
    scopes.length === 1
      ? { data: { values }, width: 420, ...bars }
      : { data: { values }, facet: { row: { field: 'school', type: 'nominal', title: null, sort: scopes.map((s) => s.name), header: { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelFontSize: 14, labelFontWeight: 'bold', labelColor: BLACK } } }, spec: { width: 420, ...bars } };
  const title = 'Rates per 100 pupils on roll, year to date';
  const description = scopes.map((s) => `${s.name}: ${CHARTED_RATES.map((m) => `${EXCLUSION_MEASURE_NAMES[m].toLowerCase()} ${spoken(find(s.id, m)?.ratePer100)}`).join('; ')}.`).join(' ');
  return { svg: await chartSvg(spec, { id: 'headline-chart', title, description }), caption: `${title}. School days lost are in the table only, being on another scale. ${WITHHELD_NOTE}` };
}

async function reasonsChart(id: string, scope: Scope, reasons: readonly (readonly [string, string])[], find: Find): Promise<Chart | undefined> {
  if (reasons.length === 0) return undefined;
  const measure: ExclusionMeasure = 'suspension-incidents';
  const values = reasons.map(([category, label]) => {
    const value = valueOf(find(scope.id, measure, 'reason', category));
    return { reason: label, value, at: value ?? 0, label: barLabel(value) };
  });
  const title = `${scope.name}: suspension incidents by reason`;
  const description = `${values.map((v) => `${v.reason}: ${spoken(v.value)}`).join('; ')}.`;
  const spec: TopLevelSpec = { data: { values }, width: 420, ...barLayers('reason', 'value', 'Suspension incidents', values.map((v) => v.reason)) };
  return { svg: await chartSvg(spec, { id, title, description }), caption: `${title}. ${WITHHELD_NOTE}` };
}

async function groupsChart(id: string, scope: Scope, inScope: readonly ReportRow[]): Promise<Chart | undefined> {
  const rows = inScope.filter((r) => r.measure === COMPARED_FIRST && r.disproportionality !== undefined && (CHARTED_GROUPS as readonly string[]).includes(r.breakdown));
  if (rows.length === 0) return undefined;
  const values = rows.map((r) => ({ group: groupName(r), rate: r.ratePer100 ?? null, rest: r.disproportionality?.restRatePer100 ?? null, at: Math.max(r.ratePer100 ?? 0, r.disproportionality?.restRatePer100 ?? 0), label: barLabel(r.ratePer100) }));
  const groups = values.map((v) => v.group);
  const title = `${scope.name}: children suspended per 100 on roll, each group beside the rest of the cohort`;
  const description = `${values.map((v) => `${v.group}: ${spoken(v.rate)}, the rest ${spoken(v.rest)}`).join('; ')}.`;
  const y = { field: 'group', type: 'nominal', title: null, sort: groups, scale: { domain: groups }, axis: { labelLimit: 320 } } as const;
  const x = { type: 'quantitative', title: 'Children suspended per 100 on roll' } as const;
  const spec: TopLevelSpec = {
    data: { values },
    width: 420,
    encoding: { y },
    layer: [
      { mark: { type: 'bar', color: BLUE }, encoding: { x: { field: 'rate', ...x } } },
      // The rest's rate as a black line across the group's bar: told apart by shape, not colour.
      { mark: { type: 'tick', color: BLACK, thickness: 3, opacity: 1 }, encoding: { x: { field: 'rest', ...x } } },
      { mark: { type: 'text', align: 'left', dx: 6, color: BLACK, fontSize: 13 }, encoding: { x: { field: 'at', ...x }, text: { field: 'label' } } },
    ],
  };
  return {
    svg: await chartSvg(spec, { id, title, description }),
    caption: `${title}. Each bar is the group's rate; the black line across it is the rate of the rest of the pupils. ${WITHHELD_NOTE}`,
  };
}

/** A layered spec's encoding and layers, as a facet's inner spec or a chart on its own takes them. */
type LayerParts = Pick<Extract<Extract<TopLevelSpec, { facet: unknown }>['spec'], { layer: unknown }>, 'encoding' | 'layer'>;

/**
 * Horizontal bars of `value` by `category`, each labelled with its figure. The data's `at` is the
 * value, or 0 where it is withheld: there the bar is missing and its "c" sits at zero.
 */
function barLayers(category: string, value: string, axisTitle: string, order: readonly string[]): LayerParts {
  return {
    encoding: { y: { field: category, type: 'nominal', title: null, sort: [...order], scale: { domain: [...order] }, axis: { labelLimit: 320 } } },
    layer: [
      { mark: { type: 'bar', color: BLUE }, encoding: { x: { field: value, type: 'quantitative', title: axisTitle } } },
      { mark: { type: 'text', align: 'left', dx: 6, color: BLACK, fontSize: 13 }, encoding: { x: { field: 'at', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
}
