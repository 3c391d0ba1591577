import { describe, expect, it } from 'vitest';
import { dayNumber, isIsoDate, isoDate, longDate, notARealDate, shortDate, weekdayName } from './dates.js';
import { InputError } from './problems.js';
import { parsePupilRecord } from './pupilRecord.js';
import { parseCalendar } from './calendar/calendarFile.js';
import { defaultRulePack, parseRule } from './rulePack.js';

describe('dates', () => {
  it('agrees with the JavaScript Date for every day from 1900 to 2100', () => {
    for (let day = dayNumber('1900-01-01'); day <= dayNumber('2100-12-31'); day++) {
      const text = new Date(day * 86_400_000).toISOString().slice(0, 10);
      expect(dayNumber(text)).toBe(day);
      expect(isoDate(day)).toBe(text);
    }
  });

  it.each(['2026-02-30', '2025-13-01', '2025-00-10', '2025-1-01', '2025/10/01', '20251001', '2024-02-30', '2100-02-29', ' 2025-10-01'])(
    'refuses %j',
    (text) => {
      expect(isIsoDate(text)).toBe(false);
      expect(() => dayNumber(text)).toThrow(InputError);
      expect(() => dayNumber(text)).toThrow(/is not a real date|is not a date written YYYY-MM-DD/);
    },
  );

  it('says why a date is not real, as an InputError with the code date.not-real', () => {
    let refusal: InputError | undefined;
    try {
      dayNumber('2025-10-32');
    } catch (error) {
      refusal = error as InputError;
    }
    expect(refusal).toBeInstanceOf(InputError);
    expect(refusal?.problems).toEqual([{ code: 'date.not-real', message: '"2025-10-32" is not a real date: October 2025 has 31 days' }]);
    expect(notARealDate('2025-02-29')).toBe('"2025-02-29" is not a real date: February 2025 has 28 days');
    expect(notARealDate('2025-13-01')).toBe('"2025-13-01" is not a real date: there is no month 13 (01 to 12)');
    expect(notARealDate('1/10/2025')).toBe('"1/10/2025" is not a date written YYYY-MM-DD');
  });

  it('says so in a calendar and a rule file too, with the same code', () => {
    const calendar = { academicYear: '2025/26', halfTerms: [], nonSchoolDays: ['2025-10-32'] };
    let refusal: InputError | undefined;
    try {
      parseCalendar(calendar, 'cal.json');
    } catch (error) {
      refusal = error as InputError;
    }
    expect(refusal?.problems).toContainEqual({ code: 'date.not-real', file: 'cal.json', field: 'nonSchoolDays[0]', message: '"2025-10-32" is not a real date: October 2025 has 31 days' });
    const rule = { ...defaultRulePack().rules[0], effectiveFrom: '2025-02-29', values: undefined, resolvedConditions: undefined, file: undefined, facts: undefined };
    try {
      parseRule(JSON.parse(JSON.stringify(rule)), 'rule.json');
    } catch (error) {
      refusal = error as InputError;
    }
    expect(refusal?.problems).toEqual([{ code: 'date.not-real', file: 'rule.json', field: 'effectiveFrom', message: '"2025-02-29" is not a real date: February 2025 has 28 days' }]);
  });

  it('says so in a pupil record too, with the same code', () => {
    const parsed = parsePupilRecord({ id: 'P1', schoolId: 'S1', joinedOn: '2025-10-32' });
    expect(parsed.ok ? [] : parsed.problems).toEqual([
      { code: 'date.not-real', location: 'pupil P1', field: 'joinedOn', message: '"2025-10-32" is not a real date: October 2025 has 31 days' },
    ]);
  });

  it('accepts leap days in leap years', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
  });

  it('writes dates for people', () => {
    expect(shortDate('2025-10-02')).toBe('2 Oct');
    expect(longDate('2025-10-02')).toBe('Thursday 2 Oct 2025');
    expect(weekdayName('2025-10-25')).toBe('Saturday');
  });
});
