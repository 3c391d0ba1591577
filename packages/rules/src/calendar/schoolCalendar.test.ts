import { describe, expect, it } from 'vitest';
import { bundledCalendar } from './bundled.js';
import { OutsideCalendarError } from './schoolCalendar.js';

const calendar = bundledCalendar('2025/26');

describe('isSchoolDay', () => {
  it.each([
    ['2025-09-03', true, 'the first day pupils are in'],
    ['2025-09-01', false, 'an INSET day'],
    ['2025-09-06', false, 'a Saturday'],
    ['2025-10-27', false, 'the October half-term holiday'],
    ['2025-11-03', false, 'an INSET day at the start of autumn-2'],
    ['2025-11-04', true, 'the first pupil day of autumn-2'],
    ['2025-12-25', false, 'Christmas, between terms'],
    ['2026-05-04', false, 'the early May bank holiday'],
    ['2026-08-10', false, 'the summer holiday, after the year'],
    ['2025-08-29', false, 'before the year'],
  ])('%s is a school day: %s (%s)', (date, expected) => {
    expect(calendar.isSchoolDay(date)).toBe(expected);
  });
});

describe('addSchoolDays and schoolDaysBetween', () => {
  it('counts 15 school days after a suspension starts, skipping weekends', () => {
    expect(calendar.addSchoolDays('2025-10-02', 15)).toBe('2025-10-23');
  });

  it('skips the half-term holiday and the INSET day after it', () => {
    // Fri 24 Oct, then half-term, then INSET Mon 3 Nov: the next school day is Tue 4 Nov.
    expect(calendar.addSchoolDays('2025-10-24', 1)).toBe('2025-11-04');
    expect(calendar.schoolDaysBetween('2025-10-24', '2025-11-04')).toBe(1);
  });

  it('steps backwards with a negative count', () => {
    expect(calendar.addSchoolDays('2025-11-04', -1)).toBe('2025-10-24');
  });

  it('from a day that is not a school day, counts from the next one', () => {
    expect(calendar.addSchoolDays('2025-10-25', 0)).toBe('2025-11-04');
    expect(calendar.addSchoolDays('2025-10-25', 1)).toBe('2025-11-04');
    expect(calendar.addSchoolDays('2025-10-25', 2)).toBe('2025-11-05');
    expect(calendar.addSchoolDays('2025-10-25', -1)).toBe('2025-10-24');
  });

  it('is the inverse of schoolDaysBetween for every school day', () => {
    for (let i = 0; i < calendar.schoolDayCount - 50; i += 7) {
      const day = calendar.schoolDayAt(i);
      for (const n of [1, 5, 15, 50]) expect(calendar.schoolDaysBetween(day, calendar.addSchoolDays(day, n))).toBe(n);
    }
  });

  it('refuses to count past the end of the year, saying which calendar to use', () => {
    expect(() => calendar.addSchoolDays('2026-07-01', 50)).toThrow(OutsideCalendarError);
    expect(() => calendar.addSchoolDays('2026-07-01', 50)).toThrow(/next|neighbouring year's calendar/);
  });
});

describe('halfTermOf and termOf', () => {
  it('names the half-term and term of a date, and nothing in a holiday', () => {
    expect(calendar.halfTermOf('2025-10-24')?.name).toBe('autumn-1');
    expect(calendar.halfTermOf('2025-11-04')?.name).toBe('autumn-2');
    expect(calendar.termOf('2026-02-23')).toBe('spring');
    expect(calendar.termOf('2026-06-15')).toBe('summer');
    expect(calendar.halfTermOf('2025-10-29')).toBeUndefined();
  });

  it('knows the half-term in progress, or the last one started, on any date', () => {
    expect(calendar.latestHalfTermBy('2025-10-29')?.name).toBe('autumn-1');
    expect(calendar.latestHalfTermBy('2025-08-01')).toBeUndefined();
  });
});

describe('laySessions', () => {
  it('lays a PM start over the weekend', () => {
    const { covered } = calendar.laySessions('2025-10-09', 'PM', 4);
    expect(covered).toEqual([
      { date: '2025-10-09', session: 'PM' },
      { date: '2025-10-10', session: 'AM' },
      { date: '2025-10-10', session: 'PM' },
      { date: '2025-10-13', session: 'AM' },
    ]);
  });

  it('skips the half-term holiday and an INSET day', () => {
    const { covered } = calendar.laySessions('2025-10-24', 'AM', 4);
    expect(covered.map((s) => s.date)).toEqual(['2025-10-24', '2025-10-24', '2025-11-04', '2025-11-04']);
  });

  it('reports sessions that would run past the end of the year', () => {
    const lastSchoolDay = calendar.schoolDayAt(calendar.schoolDayCount - 1);
    const { covered, beyondYear } = calendar.laySessions(lastSchoolDay, 'AM', 6);
    expect(covered).toHaveLength(2);
    expect(beyondYear).toBe(4);
  });

  it('refuses to start on a day that is not a school day', () => {
    expect(() => calendar.laySessions('2025-10-27', 'AM', 2)).toThrow(/Monday 27 Oct 2025 is not a school day/);
  });
});

describe('the bundled example calendars', () => {
  it.each(['2025/26', '2026/27'] as const)('%s has six half-terms and is marked as an example', (year) => {
    const cal = bundledCalendar(year);
    expect(cal.halfTerms.map((h) => h.name)).toEqual(['autumn-1', 'autumn-2', 'spring-1', 'spring-2', 'summer-1', 'summer-2']);
    expect(cal.example).toBe(true);
    expect(cal.schoolDayCount).toBeGreaterThanOrEqual(185);
    expect(cal.schoolDayCount).toBeLessThanOrEqual(195);
  });
});
