/**
 * A hand-checked cohort for the figures' tests, written as pupil-record/1 NDJSON files: two
 * schools on different calendars, every figure below worked out by hand.
 *
 * SCH-A (the example 2025/26 calendar), 40 pupils on roll in the year — 39 to the end of December:
 *   A01–A24 suspended once on Mon 6 Oct 2025 (2 sessions, DB); A25–A40 never.
 *   SEND   none A01–A20, A25–A34 (30) · K A21–A23, A35–A38 (7) · E A24, A39, A40 (3)
 *   sex    M A01–A16, A25–A30 (22) · F the rest (18)
 *   year   9: A01–A10, A25–A32 · 10: A11–A20, A33–A40 · 11: A21–A24
 *   FSM A01–A06, A25, A26 (8) · looked after A24 only · ethnicity WBRI but A21–A24 (not recorded)
 *   A01 again 14 Oct (2 sessions, PA and VA)                       → 2 suspensions
 *   A02 again 17 Nov (20 sessions) PA and 3 Dec (12 sessions) DB   → 3 suspensions, 17 days in autumn
 *   A03 4 lunchtimes from 12 Jan 2026 (DM)                         → 2 days lost
 *   A04 (year 9, boy, FSM) left on Fri 12 Dec 2025, its last day on roll: on the roll of every
 *       2025/26 period (each runs from September), not of the summer term alone nor of 2026/27;
 *       a later file leaves it out altogether (the record stays in the store)
 *   A40 (year 10, girl, EHC plan) joined on Tue 6 Jan 2026: not on the roll to the end of
 *       December (quarter 1, the autumn term), on it from then
 *   A05 again 6 Jul 2026 (2 sessions)                              → summer term, not quarter 3
 *   A06 permanently excluded 3 Feb 2026 (OW)
 *   A07 a suspension on 20 Jan 2026, cancelled                     → not counted
 * SCH-B (spring term to Thu 2 Apr 2026, summer from 20 Apr), 6 pupils, all boys in year 5:
 *   B02–B04 suspended 5 Nov 2025 (2 sessions, DB); B01 on Wed 1 Apr 2026 (2 sessions, VA)
 *   → in B's spring term, after quarter 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PupilRecordInput } from '@before-exclusion/rules';
import { DEMO_FILES } from '../testing.js';

type ExclusionInput = NonNullable<PupilRecordInput['exclusions']>[number];

const fixd = (id: string, startDate: string, sessions: number, reasons: string[] = ['DB'], extra: Partial<ExclusionInput> = {}): ExclusionInput =>
  ({ id, category: 'FIXD', startDate, sessions, reasons, ...extra }) as ExclusionInput;

/** SCH-A's pupils, as written in its file. */
export function schoolA(): PupilRecordInput[] {
  const pupils: PupilRecordInput[] = [];
  for (let n = 1; n <= 40; n++) {
    const id = `A${String(n).padStart(2, '0')}`;
    const send = n <= 20 ? 'none' : n <= 23 ? 'K' : n === 24 ? 'E' : n <= 34 ? 'none' : n <= 38 ? 'K' : 'E';
    pupils.push({
      id,
      schoolId: 'SCH-A',
      sex: n <= 16 || (n >= 25 && n <= 30) ? 'M' : 'F',
      yearGroup: n <= 10 ? 9 : n <= 20 ? 10 : n <= 24 ? 11 : n <= 32 ? 9 : 10,
      send,
      fsm: n <= 6 || n === 25 || n === 26,
      lookedAfter: n === 24,
      ...(n >= 21 && n <= 24 ? {} : { ethnicity: 'WBRI' }),
      ...(n === 4 ? { leftOn: '2025-12-12' } : n === 40 ? { joinedOn: '2026-01-06' } : {}),
      exclusions: n <= 24 ? [fixd(`${id}-X1`, '2025-10-06', 2)] : [],
    });
  }
  const more: Record<string, ExclusionInput[]> = {
    A01: [fixd('A01-X2', '2025-10-14', 2, ['PA', 'VA'])],
    A02: [fixd('A02-X2', '2025-11-17', 20, ['PA']), fixd('A02-X3', '2025-12-03', 12)],
    A03: [{ id: 'A03-L1', category: 'LNCH', startDate: '2026-01-12', lunchtimes: 4, reasons: ['DM'] } as ExclusionInput],
    A05: [fixd('A05-X2', '2026-07-06', 2)],
    A06: [{ id: 'A06-P1', category: 'PERM', startDate: '2026-02-03', reasons: ['OW'] } as ExclusionInput],
    A07: [fixd('A07-X2', '2026-01-20', 2, ['DB'], { cancelled: true })],
  };
  return pupils.map((p) => ({ ...p, exclusions: [...(p.exclusions ?? []), ...(more[p.id] ?? [])] }));
}

function schoolB(): PupilRecordInput[] {
  return [1, 2, 3, 4, 5, 6].map((n) => ({
    id: `B0${n}`,
    schoolId: 'SCH-B',
    sex: 'M',
    yearGroup: 5,
    ethnicity: 'WBRI',
    exclusions: n === 1 ? [fixd('B01-X1', '2026-04-01', 2, ['VA'])] : n <= 4 ? [fixd(`B0${n}-X1`, '2025-11-05', 2)] : [],
  }));
}

/** SCH-B's own calendar: the example's, with the spring term to 2 April and the summer term from 20 April. */
function calendarB(): unknown {
  const example = JSON.parse(readFileSync(DEMO_FILES.calendar, 'utf8')) as { halfTerms: { name: string; start: string; end: string }[] };
  return {
    ...example,
    name: 'School B 2025/26 (test)',
    halfTerms: example.halfTerms.map((h) => (h.name === 'spring-2' ? { ...h, end: '2026-04-02' } : h.name === 'summer-1' ? { ...h, start: '2026-04-20' } : h)),
  };
}

const ndjson = (records: readonly object[]) => records.map((r) => JSON.stringify(r)).join('\n');

/** The cohort's files in a fresh folder: each school's pupils, A's again without the leaver (A04), and B's calendar. */
export function cohortFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'report-cohort-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  return {
    pupilsA: file('school-a.ndjson', ndjson(schoolA())),
    pupilsAWithoutLeaver: file('school-a-later.ndjson', ndjson(schoolA().filter((p) => p.id !== 'A04'))),
    pupilsB: file('school-b.ndjson', ndjson(schoolB())),
    calendarA: DEMO_FILES.calendar,
    calendarB: file('calendar-b.json', JSON.stringify(calendarB())),
  };
}
