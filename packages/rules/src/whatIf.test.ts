/**
 * What-if on a cohort of 20 pupils whose answer is counted by hand: raising the PEAP threshold
 * from 2 to 3 and lowering the EBSNA attendance line from 90% to 85%.
 */
import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { defaultRulePack } from './rulePack.js';
import { pupil, suspension } from './testing.js';
import { compareRulePacks, withheld } from './whatIf.js';

const calendar = bundledCalendar('2025/26');
const asOf = '2025-11-20';

/** Every school day to `asOf` present, except the given number of sessions off sick at the end (inside the 30-day window). */
function attendance(sessionsOff: number) {
  const days = Array.from({ length: calendar.schoolDaysUpTo(asOf) }, (_, i) => ({ date: calendar.schoolDayAt(i), am: '/' as string, pm: '/' as string }));
  for (let s = 0; s < sessionsOff; s++) {
    const day = days[days.length - 1 - Math.floor(s / 2)]!;
    if (s % 2 === 0) day.pm = 'I';
    else day.am = 'I';
  }
  return days as { date: string; am: 'I' | '/'; pm: 'I' | '/' }[];
}

// Two suspensions in the first half of the autumn term: a PEAP at 2, none at 3.
const twoSuspensions = [suspension('X1', '2025-10-02', 2), suspension('X2', '2025-10-14', 2)];
const threeSuspensions = [...twoSuspensions, suspension('X3', '2025-10-09', 2)];
const cohort = [
  // 4 pupils lose their PEAP: SEN support (2), an EHC plan (1), no SEND (1); all on free school meals.
  pupil({ id: 'A1', send: 'K', fsm: true, exclusions: twoSuspensions }),
  pupil({ id: 'A2', send: 'K', fsm: true, exclusions: twoSuspensions }),
  pupil({ id: 'A3', send: 'E', fsm: true, exclusions: twoSuspensions }),
  pupil({ id: 'A4', fsm: true, exclusions: twoSuspensions }),
  // 3 keep theirs (three suspensions).
  pupil({ id: 'B1', exclusions: threeSuspensions }),
  pupil({ id: 'B2', exclusions: threeSuspensions }),
  pupil({ id: 'B3', exclusions: threeSuspensions }),
  // 3 lose the EBSNA suggestion: 7 sessions missed of the last 60 (88.3%: under 90, not under 85); one on free school meals.
  pupil({ id: 'C1', fsm: true, ebsnaIndicators: ['anxiety'], attendance: attendance(7) }),
  pupil({ id: 'C2', ebsnaIndicators: ['anxiety'], attendance: attendance(7) }),
  pupil({ id: 'C3', ebsnaIndicators: ['anxiety'], attendance: attendance(7) }),
  // 10 with nothing to change.
  ...Array.from({ length: 10 }, (_, i) => pupil({ id: `D${i + 1}`, attendance: attendance(0) })),
];
const proposed = defaultRulePack().withOverrides({
  format: 'rule-pack/1',
  name: 'PEAP at 3, EBSNA under 85%',
  parameters: { 'peap.required': { threshold: 3 }, 'ebsna.referral-suggested': { attendanceBelow: 85 } },
});

