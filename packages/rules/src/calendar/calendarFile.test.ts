import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../problems.js';
import { problemsOf } from '../testing.js';
import { bundledCalendar } from './bundled.js';
import { loadCalendarFile } from '../node/calendarFile.js';
import { parseCalendar } from './calendarFile.js';
import { parseIcsCalendar } from './ics.js';

const dir = mkdtempSync(join(tmpdir(), 'calendar-'));
const DATA = new URL('../../data/calendars/', import.meta.url).pathname;


const valid = bundledCalendar('2025/26').toSpec();

describe('the JSON calendar loader', () => {
  it('lists every problem with its field', () => {
    const problems = problemsOf(() =>
      parseCalendar({
        academicYear: '2025-26',
        halfTerms: [{ name: 'autumn-1', term: 'autum', start: '2025-09-03', end: '2025-10-32' }],
        nonSchoolDays: ['yesterday'],
        colour: 'blue',
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^academicYear: expected an academic year written like 2025\/26/),
        expect.stringMatching(/^halfTerms\[0\]\.term: expected autumn, spring or summer/),
        'halfTerms[0].end: "2025-10-32" is not a real date: October 2025 has 31 days',
        expect.stringMatching(/^nonSchoolDays\[0\]: "yesterday" is not a date written YYYY-MM-DD/),
        expect.stringMatching(/colour/),
      ]),
    );
  });

  it('requires six half-terms in order, each in its term', () => {
    const swapped = { ...valid, halfTerms: [valid.halfTerms[1]!, valid.halfTerms[0]!, ...valid.halfTerms.slice(2)] };
    expect(problemsOf(() => parseCalendar(swapped))).toEqual(
      expect.arrayContaining([expect.stringMatching(/halfTerms\[1\]\.start: 2025-09-01 is not after the end of autumn-2/)]),
    );
    expect(problemsOf(() => parseCalendar({ ...valid, halfTerms: valid.halfTerms.slice(0, 5) }))).toEqual([
      'halfTerms: expected six half-terms (autumn-1 … summer-2), found 5',
    ]);
  });

  it('rejects a weekend listed as a non-school day, since it never is one', () => {
    expect(problemsOf(() => parseCalendar({ ...valid, nonSchoolDays: ['2025-09-06'] }))).toEqual([
      'nonSchoolDays[0]: 2025-09-06 is a Saturday; weekends are never school days and need not be listed',
    ]);
  });

  it('says which file could not be read', async () => {
    await expect(loadCalendarFile(join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: no such file/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "academicYear": ');
    await expect(loadCalendarFile(bad)).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});

describe('the iCalendar loader', () => {
  it('reads the bundled .ics into the same school days as the JSON calendar', async () => {
    const fromIcs = await loadCalendarFile(join(DATA, 'england-2025-26.example.ics'));
    const fromJson = bundledCalendar('2025/26');
    expect(fromIcs.academicYear).toBe('2025/26');
    expect(fromIcs.name).toBe('England 2025/26 (example)');
    expect(fromIcs.halfTerms).toEqual(fromJson.halfTerms);
    expect(fromIcs.toSpec().nonSchoolDays).toEqual(fromJson.toSpec().nonSchoolDays);
    expect(fromIcs.schoolDayCount).toBe(fromJson.schoolDayCount);
  });

  const event = (summary: string, start: string, end: string, extra = '') =>
    `BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:${start}\r\nDTEND;VALUE=DATE:${end}\r\nSUMMARY:${summary}\r\n${extra}END:VEVENT\r\n`;
  const ics = (...events: string[]) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${events.join('')}END:VCALENDAR\r\n`;

  it('reads folded lines, multi-day closures and exclusive all-day ends', () => {
    const spec = parseIcsCalendar(
      ics(
        event('Autumn 1', '20250903', '20251025'),
        'BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251013\r\nDTEND;VALUE=DATE:20251015\r\nSUMMARY:School clo\r\n sed (boiler)\r\nEND:VEVENT\r\n',
      ),
    );
    expect(spec.halfTerms).toEqual([{ name: 'autumn-1', term: 'autumn', start: '2025-09-03', end: '2025-10-24' }]);
    expect(spec.nonSchoolDays).toEqual(['2025-10-13', '2025-10-14']);
  });

  it('names each event it cannot read, with its line and what is accepted; an ordinary event is only a notice', () => {
    const notices: Problem[] = [];
    const problems = problemsOf(() =>
      parseIcsCalendar(
        ics(event('Autumn 1', '20250903', '20251025'), event('Sports day', '20250910', '20250911'), event('Spring 1', '20260105', '20260214', 'RRULE:FREQ=YEARLY\r\n'), event('Autumn 2', '2025-11-03', '20251220')),
        'term-dates.ics',
        notices,
      ),
    );
    expect(notices.map((n) => `${n.field}: ${n.message}`)).toEqual([expect.stringMatching(/^SUMMARY: "Sports day" \(2025-09-10\) ignored: neither a half-term nor a closure\..*CATEGORIES:NON-SCHOOL-DAY/)]);
    expect(problems).toEqual([
      'RRULE: "Spring 1" repeats; list each term date or closure as its own event',
      'DTSTART: expected a date such as 20250903 (or 20250903T090000), found "2025-11-03"',
    ]);
  });

  it('skips events marked SCHOOL-EVENT and honours CATEGORIES over the summary', () => {
    const spec = parseIcsCalendar(
      ics(
        event('Autumn 1', '20250903', '20251025'),
        event('Sports day', '20250910', '20250911', 'CATEGORIES:SCHOOL-EVENT\r\n'),
        event('Staff development', '20250915', '20250916', 'CATEGORIES:NON-SCHOOL-DAY\r\n'),
      ),
    );
    expect(spec.nonSchoolDays).toEqual(['2025-09-15']);
  });

  it('reads the file a loader is given as .ics even by its content', async () => {
    const path = join(dir, 'terms.txt');
    writeFileSync(path, ics(...valid.halfTerms.map((h) => event(h.name, h.start.replaceAll('-', ''), nextDay(h.end)))));
    const cal = await loadCalendarFile(path);
    expect(cal.halfTerms.map((h) => h.name)).toEqual(valid.halfTerms.map((h) => h.name));
  });
});

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}
