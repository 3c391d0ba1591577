/**
 * Reads term dates from an iCalendar (`.ics`) file, as councils and school MIS systems publish them.
 *
 * Each event is read by its CATEGORIES, or failing that by its SUMMARY:
 * - a half-term: `CATEGORIES:HALF-TERM`, or a summary naming the term and half ("Autumn 1",
 *   "Spring term - second half", "summer-2"), spanning its first to last day;
 * - non-school days: `CATEGORIES:NON-SCHOOL-DAY`, or a summary with INSET, training day, bank
 *   holiday, closure/closed, holiday, half term or break; a multi-day event covers every day;
 * - anything else (parents' evenings, trips): `CATEGORIES:SCHOOL-EVENT` to skip it; unmarked,
 *   it is an error, because a closure the reader failed to recognise would shift every deadline.
 * All-day events end the day before DTEND, as RFC 5545 says. Recurring events are refused.
 */
import { addDays, isIsoDate, type IsoDate } from '../dates.js';
import { InputError, type Problem } from '../problems.js';
import type { CalendarSpec, HalfTerm, Term } from './schoolCalendar.js';

interface IcsEvent {
  readonly line: number;
  readonly props: Map<string, { params: string; value: string }>;
}

const NON_SCHOOL = /\b(inset|training days?|bank holidays?|closed|closure|holidays?|break|vacation)\b/i;
const HALF_TERM_HOLIDAY = /\bhalf[- ]?term\b/i;
const TERM_WORD = /\b(autumn|spring|summer)\b/i;
const FIRST_HALF = /(\b(1|1st|first|one)\b|-1\b)/i;
const SECOND_HALF = /(\b(2|2nd|second|two)\b|-2\b)/i;

