import { describe, expect, it } from 'vitest';
import { InputError, type Problem } from '../problems.js';
import { bundledCalendar } from './bundled.js';
import { fromSpec } from './calendarFile.js';
import { parseIcsCalendar } from './ics.js';

const valid = bundledCalendar('2025/26').toSpec();
const compact = (date: string) => date.replaceAll('-', '');
const dayAfter = (date: string) => compact(new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10));
const event = (summary: string, start: string, end?: string, extra = '') =>
  `BEGIN:VEVENT\r\nDTSTART${/T/.test(start) ? '' : ';VALUE=DATE'}:${start}\r\n${end ? `DTEND${/T/.test(end) ? '' : ';VALUE=DATE'}:${end}\r\n` : ''}SUMMARY:${summary}\r\n${extra}END:VEVENT\r\n`;
const halfTerms = valid.halfTerms.map((h) => event(h.name, compact(h.start), dayAfter(h.end))).join('');
const ics = (...events: string[]) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\n${halfTerms}${events.join('')}END:VCALENDAR\r\n`;

/** The problems as `location, field: message`, or the closures when the file was read. */
function read(text: string): { closures: readonly string[] } | { problems: string[] } {
  try {
    return { closures: parseIcsCalendar(text, 'terms.ics').nonSchoolDays };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { problems: error.problems.map((p) => `${p.location ?? ''}, ${p.field ?? ''}: ${p.message}`) };
  }
}

describe('.ics term dates, read or refused with the line', () => {
  it('refuses a VEVENT with no END:VEVENT, naming the line it began on (an INSET day is never lost silently)', () => {
    const text = ics('BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20250915\r\nSUMMARY:INSET day\r\n', event('INSET day', '20251124'));
    const begun = text.split('\r\n').indexOf('DTSTART;VALUE=DATE:20250915');
    expect(read(text)).toEqual({ problems: [expect.stringMatching(new RegExp(`^line ${begun}, : BEGIN:VEVENT at line ${begun} has no END:VEVENT before the next BEGIN:VEVENT`))] });
  });

  it('refuses a file cut short (no END:VCALENDAR)', () => {
    const text = ics().replace('END:VCALENDAR\r\n', '');
    expect(read(text)).toEqual({ problems: ['line 1, : BEGIN:VCALENDAR at line 1 has no END:VCALENDAR; the file may be cut short'] });
  });

  it('refuses an END: that closes nothing', () => {
    const text = ics('END:VEVENT\r\n');
    expect(read(text)).toMatchObject({ problems: [expect.stringMatching(/^line \d+, : "END:VEVENT" closes nothing that is open/)] });
  });

  it('reads RDATE as further dates of a closure, less EXDATE', () => {
    const text = ics(event('INSET day', '20250915', '20250916', 'RDATE;VALUE=DATE:20251124,20260105\r\nRDATE;VALUE=DATE:20260601\r\nEXDATE;VALUE=DATE:20260105\r\n'));
    expect(read(text)).toEqual({ closures: expect.arrayContaining(['2025-09-15', '2025-11-24', '2026-06-01']) });
    expect(read(text)).not.toEqual({ closures: expect.arrayContaining(['2026-01-05']) });
  });

  it('refuses RDATE on a half-term and RDATE periods, with the line', () => {
    const text = ics(event('INSET day', '20250915', undefined, 'RDATE;VALUE=PERIOD:20251124T000000Z/20251125T000000Z\r\n'));
    expect(read(text)).toMatchObject({ problems: [expect.stringMatching(/^line \d+ \(VEVENT at line \d+\), RDATE: a period \(start\/end\) is not read/)] });
    const halfTerm = `BEGIN:VCALENDAR\r\n${halfTerms.replace('SUMMARY:autumn-1\r\n', 'SUMMARY:autumn-1\r\nRDATE;VALUE=DATE:20251201\r\n')}END:VCALENDAR\r\n`;
    expect(read(halfTerm)).toMatchObject({ problems: [expect.stringMatching(/RDATE: "autumn-1" is a half-term with further dates/)] });
  });

  it('does not close the school for a STATUS:CANCELLED closure', () => {
    expect(read(ics(event('INSET day', '20250915', '20250916', 'STATUS:CANCELLED\r\n')))).toEqual({ closures: expect.not.arrayContaining(['2025-09-15']) });
    expect(read(ics(event('INSET day', '20250915', '20250916', 'STATUS:CONFIRMED\r\n')))).toEqual({ closures: expect.arrayContaining(['2025-09-15']) });
  });

  it('takes a timed closure on its date in London, not in UTC', () => {
    // 23:00 UTC on Monday 15 September is midnight on Tuesday in British Summer Time.
    expect(read(ics(event('Closure', '20250915T230000Z', '20250916T230000Z')))).toEqual({ closures: ['2025-09-16'] });
    expect(read(ics(event('Closure', '20250915T090000', '20250915T153000')))).toEqual({ closures: ['2025-09-15'] });
    expect(read(ics('BEGIN:VEVENT\r\nDTSTART;TZID=America/New_York:20250915T200000\r\nSUMMARY:Closure\r\nEND:VEVENT\r\n'))).toEqual({ closures: ['2025-09-16'] });
    expect(read(ics('BEGIN:VEVENT\r\nDTSTART;TZID="GMT Standard Time":20251124T000000\r\nSUMMARY:Closure\r\nEND:VEVENT\r\n'))).toEqual({ closures: ['2025-11-24'] });
    expect(read(ics('BEGIN:VEVENT\r\nDTSTART;TZID=Mars/Olympus:20251124T000000\r\nSUMMARY:Closure\r\nEND:VEVENT\r\n'))).toMatchObject({
      problems: [expect.stringMatching(/DTSTART: time zone "MARS\/OLYMPUS" is not known; accepted: a zone such as Europe\/London/)],
    });
  });

  it('refuses absurd ranges, with the line', () => {
    expect(read(ics(event('Closure', '00010101', '99991231')))).toMatchObject({ problems: [expect.stringMatching(/^line \d+ \(VEVENT at line \d+\), DTSTART: "00010101" is not a year term dates can be in; accepted: 1990 to 2199/)] });
    expect(read(ics(event('Closure', '19900101', '21991231')))).toMatchObject({ problems: [expect.stringMatching(/DTEND: the event runs 76,\d+ days \(1990-01-01 to 2199-12-30\); accepted: at most 366/)] });
  });

  it('keeps only the academic year\'s closures from a feed of several years, and the result is a valid calendar', () => {
    const spec = parseIcsCalendar(ics(event('Bank holiday', '20240506'), event('Bank holiday', '20270503'), event('Bank holiday', '20260504')));
    expect(spec.nonSchoolDays).toContain('2026-05-04');
    expect(spec.nonSchoolDays).not.toContain('2024-05-06');
    expect(fromSpec(spec).isSchoolDay('2026-05-04')).toBe(false);
  });

  it('quotes a long summary cut short, escapes and all', () => {
    const notices: Problem[] = [];
    parseIcsCalendar(ics(event(`Sports day \u001b[2J${'x'.repeat(10_000)}`, '20250910')), 'terms.ics', notices);
    expect(notices.map((n) => n.message)).toEqual([expect.stringContaining('"Sports day \\u001b[2Jxxxxxxxxxxxxxxxxxxxxxxxxx"… (10015 characters)')]);
  });
});

describe('.ics files as schools have them (issue 13)', () => {
  it('keeps the term and closure events of a feed with ordinary events, and names each one it ignored with its line', () => {
    const text = ics(event('INSET day', '20251124'), event('Sports Day', '20260612'), event("Parents' evening (Year 9)", '20251015T170000Z', '20251015T190000Z'));
    const notices: Problem[] = [];
    const spec = parseIcsCalendar(text, 'terms.ics', notices);
    expect(spec.halfTerms).toHaveLength(6);
    expect(spec.nonSchoolDays).toContain('2025-11-24');
    expect(spec.nonSchoolDays).not.toContain('2026-06-12');
    const lines = text.split('\r\n');
    const lineOf = (summary: string) => lines.lastIndexOf('BEGIN:VEVENT', lines.indexOf(`SUMMARY:${summary}`)) + 1;
    expect(notices.map((n) => `${n.location}: ${n.message.slice(0, n.message.indexOf(' ignored'))}`)).toEqual([
      `VEVENT at line ${lineOf('Sports Day')}: "Sports Day" (2026-06-12)`,
      `VEVENT at line ${lineOf("Parents' evening (Year 9)")}: "Parents' evening (Year 9)" (2025-10-15)`,
    ]);
  });

  it('reads a file that starts with a byte-order mark, as Windows tools write it', () => {
    expect(read(`\uFEFF${ics(event('INSET day', '20251124'))}`)).toEqual({ closures: expect.arrayContaining(['2025-11-24']) });
  });

  it('names the line of an END:VEVNT typo and what was meant', () => {
    const text = ics(event('INSET day', '20251124').replace('END:VEVENT', 'END:VEVNT'));
    const lines = text.split('\r\n');
    const typo = lines.indexOf('END:VEVNT') + 1;
    const begun = lines.lastIndexOf('BEGIN:VEVENT', typo) + 1;
    expect(read(text)).toMatchObject({ problems: [`line ${typo}, : "END:VEVNT" closes nothing that is open (open: VEVENT from line ${begun}); did you mean END:VEVENT?`, expect.stringContaining(`BEGIN:VEVENT at line ${begun} has no END:VEVENT`)] });
  });
});
