/**
 * A report as an Excel workbook (.xlsx), for officers who take the figures into their own
 * spreadsheets and board papers: an "About" sheet first (the period, what each measure counts,
 * what `c` means and how figures were withheld, the reason codes in words), then one sheet per
 * group of measures, and the groups set beside the rest of the cohort.
 *
 * Written with exceljs. Every figure is a number cell; a withheld one is the text `c` and one
 * that does not apply is left empty. Text goes in as text, never as a formula, so a school id
 * beginning with `=` cannot run in the reader's spreadsheet.
 */
import { EXCLUSION_REASONS } from '@before-exclusion/rules';
import ExcelJS from 'exceljs';
import { MOVEMENT_MEASURES, MOVEMENT_MEASURE_WORDS } from './pupilMovementFigures.js';
import type { Report, ReportRow } from './reports.js';

/** What each measure counts, in words (also the About sheet's table). */
export const MEASURE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'suspension-incidents': 'Suspensions (fixed-period exclusions) that started in the period; a pupil suspended three times is three.',
  'children-suspended': 'Pupils with one or more suspensions that started in the period.',
  'children-permanently-excluded': 'Pupils permanently excluded in the period.',
  'lunchtime-incidents': 'Lunchtime suspensions that started in the period.',
  'suspension-days-lost': 'School days of suspension, lunchtimes at half a day each, counted in full in the period the suspension started.',
  'children-with-2-or-more-suspensions': 'Pupils with two or more suspensions that started in the period.',
  'children-with-15-or-more-days-in-a-term': 'Pupils with 15 or more school days of suspension (lunchtimes at half a day) in any one term of the period.',
  'pupils-on-roll': 'Pupils on roll: the pupils held for the school who were on roll at any point in the period (a leaver counts in the periods they were on roll in, not after), or the roll given for it. Rates are per 100 of these.',
  'peaps-opened': 'Pre-exclusion action plans (PEAPs) opened in the period.',
  'peaps-held': 'PEAPs decided in the period, by decision.',
  'statutory-duties': 'Statutory duties of suspensions that started in the period: met on time, late, or still overdue.',
  'ebsna-referrals': 'Emotionally based school non-attendance (EBSNA) referrals made in the period, by outcome so far.',
  // Pupil movement: what each counts, said as a figure, not a finding.
  ...Object.fromEntries(Object.entries(MOVEMENT_MEASURE_WORDS).map(([measure, w]) => [measure, `${w.counts.charAt(0).toUpperCase()}${w.counts.slice(1)}, by year group; beside all the schools' rate per 100 on roll. A figure to ask about, not a finding.`])),
};

/** The sheets after "About": each a group of measures, in order. */
const SHEETS: readonly { readonly name: string; readonly measures: readonly string[] }[] = [
  {
    name: 'Suspensions',
    measures: ['suspension-incidents', 'children-suspended', 'suspension-days-lost', 'children-with-2-or-more-suspensions', 'children-with-15-or-more-days-in-a-term'],
  },
  { name: 'Permanent exclusions', measures: ['children-permanently-excluded'] },
  { name: 'Lunchtime suspensions', measures: ['lunchtime-incidents'] },
  { name: 'Pupils on roll', measures: ['pupils-on-roll'] },
  { name: 'Cases', measures: ['peaps-opened', 'peaps-held', 'statutory-duties', 'ebsna-referrals'] },
  { name: 'Pupil movement', measures: MOVEMENT_MEASURES },
];

const SUPPRESSION_NOTES = [
  'c = withheld. In a report for publication, counts of 1 or 2 are withheld, as DfE statistics do; so are days lost when they are one or two pupils\' days, and pupils on roll in a group of 1 or 2.',
  'Further figures are withheld so that none of those can be worked out from what is shown: a total and each of its breakdowns, the figure for all schools and each school\'s, and a key stage and its year groups are treated as one linked table. Wherever a sum would leave a single withheld figure, or withheld figures adding up to a count of 1 or 2, the smallest other figure is withheld too, until no withheld figure can be recovered by any combination of the sums (checked exactly).',
  'Rates, and the comparison with the rest of the cohort, are withheld whenever a figure they are worked out from is.',
  'An empty cell: the figure does not apply (no roll known for the group, or the rest of the cohort has a rate of 0, so there is no ratio).',
];

/**
 * The report as an .xlsx workbook.
 * @example writeFileSync('report.xlsx', await reportToXlsx(report))
 */
