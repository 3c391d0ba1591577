import { describe, expect, it } from 'vitest';
import { pupilRecordSchema } from '@before-exclusion/rules';
import { combinedRoll, rollOf } from './exclusionFigures.js';
import { schoolA } from './reportCohort.fixture.js';

/** SCH-A of the hand-checked cohort: A04 left on 12 Dec 2025, A40 joined on 6 Jan 2026. */
const pupils = schoolA().map((p) => pupilRecordSchema.parse(p));

// Terms of the example 2025/26 calendar that SCH-A follows.
const autumnTerm = { start: '2025-09-01', end: '2025-12-19' };
const summerTerm = { start: '2026-04-13', end: '2026-07-22' };
const yearToSummer = { start: '2025-09-01', end: '2026-07-22' };

describe('the roll for a period', () => {
  it('counts the pupils on roll at any point in it: a leaver in the periods they were on roll in and not after, a joiner from the day they joined', () => {
    const autumn = rollOf(pupils, autumnTerm);
    const summer = rollOf(pupils, summerTerm);
    const year = rollOf(pupils, yearToSummer);
    expect([autumn.total, summer.total, year.total]).toEqual([39, 39, 40]);
    // A04, a boy in year 9 on free school meals, is on the autumn term's roll and not the summer term's.
    expect(['year-group|year-9', 'sex|M', 'fsm|fsm'].map((g) => [autumn.groups?.get(g), summer.groups?.get(g), year.groups?.get(g)])).toEqual([
      [18, 17, 18],
      [22, 21, 22],
      [8, 7, 8],
    ]);
    // A40, with an EHC plan, is on the summer term's roll and not the autumn term's.
    expect([autumn.groups?.get('send|E'), summer.groups?.get('send|E'), year.groups?.get('send|E')]).toEqual([2, 3, 3]);
    // The last day on roll and the first both count.
    expect(rollOf(pupils, { start: '2025-12-12', end: '2025-12-12' }).total).toBe(39);
    expect(rollOf(pupils, { start: '2025-12-13', end: '2026-01-05' }).total).toBe(38);
    expect(rollOf(pupils, { start: '2026-01-06', end: '2026-01-06' }).total).toBe(39);
  });

  it('takes a roll given instead, without groups, and adds schools\' rolls together', () => {
    expect(rollOf(pupils, summerTerm, 1200)).toEqual({ total: 1200, groups: undefined });
    const both = combinedRoll([rollOf(pupils, autumnTerm), rollOf(pupils, summerTerm)]);
    expect([both.total, both.groups?.get('send|E')]).toEqual([78, 5]);
    expect(combinedRoll([rollOf(pupils, autumnTerm), rollOf(pupils, summerTerm, 1200)])).toEqual({ total: 1239, groups: undefined });
  });
});
