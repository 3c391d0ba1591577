import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { cohortFiles } from './reportCohort.fixture.js';
import { buildReport } from './reports.js';
import { reportToXlsx } from './reportWorkbook.js';
import { closeTestStores, testStore } from '../testing.js';

afterEach(closeTestStores);

/** The rows of a sheet as plain values, header first. */
function valuesOf(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: false }, (r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('the report as an Excel workbook', () => {
  it('has a sheet per group of measures, the comparison with the rest of the cohort, and an About sheet; read back, the cells hold the figures', async () => {
    const { store } = await testStore();
    const files = cohortFiles();
    await store.pupils.import(SYSTEM, { pupils: files.pupilsA, calendar: files.calendarA });
    await store.pupils.import(SYSTEM, { pupils: files.pupilsB, calendar: files.calendarB });
    const report = await buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 2, forPublication: true });
    // A school id someone typed as a formula stays text in the reader's spreadsheet.
    const tampered = { ...report, rows: [...report.rows, { ...report.rows[0]!, school: '=HYPERLINK("http://example.invalid","x")' }] };

    const bytes = await reportToXlsx(tampered);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['About', 'Suspensions', 'Permanent exclusions', 'Lunchtime suspensions', 'Pupils on roll', 'Cases', 'Pupil movement', 'Disproportionality']);

    const suspensions = valuesOf(workbook.getWorksheet('Suspensions')!);
    expect(suspensions[0]).toEqual(['School', 'Measure', 'Breakdown', 'Category', 'Category in words', 'Value', 'Pupils on roll', 'Rate per 100 on roll']);
    expect(suspensions).toContainEqual(['SCH-A', 'children-suspended', 'total', 'all', 'all pupils', 24, 40, 60]);
    expect(suspensions).toContainEqual(['SCH-A', 'children-suspended', 'send', 'E', 'education, health and care plan', 'c', 3, 'c']);
    expect(suspensions).toContainEqual(['SCH-A', 'suspension-incidents', 'reason', 'PA', 'physical assault against an adult', 'c', 40, 'c']);
    const injected = workbook.getWorksheet('Suspensions')!.getCell(`A${suspensions.findIndex((r) => String(r[0]).startsWith('=')) + 1}`);
    expect(injected.type).toBe(ExcelJS.ValueType.String);

    const comparison = valuesOf(workbook.getWorksheet('Disproportionality')!);
    expect(comparison).toContainEqual(['SCH-A', 'children-suspended', 'sex', 'M', 'male', 16, 22, 72.73, 8, 18, 44.44, 1.64]);
    expect(comparison).toContainEqual(['SCH-A', 'children-suspended', 'send', 'E', 'education, health and care plan', 'c', 3, 'c', 'c', 'c', 'c', 'c']);

    const about = valuesOf(workbook.getWorksheet('About')!);
    expect(about).toContainEqual(['Period', '2025/26, year to date to quarter 2: 2025-09-01 to 2026-03-31']);
    expect(about).toContainEqual(['DB', 'persistent or general disruptive behaviour']);
    expect(about.some((r) => String(r[1]).startsWith('c = withheld'))).toBe(true);
  });
});
