import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticCohort } from './bench/cohort.js';
import { bundledCalendar } from './calendar/bundled.js';
import { parsePupilRecord } from './pupilRecord.js';
import { FAST_VALIDATION, readPupilRecord, wellFormedPupilRecord } from './wellFormedRecord.js';

const calendar = bundledCalendar('2025/26');
const cohort = [...syntheticCohort({ pupils: 3000, seed: 11, calendar, asOf: '2026-05-20' })].map((p) => JSON.parse(JSON.stringify(p)) as Record<string, unknown>);

describe('the fast validation path', () => {
  it('is on for the record schema as it stands', () => {
    expect(FAST_VALIDATION).toBe(true);
  });

  it('gives exactly the record zod gives, for every pupil of a synthetic cohort', { timeout: 60_000 }, () => {
    let fast = 0;
    for (const json of cohort) {
      const mine = wellFormedPupilRecord(json);
      const zod = parsePupilRecord(json);
      expect(zod.ok).toBe(true);
      if (mine) fast++;
      if (mine && zod.ok) expect(mine).toStrictEqual(zod.record);
    }
    // Every well-formed record takes the fast path (SUSP written for FIXD included), but for those
    // with pupil movement, which this path leaves to zod by design.
    const movement = ['offSiteDirections', 'managedMoves', 'safeguardingSeparations', 'partTimeTimetables'];
    const plain = cohort.filter((p) => !movement.some((kind) => kind in p)).length;
    expect(plain).toBeLessThan(cohort.length);
    expect(fast).toBe(plain);
  });

  it('never accepts what zod refuses, nor gives a different record, whatever a field holds', { timeout: 60_000 }, () => {
    const base = cohort.find((p) => {
      const exclusions = p.exclusions as { category: string }[] | undefined;
      return exclusions && exclusions.length > 1 && ['FIXD', 'SUSP'].includes(exclusions[0]!.category);
    })!;
    expect(base).toBeDefined();
    const constants = [undefined, null, true, false, 0, 1, 2.5, -1, 46, 91, '', 'AM', 'PM', 'E', 'K', 'none', 'LNCH', 'SUSP', 'PERM', 'FIXD', 'DB', 'I', '/', 'anxiety', '2026-02-30', '2026-02-27', '1989-12-31', 'pupil-record/1', 'WBRI', 'x y', 'constructor', '__proto__'];
    const values = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...constants) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
    const pathList: (string | number)[][] = [
      ['id'], ['schoolId'], ['format'], ['joinedOn'], ['leftOn'], ['yearGroup'], ['sex'], ['ethnicity'], ['send'], ['fsm'], ['lookedAfter'],
      ['priorSchoolSuspensionDays'], ['exclusions'], ['attendance'], ['ebsnaIndicators'], ['unknownField'], ['hasFurtherPublicExams'],
      ['exclusions', 0, 'category'], ['exclusions', 0, 'sessions'], ['exclusions', 0, 'lunchtimes'], ['exclusions', 1, 'id'], ['exclusions', 0, 'reasons'],
      ['exclusions', 0, 'startSession'], ['exclusions', 0, 'startDate'], ['exclusions', 0, 'cancelled'], ['exclusions', 0, 'extra'],
      ['attendance', 0, 'am'], ['attendance', 0, 'date'], ['attendance', 1, 'pm'], ['attendance', 0, 'note'], ['ebsnaIndicators', 0],
    ];
    const check = (edits: readonly (readonly [(string | number)[], unknown])[]) => {
      const json = structuredClone(base);
      for (const [path, value] of edits) {
        let node: unknown = json;
        for (const step of path.slice(0, -1)) node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[step] : undefined;
        if (node && typeof node === 'object') {
          const key = path[path.length - 1]!;
          if (value === undefined) delete (node as Record<string | number, unknown>)[key];
          else (node as Record<string | number, unknown>)[key] = value;
        }
      }
      const mine = wellFormedPupilRecord(json);
      const zod = parsePupilRecord(json);
      if (mine) {
        expect(zod.ok).toBe(true);
        if (zod.ok) expect(mine).toStrictEqual(zod.record);
      }
      // Whichever path answers, the caller gets zod's verdict.
      expect(readPupilRecord(json, { location: 'line 1' })).toStrictEqual(zod.ok ? zod : parsePupilRecord(json, { location: 'line 1' }));
    };
    // Every field given every awkward value, one at a time; then random combinations.
    for (const path of pathList) for (const value of constants) check([[path, value]]);
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom(...pathList), values), { minLength: 1, maxLength: 3 }), (edits) => check(edits)), {
      numRuns: Number(process.env.FUZZ_RUNS ?? 1000),
    });
  });
});