/** Parses `.ics` text into calendar data, or throws an {@link InputError} listing every problem. */
export function parseIcsCalendar(text: string, file = 'calendar.ics'): CalendarSpec {
  const problems: Problem[] = [];
  const { events, calendarName } = readEvents(text, file, problems);
  const halfTerms: (HalfTerm & { line: number })[] = [];
  const nonSchoolDays: IsoDate[] = [];

  for (const event of events) {
    const where = { file, location: `VEVENT at line ${event.line}` };
    const summary = unescape(event.props.get('SUMMARY')?.value ?? '');
    const category = (event.props.get('CATEGORIES')?.value ?? '').toUpperCase().split(',').map((c) => c.trim());
    if (event.props.has('RRULE')) {
      problems.push({ ...where, field: 'RRULE', message: `"${summary}" repeats; list each term date or closure as its own event` });
      continue;
    }
    const span = eventSpan(event, where, problems);
    if (!span) continue;

    if (category.includes('SCHOOL-EVENT')) continue;
    const kind = category.includes('HALF-TERM') ? 'half-term' : category.includes('NON-SCHOOL-DAY') ? 'closure' : classify(summary);
    if (kind === 'closure') {
      for (let d = span.start; d <= span.end; d = addDays(d, 1)) nonSchoolDays.push(d);
    } else if (kind === 'half-term') {
      const named = halfTermName(summary);
      if (!named) {
        problems.push({ ...where, field: 'SUMMARY', message: `"${summary}" is marked as a half-term but does not say which: name the term and half, e.g. "Autumn 1" or "spring-2"` });
        continue;
      }
      halfTerms.push({ ...named, start: span.start, end: span.end, line: event.line });
    } else {
      problems.push({
        ...where,
        field: 'SUMMARY',
        message: `"${summary}" is neither a half-term nor a non-school day. Accepted: a summary naming a half-term ("Autumn 1"), one naming a closure (INSET, bank holiday, closure, holiday, half term, break), or CATEGORIES:HALF-TERM, NON-SCHOOL-DAY or SCHOOL-EVENT (skipped)`,
      });
    }
  }

  halfTerms.sort((a, b) => a.start.localeCompare(b.start));
  const first = halfTerms[0];
  if (!first && problems.length === 0) {
    problems.push({ file, message: 'no half-terms found: add an all-day event per half-term, e.g. SUMMARY:Autumn 1' });
  }
  if (problems.length > 0) throw new InputError(`${file} is not a usable term-dates calendar`, problems);

  const startYear = Number(first!.start.slice(0, 4));
  const academicYear = `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
  return {
    academicYear,
    name: calendarName ?? academicYear,
    halfTerms: halfTerms.map(({ line: _line, ...h }) => h),
    nonSchoolDays: [...new Set(nonSchoolDays)].sort(),
  };
}

function classify(summary: string): 'half-term' | 'closure' | 'unknown' {
  if (NON_SCHOOL.test(summary)) return 'closure';
  if (halfTermName(summary)) return 'half-term';
  if (HALF_TERM_HOLIDAY.test(summary)) return 'closure';
  return 'unknown';
}

function halfTermName(summary: string): { name: string; term: Term } | undefined {
  const term = TERM_WORD.exec(summary)?.[1]?.toLowerCase() as Term | undefined;
  if (!term) return undefined;
  const rest = summary.replace(TERM_WORD, ' ');
  const half = FIRST_HALF.test(rest) ? 1 : SECOND_HALF.test(rest) ? 2 : undefined;
  return half ? { name: `${term}-${half}`, term } : undefined;
}

/** Splits the text into events, unfolding continuation lines (RFC 5545 §3.1). */
function readEvents(text: string, file: string, problems: Problem[]): { events: IcsEvent[]; calendarName?: string } {
  const lines: { text: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const last = lines[lines.length - 1];
    if ((raw.startsWith(' ') || raw.startsWith('\t')) && last) last.text += raw.slice(1);
    else if (raw.trim() !== '') lines.push({ text: raw, line: i + 1 });
  });
  if (lines[0]?.text.trim() !== 'BEGIN:VCALENDAR') {
    problems.push({ file, location: 'line 1', message: 'an iCalendar file must begin with BEGIN:VCALENDAR' });
    return { events: [] };
  }
  const events: IcsEvent[] = [];
  let calendarName: string | undefined;
  let current: IcsEvent | undefined;
  for (const { text: content, line } of lines) {
    const colon = content.indexOf(':');
    if (colon < 0) {
      problems.push({ file, location: `line ${line}`, message: `"${content.slice(0, 40)}" is not a NAME:value line` });
      continue;
    }
    const [name = '', ...params] = content.slice(0, colon).split(';');
    const value = content.slice(colon + 1);
    const key = name.toUpperCase();
    if (key === 'BEGIN' && value.toUpperCase() === 'VEVENT') current = { line, props: new Map() };
    else if (key === 'END' && value.toUpperCase() === 'VEVENT') {
      if (current) events.push(current);
      current = undefined;
    } else if (current) current.props.set(key, { params: params.join(';').toUpperCase(), value });
    else if (key === 'X-WR-CALNAME') calendarName = unescape(value);
  }
  return calendarName === undefined ? { events } : { events, calendarName };
}

/** The first and last day an event covers. */
function eventSpan(event: IcsEvent, where: Pick<Problem, 'file' | 'location'>, problems: Problem[]): { start: IsoDate; end: IsoDate } | undefined {
  const start = event.props.get('DTSTART');
  const startDate = start && icsDate(start.value);
  if (!startDate) {
    problems.push({ ...where, field: 'DTSTART', message: `expected a date such as 20250903 (or 20250903T090000), found "${start?.value ?? ''}"` });
    return undefined;
  }
  const end = event.props.get('DTEND');
  if (!end) return { start: startDate, end: startDate };
  const endDate = icsDate(end.value);
  if (!endDate) {
    problems.push({ ...where, field: 'DTEND', message: `expected a date such as 20251025, found "${end.value}"` });
    return undefined;
  }
  // All-day events end the day before DTEND; timed events end on DTEND's own date.
  const allDay = end.params.includes('VALUE=DATE') && !end.params.includes('VALUE=DATE-TIME');
  const last = allDay || /^\d{8}$/.test(end.value) ? addDays(endDate, -1) : endDate;
  if (last < startDate) {
    problems.push({ ...where, field: 'DTEND', message: `ends (${end.value}) before it starts (${start.value})` });
    return undefined;
  }
  return { start: startDate, end: last };
}

function icsDate(value: string): IsoDate | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?$/.exec(value.trim());
  const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  return isIsoDate(date) ? date : undefined;
}

function unescape(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? ' ' : c)).trim();
}
