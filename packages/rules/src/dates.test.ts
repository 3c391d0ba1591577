import { describe, expect, it } from 'vitest';
import { dayNumber, isIsoDate, isoDate, longDate, shortDate, weekdayName } from './dates.js';

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
      expect(() => dayNumber(text)).toThrow(/is not a date written YYYY-MM-DD/);
    },
  );

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
