import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './calendar/bundled.js';
import { derivePupilFacts } from './facts.js';
import { InputError } from './problems.js';
import { pupil, suspension } from './testing.js';

const calendar = bundledCalendar('2025/26');

describe('suspension days per term and year', () => {
  it('counts each day in the term it falls in, across the Christmas holiday', () => {
    // Thu 18 Dec for 6 sessions: Thu, Fri in autumn; Tue 6 Jan in spring (5 Jan is INSET).
    const facts = derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-12-18', 6)] }), calendar, '2026-01-20');
    expect(facts.exclusions[0]?.daysByTerm).toEqual({ autumn: 2, spring: 1 });
    expect(facts.exclusions[0]?.lastDate).toBe('2026-01-06');
    expect(facts.suspensionDaysByTerm).toEqual({ autumn: 2, spring: 1, summer: 0 });
  });

  it('counts a lunchtime as half a day and adds days at previous schools to the year', () => {
    const facts = derivePupilFacts(
      pupil({
        priorSchoolSuspensionDays: 12.5,
        exclusions: [{ id: 'L1', category: 'LNCH', startDate: '2025-10-06', lunchtimes: 3, reasons: ['DB'] }, suspension('S1', '2025-11-10', 4)],
      }),
      calendar,
      '2025-12-01',
    );
    expect(facts.suspensionDaysByTerm.autumn).toBe(3.5);
    expect(facts.suspensionDaysThisYear).toBe(16);
  });

  it('gives each exclusion the running term total once it is counted', () => {
    const facts = derivePupilFacts(pupil({ exclusions: [suspension('S2', '2025-11-10', 6), suspension('S1', '2025-10-01', 6)] }), calendar, '2025-12-01');
    expect(facts.exclusions.map((e) => [e.id, e.termTotal.days])).toEqual([['S1', 3], ['S2', 6]]);
    expect(facts.exclusions[1]?.termTotal.parts).toEqual([{ id: 'S1', days: 3 }, { id: 'S2', days: 3 }]);
  });

  it('ignores cancelled exclusions and those starting after the evaluation date', () => {
    const facts = derivePupilFacts(
      pupil({ exclusions: [suspension('S1', '2025-10-01', 2, { cancelled: true }), suspension('S2', '2025-10-02', 2), suspension('S3', '2025-10-20', 2)] }),
      calendar,
      '2025-10-10',
    );
    expect(facts.exclusions.map((e) => e.id)).toEqual(['S2']);
  });
});

describe('consecutive days of exclusion', () => {
  it('joins back-to-back suspensions over a weekend and finds the sixth day', () => {
    // Wed 1 Oct for 6 sessions (Wed–Fri), then Mon 6 Oct for 6 (Mon–Wed): day 6 is Mon 6 Oct + 2 = Wed 8 Oct.
    const facts = derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-01', 6), suspension('S2', '2025-10-06', 6)] }), calendar, '2025-10-20');
    expect(facts.exclusions[1]?.consecutive).toEqual({ daysBefore: 3, daysThrough: 6, sixthDay: '2025-10-08', fullTimeEducationFrom: '2025-10-08', exclusionIds: ['S1', 'S2'] });
    expect(facts.exclusions[0]?.consecutive.sixthDay).toBeUndefined();
  });

  it('starts the sixth day at the eleventh session when a run starts in the afternoon', () => {
    const facts = derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-06', 11, { startSession: 'PM' })] }), calendar, '2025-10-20');
    expect(facts.exclusions[0]?.consecutive.sixthDay).toBe('2025-10-13');
    const five = derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-06', 10, { startSession: 'PM' })] }), calendar, '2025-10-20');
    expect(five.exclusions[0]?.consecutive.sixthDay).toBeUndefined();
  });

  it('does not join suspensions with a school day between them', () => {
    const facts = derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-01', 6), suspension('S2', '2025-10-07', 6)] }), calendar, '2025-10-20');
    expect(facts.exclusions[1]?.consecutive).toMatchObject({ daysBefore: 0, daysThrough: 3, exclusionIds: ['S2'] });
  });
});

describe('attendance', () => {
  it('counts possible sessions by mark meaning and windows over recent school days', () => {
    const attendance = calendar.schoolDaysIn(calendar.halfTerms[0]!).map((date, i) => ({ date, am: i < 10 ? 'I' : '/', pm: i < 10 ? 'O' : 'Y1' }));
    const facts = derivePupilFacts(pupil({ attendance: attendance as never }), calendar, '2025-10-24');
    // 38 school days: 76 AM/PM sessions; the 28 later PMs are Y1 (not possible).
    expect(facts.attendance.possibleSessions).toBe(48);
    expect(facts.attendance.missedSessions).toBe(20);
    expect(facts.attendance.overLastSchoolDays(5).rate).toBe(100);
    expect(facts.attendance.overLastSchoolDays(5).from).toBe('2025-10-20');
  });
});

describe('checking a record against the calendar', () => {
  it('refuses suspensions that overlap, since their days would count twice', () => {
    try {
      derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-06', 6), suspension('S2', '2025-10-07', 2, { startSession: 'PM' })] }), calendar, '2025-11-20');
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
        'exclusions[1].startDate: S2 starts PM Tuesday 7 Oct 2025, while S1 (exclusions[0]) still covers that session; exclusions may follow each other but not overlap',
      ]);
    }
  });

  it('refuses an exclusion starting on a day that is not a school day, naming the field', () => {
    expect(() => derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-27', 2)] }), calendar, '2025-11-20')).toThrow(InputError);
    try {
      derivePupilFacts(pupil({ exclusions: [suspension('S1', '2025-10-27', 2)] }), calendar, '2025-11-20');
    } catch (error) {
      expect((error as InputError).problems).toEqual([
        { code: 'record.not-a-school-day', location: 'pupil P1', field: 'exclusions[0].startDate', message: 'Monday 27 Oct 2025 is not a school day in the England 2025/26 (example) calendar (weekend, holiday, INSET day or closure)' },
      ]);
    }
  });
});