export async function reportToXlsx(report: Report): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Before Exclusion';
  about(workbook.addWorksheet('About'), report);
  for (const sheet of SHEETS) {
    const rows = report.rows.filter((r) => sheet.measures.includes(r.measure));
    figuresSheet(workbook.addWorksheet(sheet.name), report, rows, sheet.measures === MOVEMENT_MEASURES);
  }
  disproportionalitySheet(workbook.addWorksheet('Disproportionality'), report);
  const written = await workbook.xlsx.writeBuffer();
  return Buffer.from(written);
}

/** A figure as a cell: the number, `c` when withheld, empty when it does not apply. */
function cell(value: number | null | undefined): number | string | null {
  return value === null ? 'c' : (value ?? null);
}

function periodText(report: Report): string {
  const to = report.quarter !== null ? `quarter ${report.quarter}` : `the end of the ${report.term} term`;
  return `${report.academicYear}, year to date to ${to}: ${report.periodStart} to ${report.periodEnd}`;
}

function about(sheet: ExcelJS.Worksheet, report: Report): void {
  sheet.columns = [{ width: 34 }, { width: 110 }];
  sheet.addRow(['Exclusions and inclusion figures']).font = { bold: true, size: 14 };
  sheet.addRow(['Period', periodText(report)]);
  for (const p of report.periods) sheet.addRow([`Period for ${p.school}`, `${p.start} to ${p.end}`]);
  sheet.addRow(['Schools', report.schools.join(', ')]);
  sheet.addRow(['For publication', report.forPublication ? 'yes: small figures withheld (see below)' : 'no: every figure shown; do not publish']);
  sheet.addRow([]);
  sheet.addRow(['Withheld figures']).font = { bold: true };
  for (const note of SUPPRESSION_NOTES) sheet.addRow(['', note]).alignment = { wrapText: true, vertical: 'top' };
  sheet.addRow([]);
  sheet.addRow(['Measures']).font = { bold: true };
  for (const [measure, description] of Object.entries(MEASURE_DESCRIPTIONS)) sheet.addRow([measure, description]);
  sheet.addRow([]);
  sheet.addRow(['Reason codes (DfE)']).font = { bold: true };
  for (const [code, words] of Object.entries(EXCLUSION_REASONS)) sheet.addRow([code, words]);
}

/** One group of measures; pupil movement with each school's rate beside all the schools'. */
function figuresSheet(sheet: ExcelJS.Worksheet, report: Report, rows: readonly ReportRow[], besideAll = false): void {
  sheet.columns = [
    { header: 'School', width: 12 },
    { header: 'Measure', width: 40 },
    { header: 'Breakdown', width: 14 },
    { header: 'Category', width: 14 },
    { header: 'Category in words', width: 44 },
    { header: 'Value', width: 10 },
    { header: 'Pupils on roll', width: 14 },
    { header: 'Rate per 100 on roll', width: 20 },
    ...(besideAll ? [{ header: 'All schools: rate per 100 on roll', width: 30 }] : []),
  ];
  for (const r of rows) {
    sheet.addRow([r.school, r.measure, r.breakdown, r.category, r.label ?? null, cell(r.value), cell(r.roll), cell(r.ratePer100), ...(besideAll ? [cell(r.councilRatePer100)] : [])]);
  }
  finish(sheet, report);
}

function disproportionalitySheet(sheet: ExcelJS.Worksheet, report: Report): void {
  sheet.columns = [
    { header: 'School', width: 12 },
    { header: 'Measure', width: 40 },
    { header: 'Breakdown', width: 14 },
    { header: 'Group', width: 14 },
    { header: 'Group in words', width: 44 },
    { header: 'Group: value', width: 13 },
    { header: 'Group: on roll', width: 14 },
    { header: 'Group: rate per 100', width: 19 },
    { header: 'Rest: value', width: 12 },
    { header: 'Rest: on roll', width: 13 },
    { header: 'Rest: rate per 100', width: 18 },
    { header: 'Ratio of rates', width: 14 },
  ];
  for (const r of report.rows) {
    if (r.disproportionality === undefined) continue;
    const d = r.disproportionality;
    sheet.addRow([
      r.school,
      r.measure,
      r.breakdown,
      r.category,
      r.label ?? null,
      cell(r.value),
      cell(r.roll),
      cell(r.ratePer100),
      d === null ? 'c' : d.restValue,
      d === null ? 'c' : d.restRoll,
      d === null ? 'c' : d.restRatePer100,
      d === null ? 'c' : (d.rateRatio ?? null),
    ]);
  }
  finish(sheet, report);
}

/** Header row bold and frozen, filters on, the period in the sheet's header when printed. */
function finish(sheet: ExcelJS.Worksheet, report: Report): void {
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  const columns = sheet.columnCount;
  if (sheet.rowCount > 1) sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns } };
  sheet.headerFooter.oddHeader = `&L${periodText(report).replace(/&/g, '&&')}`;
}