describe('compareRulePacks', () => {
  it('lists each pupil who would lose a trigger, and which', async () => {
    const c = await compareRulePacks(cohort, calendar, { asOf, current: defaultRulePack(), proposed });
    expect(c.pupils).toBe(20);
    expect(c.pupilsGaining).toBe(0);
    expect(c.pupilsLosing).toBe(7);
    expect(c.differences.map((d) => `${d.pupilId}: ${d.lost.map((t) => `${t.trigger} ${t.period}`).join(', ')}`)).toEqual([
      'A1: peap.required 2025/26 autumn-1',
      'A2: peap.required 2025/26 autumn-1',
      'A3: peap.required 2025/26 autumn-1',
      'A4: peap.required 2025/26 autumn-1',
      'C1: ebsna.referral-suggested 2025/26 autumn-2',
      'C2: ebsna.referral-suggested 2025/26 autumn-2',
      'C3: ebsna.referral-suggested 2025/26 autumn-2',
    ]);
    expect(c.differences.every((d) => d.gained.length === 0)).toBe(true);
  });

  it('counts triggers under each pack, withholding 1s and 2s', async () => {
    const c = await compareRulePacks(cohort, calendar, { asOf, current: defaultRulePack(), proposed });
    const row = (trigger: string) => c.triggers.find((t) => t.trigger === trigger);
    expect(row('peap.required')).toEqual({ trigger: 'peap.required', current: 7, proposed: 3, pupilsGaining: 0, pupilsLosing: 4 });
    expect(row('ebsna.referral-suggested')).toEqual({ trigger: 'ebsna.referral-suggested', current: 3, proposed: 0, pupilsGaining: 0, pupilsLosing: 3 });
    // 7 pupils × 2 suspensions + 3 × 3: every exclusion notifies the parents, under both packs.
    expect(row('statutory.notify-parents')).toMatchObject({ current: 17, proposed: 17, pupilsLosing: 0 });
  });

  it('withholds a trigger\'s row (but its zeros) when any count in it is small: now + gaining − losing = proposed would give it back', async () => {
    // Four pupils at 2 suspensions, one at 3: at a threshold of 3, 1 PEAP remains of 5 and 4 pupils lose theirs.
    const few = [...cohort.filter((p) => ['A1', 'A2', 'A3', 'A4'].includes(p.id)), pupil({ id: 'T1', exclusions: threeSuspensions })];
    const c = await compareRulePacks(few, calendar, { asOf, current: defaultRulePack(), proposed });
    expect(c.triggers.find((t) => t.trigger === 'peap.required')).toEqual({ trigger: 'peap.required', current: 'c', proposed: 'c', pupilsGaining: 0, pupilsLosing: 'c' });
  });

  it('breaks the change down by group, rates per 100, small numbers withheld so none can be worked out', async () => {
    const c = await compareRulePacks(cohort, calendar, { asOf, current: defaultRulePack(), proposed });
    const group = (characteristic: string) => c.groups.filter((g) => g.characteristic === characteristic).map(({ characteristic: _, ...g }) => g);
    expect(group('send')).toEqual([
      // 1 and 2 pupils: withheld, and so are their rates.
      { group: 'no SEND', pupils: 17, gaining: 0, gainingRate: 0, losing: 4, losingRate: 23.5 },
      { group: 'SEN support', pupils: 'c', gaining: 0, gainingRate: 'c', losing: 'c', losingRate: 'c' },
      { group: 'EHC plan', pupils: 'c', gaining: 0, gainingRate: 'c', losing: 'c', losingRate: 'c' },
    ]);
    // 2 of the 7 losing are not on free school meals: withheld, and so is the 5 (7 − 5 would give it away).
    expect(group('fsm')).toEqual([
      { group: 'eligible', pupils: 5, gaining: 0, gainingRate: 0, losing: 'c', losingRate: 'c' },
      { group: 'not eligible', pupils: 15, gaining: 0, gainingRate: 0, losing: 'c', losingRate: 'c' },
    ]);
    expect(group('sex')).toEqual([{ group: 'unknown', pupils: 20, gaining: 0, gainingRate: 0, losing: 7, losingRate: 35 }]);
    expect(group('ethnicity')).toEqual([{ group: 'not recorded', pupils: 20, gaining: 0, gainingRate: 0, losing: 7, losingRate: 35 }]);
  });

  it('finds no change when the packs are the same', async () => {
    const c = await compareRulePacks(cohort, calendar, { asOf, current: defaultRulePack(), proposed: defaultRulePack() });
    expect(c.differences).toEqual([]);
    expect(c.pupilsLosing).toBe(0);
  });
});

describe('withheld', () => {
  it('hides 1s and 2s, then enough others that subtraction from the total gives nothing away', () => {
    expect([...withheld([17, 2, 1])].sort()).toEqual([1, 2]);
    expect([...withheld([5, 2])].sort()).toEqual([0, 1]);
    expect([...withheld([1, 1, 9, 4])].sort()).toEqual([0, 1, 3]);
    expect([...withheld([10, 0, 3])]).toEqual([]);
  });
});
