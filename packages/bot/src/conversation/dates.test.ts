/**
 * Dates as a head types them: the forms England writes, a day and month read in the current
 * school year, and a plain sentence for a date that does not exist or cannot be read.
 */
import { describe, expect, it } from 'vitest';
import { DATE_EXAMPLES, parseDateInput } from './dates.js';

const TODAY = '2026-03-20'; // a Friday in the spring term of 2025/26

describe('parseDateInput', () => {
  it.each([
    ['2026-03-23', '2026-03-23'],
    ['23/03/2026', '2026-03-23'],
    ['23/3/26', '2026-03-23'],
    ['23.03.2026', '2026-03-23'],
    ['23-3-2026', '2026-03-23'],
    ['23 Mar', '2026-03-23'],
    ['23 March 2026', '2026-03-23'],
    ['23rd March', '2026-03-23'],
    ['23 of March 2026', '2026-03-23'],
    ['Mon 23 Mar', '2026-03-23'],
    ['Monday, 23 March 2026', '2026-03-23'],
    ['March 23', '2026-03-23'],
    ['  23  MAR 26. ', '2026-03-23'],
    ['2 Sept', '2025-09-02'],
    ['today', TODAY],
    ['Tomorrow', '2026-03-21'],
    ['yesterday', '2026-03-19'],
  ])('reads "%s" as %s', (typed, date) => {
    expect(parseDateInput(typed, TODAY)).toEqual({ date });
  });

  it('reads numbers day first, as England writes them', () => {
    expect(parseDateInput('03/04/2026', TODAY)).toEqual({ date: '2026-04-03' });
    expect(parseDateInput('03/23/2026', TODAY)).toEqual({ error: '"03/23/2026" has no month 23: dates are read day first, like 23/03/2026.' });
  });

  it('reads a day and month without a year in the current school year (September to August), past or to come', () => {
    expect(parseDateInput('13 Apr', TODAY)).toEqual({ date: '2026-04-13' });
    expect(parseDateInput('2 Oct', TODAY)).toEqual({ date: '2025-10-02' });
    expect(parseDateInput('20/7', TODAY)).toEqual({ date: '2026-07-20' });
    // In the autumn term the spring and summer are the year after.
    expect(parseDateInput('13 Apr', '2025-10-01')).toEqual({ date: '2026-04-13' });
    expect(parseDateInput('3 Sep', '2026-09-01')).toEqual({ date: '2026-09-03' });
    expect(parseDateInput('29 Feb', '2027-10-01')).toEqual({ date: '2028-02-29' });
  });

  it('says a date that does not exist is not a real date, and why', () => {
    expect(parseDateInput('2026-02-31', TODAY)).toEqual({ error: '31 February 2026 is not a real date: February 2026 has 28 days.' });
    expect(parseDateInput('31/04/2026', TODAY)).toEqual({ error: '31 April 2026 is not a real date: April has 30 days.' });
    expect(parseDateInput('29 Feb', TODAY)).toEqual({ error: '29 February 2026 is not a real date: February 2026 has 28 days.' });
    expect(parseDateInput('2026-13-01', TODAY)).toEqual({ error: '"2026-13-01" has no month 13.' });
  });

  it('checks the day of the week when one is given', () => {
    expect(parseDateInput('Tue 23 Mar', TODAY)).toEqual({ error: '23 March 2026 is a Monday, not a Tuesday.' });
    expect(parseDateInput('thurs 26 march', TODAY)).toEqual({ date: '2026-03-26' });
  });

  it('says what it accepts, with examples, when it cannot read the text', () => {
    for (const typed of ['next week', 'soon', '23 Marchember', 'Funday 23 Mar', '23', '2026/03/23']) {
      expect(parseDateInput(typed, TODAY)).toEqual({ error: `I could not read "${typed}" as a date. Try ${DATE_EXAMPLES}.` });
    }
    expect(parseDateInput('  ', TODAY)).toEqual({ error: `Please give a date, such as ${DATE_EXAMPLES}.` });
  });
});
