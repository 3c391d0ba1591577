/**
 * Reads term dates from an iCalendar (`.ics`) file, as councils and school MIS systems publish them.
 *
 * Each event is read by its CATEGORIES, or failing that by its SUMMARY:
 * - a half-term: `CATEGORIES:HALF-TERM`, or a summary naming the term and half ("Autumn 1",
 *   "Spring term - second half", "summer-2"), spanning its first to last day;
 * - non-school days: `CATEGORIES:NON-SCHOOL-DAY`, or a summary with INSET, training day, bank
 *   holiday, closure/closed, holiday, half term or break; a multi-day event covers every day;
 * - anything else (sports day, parents' evenings, trips) is skipped — `CATEGORIES:SCHOOL-EVENT`
 *   says so outright; an unmarked one is skipped with a notice naming it and its line (pass
 *   `notices`), so that a closure the reader failed to recognise is seen, not silently lost.
 * All-day events end the day before DTEND, as RFC 5545 says. A timed event (UTC, or in a TZID
 * zone) falls on its date in England (Europe/London), whatever the zone it is written in.
 * `RDATE` adds a closure's further dates (`EXDATE` takes some away); `STATUS:CANCELLED` events
 * close nothing; `RRULE` is refused. Every `BEGIN:` needs its `END:`, or the file is refused:
 * a closure lost to a broken file would shift every deadline after it.
 */
import { addDays, dayNumber, isIsoDate, type IsoDate } from '../dates.js';
import { InputError, printable, quoted, type Problem } from '../problems.js';
import type { CalendarSpec, HalfTerm, Term } from './schoolCalendar.js';

/** One property of an event, with the line it is on. */
interface IcsProperty {
  readonly params: string;
  readonly value: string;
  readonly line: number;
}

interface IcsEvent {
  readonly line: number;
  /** Every occurrence of each property, in order (RDATE and EXDATE may repeat). */
  readonly props: Map<string, IcsProperty[]>;
}

/** Years a term-dates calendar can speak of: an event in year 1 or 9999 is a broken export. */
const YEARS = { from: 1990, to: 2199 } as const;
/** The longest event read: a half-term or a closure lasts weeks; a year-long one is an error. */
const MAX_EVENT_DAYS = 366;
/** The most RDATEs one event may list. */
const MAX_RDATES = 366;
/** Time zones Outlook and Exchange name their own way. */
const WINDOWS_ZONES: Readonly<Record<string, string>> = { 'GMT STANDARD TIME': 'Europe/London', UTC: 'UTC', 'GREENWICH STANDARD TIME': 'Etc/GMT' };

const NON_SCHOOL = /\b(inset|training days?|bank holidays?|closed|closure|holidays?|break|vacation)\b/i;
const HALF_TERM_HOLIDAY = /\bhalf[- ]?term\b/i;
const TERM_WORD = /\b(autumn|spring|summer)\b/i;
const FIRST_HALF = /(\b(1|1st|first|one)\b|-1\b)/i;
const SECOND_HALF = /(\b(2|2nd|second|two)\b|-2\b)/i;

/**
 * Parses `.ics` text into calendar data, or throws an {@link InputError} listing every problem.
 * @param notices receives each unmarked event skipped as neither a term nor a closure, with its line.
 */
