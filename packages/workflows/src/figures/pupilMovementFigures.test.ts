/**
 * Pupil movement in the inclusion officer's figures, on a cohort counted by hand: off-site
 * directions, managed moves, part-time timetables and pupils leaving the roll per school, by year
 * group, each beside all the schools' rate — and small numbers withheld for publication.
 *
 * SCH-A, 10 pupils (2025/26 example calendar): A1–A3 Year 10, A4 and A8–A10 Year 11, A5–A7 Year 9.
 *   A1  off-site direction from Mon 6 Oct 2025, then a managed move agreed Thu 20 Nov, left Fri 28 Nov
 *   A2  part-time timetable from Mon 15 Sep 2025; off-site direction from Mon 12 Jan 2026 (quarter 2)
 *   A3  left Fri 17 Oct 2025
 *   A4  part-time timetable from Mon 3 Nov 2025; left Fri 5 Dec 2025
 *   A5  part-time timetable from Wed 1 Oct 2025
 * SCH-B, 10 pupils, all Year 10: B1 part-time timetable from Mon 6 Oct 2025; B2 left Wed 10 Dec 2025.
 *
 * Quarter 1 (1 Sep – 31 Dec 2025), every pupil on roll at some point: rolls 10, 10, all 20.
 *   off-site directions  A 1 (Y10)          B 0   all 1  → A 10.00 per 100 beside 5.00
 *   managed moves        A 1 (Y10)          B 0   all 1
 *   part-time timetables A 3 (Y9, Y10, Y11) B 1   all 4  → A 30.00, B 10.00, beside 20.00
 *   leaving the roll     A 3 (Y10 2, Y11 1) B 1   all 4  → A 30.00 beside 20.00
 *   Year 10 leavers: A 2 of 3 in Year 10 (66.67 per 100) beside 3 of 13 (23.08)
 * Quarter 2 (to 31 Mar 2026): A's off-site directions 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PupilRecordInput } from '@before-exclusion/rules';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { buildReport, reportToCsv, type Report, type ReportRow } from './reports.js';
import type { CaseStore } from '../store/caseStore.js';
import { BACKENDS, closeTestStores, DEMO_FILES, testStore } from '../testing.js';

afterEach(closeTestStores);

const year = (id: string) => (['A1', 'A2', 'A3'].includes(id) || id.startsWith('B') ? 10 : ['A5', 'A6', 'A7'].includes(id) ? 9 : 11);

const movements: Readonly<Record<string, Partial<PupilRecordInput>>> = {
  A1: { offSiteDirections: [{ id: 'OSD1', startDate: '2025-10-06', provider: 'Learning Centre' }], managedMoves: [{ id: 'MM1', agreedOn: '2025-11-20', receivingSchool: 'Hillside Academy', offRollOn: '2025-11-28' }], leftOn: '2025-11-28' },
  A2: { partTimeTimetables: [{ id: 'PT1', startDate: '2025-09-15', plannedEndDate: '2025-10-24', parentsConsentedOn: '2025-09-12' }], offSiteDirections: [{ id: 'OSD2', startDate: '2026-01-12', provider: 'Learning Centre' }] },
  A3: { leftOn: '2025-10-17' },
  A4: { partTimeTimetables: [{ id: 'PT2', startDate: '2025-11-03', parentsConsentedOn: '2025-10-31' }], leftOn: '2025-12-05' },
  A5: { partTimeTimetables: [{ id: 'PT3', startDate: '2025-10-01', parentsConsentedOn: '2025-09-30' }] },
  B1: { partTimeTimetables: [{ id: 'PT4', startDate: '2025-10-06', parentsConsentedOn: '2025-10-03' }] },
  B2: { leftOn: '2025-12-10' },
};

function pupilsFile(school: 'A' | 'B'): string {
  const records = Array.from({ length: 10 }, (_, i) => {
    const id = `${school}${i + 1}`;
    return { id, schoolId: `SCH-${school}`, yearGroup: year(id), exclusions: [], ...movements[id] };
  });
  const dir = mkdtempSync(join(tmpdir(), 'movement-'));
  const path = join(dir, `school-${school}.ndjson`);
  writeFileSync(path, records.map((r) => JSON.stringify(r)).join('\n'));
  return path;
}

function row(report: Report, school: string, measure: string, breakdown = 'total', category = 'all'): ReportRow | undefined {
  return report.rows.find((r) => r.school === school && r.measure === measure && r.breakdown === breakdown && r.category === category);
}

describe.each(BACKENDS)('pupil movement in the figures (%s)', (backend) => {
  let store: CaseStore;
  beforeEach(async () => {
    ({ store } = await testStore({ backend }));
    await store.pupils.import(SYSTEM, { pupils: pupilsFile('A'), calendar: DEMO_FILES.calendar });
    await store.pupils.import(SYSTEM, { pupils: pupilsFile('B'), calendar: DEMO_FILES.calendar });
  });

  it('counts each school by the events’ own dates, beside all the schools’ rate per 100 on roll', async () => {
    const officer = await store.staff.actorFor('officer');
    const q1 = await buildReport(store, officer, { academicYear: '2025/26', quarter: 1 });
    expect(row(q1, 'SCH-A', 'off-site-directions')).toMatchObject({ value: 1, roll: 10, ratePer100: 10, councilRatePer100: 5 });
    expect(row(q1, 'SCH-A', 'managed-moves')).toMatchObject({ value: 1, ratePer100: 10, councilRatePer100: 5 });
    expect(row(q1, 'SCH-A', 'part-time-timetables')).toMatchObject({ value: 3, ratePer100: 30, councilRatePer100: 20 });
    expect(row(q1, 'SCH-B', 'part-time-timetables')).toMatchObject({ value: 1, ratePer100: 10, councilRatePer100: 20 });
    expect(row(q1, 'SCH-A', 'pupils-leaving-roll')).toMatchObject({ value: 3, ratePer100: 30, councilRatePer100: 20 });
    expect(row(q1, 'SCH-B', 'pupils-leaving-roll')).toMatchObject({ value: 1, ratePer100: 10, councilRatePer100: 20 });
    expect(row(q1, 'all', 'pupils-leaving-roll')).toMatchObject({ value: 4, roll: 20, ratePer100: 20 });
    expect(row(q1, 'all', 'pupils-leaving-roll')?.councilRatePer100).toBeUndefined();
    // Year 10 → 11: A's two Year 10 leavers of three in Year 10, beside three of thirteen across the schools.
    expect(row(q1, 'SCH-A', 'pupils-leaving-roll', 'year-group', 'year-10')).toMatchObject({ value: 2, roll: 3, ratePer100: 66.67, councilRatePer100: 23.08 });
    expect(row(q1, 'SCH-A', 'pupils-leaving-roll', 'year-group', 'year-11')).toMatchObject({ value: 1, roll: 4 });
    expect(row(q1, 'SCH-A', 'part-time-timetables', 'year-group', 'year-9')).toMatchObject({ value: 1, roll: 3 });
    // Nothing to count is no row: B had no off-site direction.
    expect(row(q1, 'SCH-B', 'off-site-directions')).toBeUndefined();

    const q2 = await buildReport(store, officer, { academicYear: '2025/26', quarter: 2 });
    expect(row(q2, 'SCH-A', 'off-site-directions')?.value).toBe(2);
    expect(reportToCsv(q2).split('\r\n')[0]).toMatch(/,council_rate_per_100$/);
    expect(reportToCsv(q2)).toContain('SCH-A,off-site-directions,total,all,2,,2025-09-01,all pupils,10,20,,,,,10');
  });

  it('withholds counts of one or two for publication, and whatever would give one back', async () => {
    const q1 = await buildReport(store, SYSTEM, { academicYear: '2025/26', quarter: 1, forPublication: true });
    expect(row(q1, 'SCH-A', 'off-site-directions')).toMatchObject({ value: null, ratePer100: null });
    expect(row(q1, 'SCH-B', 'part-time-timetables')).toMatchObject({ value: null, ratePer100: null });
    // A's 3 and all schools' 4 would give B's 1 back: one of them is withheld too.
    const shown = [row(q1, 'SCH-A', 'part-time-timetables')?.value, row(q1, 'all', 'part-time-timetables')?.value].filter((v) => v !== null);
    expect(shown.length).toBeLessThan(2);
    // All the schools' single off-site direction is withheld, so no school is shown beside it.
    expect(row(q1, 'all', 'off-site-directions')?.value).toBeNull();
    expect(row(q1, 'SCH-A', 'off-site-directions')?.councilRatePer100).toBeNull();
  });
});
