/**
 * Fuzzing the CSV import (issue 13): whatever a school system's export holds — broken quoting,
 * stray separators, odd bytes, wrong codes, a BOM or CRLF — reading it never crashes: it gives
 * pupil records or refuses with an InputError whose every problem names the file and where in it
 * (row, line or column); and a refused export leaves the store as it was.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, SchoolCalendar } from '@before-exclusion/rules';
import { loadCalendarFile } from '@before-exclusion/rules/node';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { loadMappingProfile } from '../schoolSystems/csv/mappingProfile.js';
import { readSchoolExport, readSchoolExportText } from '../schoolSystems/csv/schoolExport.js';
import { closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterAll(closeTestStores);

const generic = loadMappingProfile('generic');
const dir = mkdtempSync(join(tmpdir(), 'csv-fuzz-'));

/** Cells a school export might hold, good and bad. */
const cellText = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('P-1', 'P-2', 'SCH-A', 'Y', 'no', 'TRUE', '9', 'Year 9', 'F', 'WBRI', 'K', 'none', 'FIXD', 'LNCH', 'DB', 'AM', 'PM', '2', '06/10/2025', '2025-10-07', '/', 'N', '="007"') },
  fc.constantFrom('', '"', '""', '"a,b"', '"line\nbreak"', '31/02/2026', '\u0000', '\u001b[31m', 'é', '\uFEFF', ',', ';', '\r', 'sep=;'),
  fc.string({ maxLength: 12 }),
);
const row = fc.array(cellText, { minLength: 0, maxLength: 8 }).map((cells) => cells.join(','));
const pupilId = fc.constantFrom('P-1', 'P-2', 'P-3');
/** Mostly well-formed rows, so that some exports import and the all-or-nothing path is tried both ways. */
const goodPupil = fc.tuple(pupilId, fc.integer({ min: 0, max: 14 }), fc.constantFrom('F', 'M', 'U', ''), fc.constantFrom('Y', 'no', '')).map(([id, year, sex, flag]) => `${id},SCH-A,${year},${sex},none,${flag},${flag}`);
const goodExclusion = fc.tuple(pupilId, fc.constantFrom('E1', 'E2'), fc.constantFrom('06/10/2025', '2025-10-07', '13/10/2025')).map(([id, ex, date]) => `${id},${ex},FIXD,${date},AM,2,,DB`);
const csv = (heading: string, good: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.boolean(), fc.boolean(), fc.array(fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: row }), { maxLength: 5 }))
    .map(([bom, crlf, rows]) => (bom ? '\uFEFF' : '') + [heading, ...rows].join(crlf ? '\r\n' : '\n'));

const pupilsCsv = csv('id,schoolId,yearGroup,sex,send,fsm,lookedAfter', goodPupil);
const exclusionsCsv = csv('pupilId,id,category,startDate,startSession,sessions,lunchtimes,reason1', goodExclusion);
const anyText = fc.string({ maxLength: 200 });

function expectNamed(error: unknown, files: readonly string[]): void {
  if (!(error instanceof InputError)) throw error;
  expect(error.problems.length).toBeGreaterThan(0);
  for (const p of error.problems) {
    if (p.message.startsWith('… and ')) continue;
    expect(files, JSON.stringify(p)).toContain(p.file);
    expect(Boolean(p.location || p.field) || /no heading row|is empty|no pupils/.test(p.message), JSON.stringify(p)).toBe(true);
  }
}

describe('reading a CSV export, fuzzed', () => {
  it('gives records or a refusal naming the file and where, for any text', () => {
    fc.assert(
      fc.property(fc.oneof(pupilsCsv, anyText), fc.option(fc.oneof(exclusionsCsv, anyText), { nil: undefined }), (pupils, exclusions) => {
        try {
          const read = readSchoolExportText({ pupils, ...(exclusions === undefined ? {} : { exclusions }) }, { profile: generic });
          for (const p of read) expect(p.record.id.length).toBeGreaterThan(0);
        } catch (error) {
          expectNamed(error, ['pupils.csv', 'exclusions.csv']);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it('imports a whole export or nothing: a refused export leaves the store as it was', async () => {
    const { store } = await testStore();
    const calendar: SchoolCalendar = await loadCalendarFile(DEMO_FILES.calendar);
    let run = 0;
    const outcomes = { imported: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(pupilsCsv, exclusionsCsv, async (pupils, exclusions) => {
        const files = { pupils: join(dir, `pupils-${run}.csv`), exclusions: join(dir, `exclusions-${run++}.csv`) };
        writeFileSync(files.pupils, pupils);
        writeFileSync(files.exclusions, exclusions);
        const before = (await store.audit.verify()).rows;
        try {
          const read = readSchoolExport(files, { profile: generic, calendar });
          await store.pupils.importUpdates(SYSTEM, { updates: read.pupils, calendar, source: 'pupils.csv', files: read.files });
          outcomes.imported++;
        } catch (error) {
          expectNamed(error, [files.pupils.split('/').pop()!, files.exclusions.split('/').pop()!, 'pupils.csv']);
          expect((await store.audit.verify()).rows).toBe(before);
          outcomes.refused++;
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 60) },
    );
    // Both paths were exercised, or the property proved little.
    expect(outcomes.imported).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  }, 120_000);
});