export function parseIcsCalendar(text: string, file = 'calendar.ics', notices: Problem[] = []): CalendarSpec {
  const problems: Problem[] = [];
  const { events, calendarName } = readEvents(text, file, problems);
  const halfTerms: (HalfTerm & { line: number })[] = [];
  const nonSchoolDays: IsoDate[] = [];

  for (const event of events) {
    const where = { file, location: `VEVENT at line ${event.line}` };
    const summary = unescape(prop(event, 'SUMMARY')?.value ?? '');
    // A cancelled event closes nothing (a closure called off still being in the feed is usual).
    if (prop(event, 'STATUS')?.value.trim().toUpperCase() === 'CANCELLED') continue;
    const category = (prop(event, 'CATEGORIES')?.value ?? '').toUpperCase().split(',').map((c) => c.trim());
    const rrule = prop(event, 'RRULE');
    if (rrule) {
      problems.push({ file, location: at(rrule, event), field: 'RRULE', message: `${quoted(summary)} repeats; list each term date or closure as its own event` });
      continue;
    }
    const span = eventSpan(event, file, problems);
    if (!span) continue;

    if (category.includes('SCHOOL-EVENT')) continue;
    const kind = category.includes('HALF-TERM') ? 'half-term' : category.includes('NON-SCHOOL-DAY') ? 'closure' : classify(summary);
    const extra = extraDates(event, span, file, problems);
    if (!extra) continue;
    if (kind === 'closure') {
      for (const occurrence of extra.occurrences) {
        for (let d = occurrence.start; d <= occurrence.end; d = addDays(d, 1)) nonSchoolDays.push(d);
      }
    } else if (kind === 'half-term') {
      if (extra.rdate) {
        problems.push({ file, location: at(extra.rdate, event), field: 'RDATE', message: `${quoted(summary)} is a half-term with further dates; a half-term happens once: give each its own event` });
        continue;
      }
      const named = halfTermName(summary);
      if (!named) {
        problems.push({ ...where, field: 'SUMMARY', message: `${quoted(summary)} is marked as a half-term but does not say which: name the term and half, e.g. "Autumn 1" or "spring-2"` });
        continue;
      }
      halfTerms.push({ ...named, start: span.start, end: span.end, line: event.line });
    } else {
      notices.push({
        ...where,
        field: 'SUMMARY',
        message: `${quoted(summary)} (${span.start}) ignored: neither a half-term nor a closure. If the school is closed then, name it a closure (INSET, bank holiday, closure, holiday) or mark it CATEGORIES:NON-SCHOOL-DAY; CATEGORIES:SCHOOL-EVENT skips it without this notice`,
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
  // Feeds often carry other years' bank holidays: only this academic year's closures matter.
  const inYear = (d: IsoDate) => d >= `${startYear}-08-01` && d <= `${startYear + 1}-08-31`;
  return {
    academicYear,
    name: calendarName ?? academicYear,
    halfTerms: halfTerms.map(({ line: _line, ...h }) => h),
    nonSchoolDays: [...new Set(nonSchoolDays)].filter(inYear).sort(),
  };
}

function prop(event: IcsEvent, name: string): IcsProperty | undefined {
  return event.props.get(name)?.[0];
}

/** Where a property is: its own line, inside its event. */
function at(property: IcsProperty, event: IcsEvent): string {
  return property.line === event.line ? `VEVENT at line ${event.line}` : `line ${property.line} (VEVENT at line ${event.line})`;
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

/**
 * Splits the text into events, unfolding continuation lines (RFC 5545 §3.1). Components must
 * nest: an `END:` that closes nothing open, or a `BEGIN:` never ended, is a problem with its line.
 */
function readEvents(text: string, file: string, problems: Problem[]): { events: IcsEvent[]; calendarName?: string } {
  const lines: { text: string; line: number }[] = [];
  // A byte-order mark (what Windows tools write first) is not part of BEGIN:VCALENDAR.
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
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
  const open: { name: string; line: number; event?: IcsEvent }[] = [];
  for (const { text: content, line } of lines) {
    const colon = content.indexOf(':');
    if (colon < 0) {
      problems.push({ file, location: `line ${line}`, message: `${quoted(content)} is not a NAME:value line` });
      continue;
    }
    const [name = '', ...params] = content.slice(0, colon).split(';');
    const value = content.slice(colon + 1);
    const key = name.toUpperCase();
    const top = open[open.length - 1];
    if (key === 'BEGIN') {
      const component = value.trim().toUpperCase();
      if (component === 'VEVENT' && top?.event) {
        problems.push({ file, location: `line ${top.line}`, message: `BEGIN:VEVENT at line ${top.line} has no END:VEVENT before the next BEGIN:VEVENT at line ${line}; end each event` });
        open.pop();
      }
      open.push({ name: component, line, ...(component === 'VEVENT' ? { event: { line, props: new Map() } } : {}) });
    } else if (key === 'END') {
      const component = value.trim().toUpperCase();
      const depth = open.map((o) => o.name).lastIndexOf(component);
      if (depth < 0) {
        const meant = top && nearlySame(component, top.name) ? `; did you mean END:${printable(top.name, 40)}?` : '';
        problems.push({ file, location: `line ${line}`, message: `${quoted(`END:${component}`)} closes nothing that is open${top ? ` (open: ${printable(top.name, 40)} from line ${top.line})` : ''}${meant}` });
        continue;
      }
      for (const unclosed of open.splice(depth + 1)) {
        problems.push({ file, location: `line ${unclosed.line}`, message: `BEGIN:${printable(unclosed.name, 40)} at line ${unclosed.line} has no END:${printable(unclosed.name, 40)} before END:${printable(component, 40)} at line ${line}` });
      }
      const closed = open.pop();
      if (closed?.event) events.push(closed.event);
    } else if (top?.event) {
      const list = top.event.props.get(key) ?? [];
      list.push({ params: params.join(';').toUpperCase(), value, line });
      top.event.props.set(key, list);
    } else if (key === 'X-WR-CALNAME' && top?.name === 'VCALENDAR') calendarName = printable(unescape(value), 200);
  }
  for (const unclosed of open) {
    problems.push({ file, location: `line ${unclosed.line}`, message: `BEGIN:${printable(unclosed.name, 40)} at line ${unclosed.line} has no END:${printable(unclosed.name, 40)}; the file may be cut short` });
  }
  return calendarName === undefined ? { events } : { events, calendarName };
}

interface Span {
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** The first and last day an event covers, on its dates in England. */
function eventSpan(event: IcsEvent, file: string, problems: Problem[]): Span | undefined {
  const start = prop(event, 'DTSTART');
  if (!start) {
    problems.push({ file, location: `VEVENT at line ${event.line}`, field: 'DTSTART', message: 'expected a date such as 20250903 (or 20250903T090000), found none' });
    return undefined;
  }
  const startDate = icsDate(start, 'start', event, file, problems);
  if (!startDate) return undefined;
  const end = prop(event, 'DTEND');
  if (!end) return { start: startDate, end: startDate };
  const last = icsDate(end, 'end', event, file, problems);
  if (!last) return undefined;
  if (last < startDate) {
    problems.push({ file, location: at(end, event), field: 'DTEND', message: `ends (${quoted(end.value)}) before it starts (${quoted(start.value)})` });
    return undefined;
  }
  const days = dayNumber(last) - dayNumber(startDate) + 1;
  if (days > MAX_EVENT_DAYS) {
    problems.push({ file, location: at(end, event), field: 'DTEND', message: `the event runs ${days.toLocaleString('en-GB')} days (${startDate} to ${last}); accepted: at most ${MAX_EVENT_DAYS} — a half-term or closure is one event` });
    return undefined;
  }
  return { start: startDate, end: last };
}

/**
 * The further dates of an event (RDATE), less any taken away (EXDATE): each occurrence lasts as
 * long as the first. A period (`VALUE=PERIOD`) is refused with its line.
 */
function extraDates(event: IcsEvent, span: Span, file: string, problems: Problem[]): { occurrences: Span[]; rdate?: IcsProperty } | undefined {
  const rdates = event.props.get('RDATE') ?? [];
  const starts = new Set([span.start]);
  const length = dayNumber(span.end) - dayNumber(span.start);
  for (const rdate of rdates) {
    if (rdate.params.includes('VALUE=PERIOD') || rdate.value.includes('/')) {
      problems.push({ file, location: at(rdate, event), field: 'RDATE', message: 'a period (start/end) is not read; list each further date, e.g. RDATE;VALUE=DATE:20251020,20251124' });
      return undefined;
    }
    for (const value of rdate.value.split(',')) {
      const date = icsDate({ ...rdate, value }, 'start', event, file, problems, 'RDATE');
      if (!date) return undefined;
      starts.add(date);
      if (starts.size > MAX_RDATES) {
        problems.push({ file, location: at(rdate, event), field: 'RDATE', message: `more than ${MAX_RDATES} further dates for one event; accepted: at most ${MAX_RDATES}` });
        return undefined;
      }
    }
  }
  for (const exdate of event.props.get('EXDATE') ?? []) {
    for (const value of exdate.value.split(',')) {
      const date = icsDate({ ...exdate, value }, 'start', event, file, problems, 'EXDATE');
      if (!date) return undefined;
      starts.delete(date);
    }
  }
  const occurrences = [...starts].map((start) => ({ start, end: addDays(start, length) }));
  return rdates[0] ? { occurrences, rdate: rdates[0] } : { occurrences };
}

/**
 * A DTSTART, DTEND, RDATE or EXDATE value as a date in England. All-day dates are as written (an
 * all-day end is exclusive: the day before); a time in UTC (`Z`) or a TZID zone is moved to
 * Europe/London first, and a timed end at midnight ends the day before; a time with neither is
 * London time already.
 */
function icsDate(
  property: IcsProperty,
  role: 'start' | 'end',
  event: IcsEvent,
  file: string,
  problems: Problem[],
  field = role === 'start' ? 'DTSTART' : 'DTEND',
): IsoDate | undefined {
  const refuse = (message: string) => {
    problems.push({ file, location: at(property, event), field, message });
    return undefined;
  };
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/.exec(property.value.trim());
  const written = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  if (!m || !isIsoDate(written)) return refuse(`expected a date such as 20250903 (or 20250903T090000), found ${quoted(property.value)}`);
  const year = Number(m[1]);
  if (year < YEARS.from || year > YEARS.to) return refuse(`${quoted(property.value)} is not a year term dates can be in; accepted: ${YEARS.from} to ${YEARS.to}`);
  if (m[4] === undefined) return role === 'end' ? addDays(written, -1) : written;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6])];
  if (hour > 23 || minute > 59 || second > 60) return refuse(`${quoted(property.value)} is not a time of day`);
  const zoneParam = /(?:^|;)TZID=("?)([^";]+)\1/.exec(property.params)?.[2];
  let zone = 'Europe/London';
  if (m[7] === 'Z') zone = 'UTC';
  else if (zoneParam !== undefined) {
    const known = WINDOWS_ZONES[zoneParam.trim()] ?? zoneParam.trim();
    if (!isTimeZone(known)) return refuse(`time zone ${quoted(zoneParam)} is not known; accepted: a zone such as Europe/London, a UTC time ending Z, or an all-day date (VALUE=DATE)`);
    zone = known;
  }
  const instant = instantOf(Number(m[1]), Number(m[2]), Number(m[3]), hour, minute, second, zone);
  // An event ending at midnight ends on the day before.
  return londonDate(role === 'end' ? instant - 1000 : instant);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The date in England at an instant. */
function londonDate(instant: number): IsoDate {
  const parts = Object.fromEntries(LONDON.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The instant a wall-clock time in `zone` names (the zone's offset then, found by asking Intl twice). */
function instantOf(year: number, month: number, day: number, hour: number, minute: number, second: number, zone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (zone === 'UTC') return wall;
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(format.formatToParts(t).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - t;
  };
  const guess = wall - offsetAt(wall);
  return wall - offsetAt(guess);
}

/** A misspelling (one or two letters out), as in END:VEVNT for END:VEVENT. */
function nearlySame(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 2 || a.length > 40 || b.length > 40) return false;
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]! <= 2;
}

function unescape(value: string): string {
  return value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? ' ' : c)).trim();
}
