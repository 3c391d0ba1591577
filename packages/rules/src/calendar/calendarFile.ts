/**
 * Reading school calendars from files: the JSON interchange format, or iCalendar (`.ics`)
 * term dates. Both end in the same checks, so a calendar is valid whatever it came from.
 */
import { z } from 'zod';
import { isIsoDate, notARealDate, weekdayName, type IsoDate } from '../dates.js';
import { parseJsonText } from '../jsonText.js';
import { fieldPath, InputError, issueCode, issueMessage, oneOf, quoted, type Problem } from '../problems.js';
import { parseIcsCalendar } from './ics.js';
import { SchoolCalendar, TERMS, type CalendarSpec, type HalfTerm } from './schoolCalendar.js';

const isoDateSchema = z.string().refine(isIsoDate, { error: (issue) => notARealDate(issue.input), params: { code: 'date.not-real' } });

const halfTermSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(40, 'expected a short half-term name such as autumn-1 (at most 40 characters)')
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'expected a half-term name without control characters or line breaks, such as autumn-1'),
  term: z.enum(TERMS as [string, ...string[]], { message: `expected ${oneOf(TERMS)}` }),
  start: isoDateSchema,
  end: isoDateSchema,
});

/** The JSON calendar format. */
export const calendarFileSchema = z.strictObject({
  format: z.literal('school-calendar/1').optional(),
  academicYear: z.string().regex(/^\d{4}\/\d{2}$/, { message: 'expected an academic year written like 2025/26' }),
  name: z.string().max(200, 'expected a calendar name of at most 200 characters').regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'expected a calendar name without control characters or line breaks').optional(),
  example: z.boolean().optional(),
  source: z.string().max(2000, 'expected a source of at most 2,000 characters').optional(),
  halfTerms: z.array(halfTermSchema).max(6, 'expected six half-terms (autumn-1 … summer-2)'),
  nonSchoolDays: z.array(isoDateSchema).max(366, 'expected at most a year of non-school days').default([]),
});

/**
 * Checks what a schema cannot: six half-terms in order, two per term, not overlapping,
 * and an academic year that matches the dates.
 */
export function checkCalendarSpec(spec: CalendarSpec): Problem[] {
  const problems: Problem[] = [];
  const { halfTerms } = spec;
  if (halfTerms.length !== 6) {
    problems.push({ field: 'halfTerms', message: `expected six half-terms (autumn-1 … summer-2), found ${halfTerms.length}` });
  }
  const expectedTerms = ['autumn', 'autumn', 'spring', 'spring', 'summer', 'summer'];
  const names = new Set<string>();
  halfTerms.forEach((h: HalfTerm, i) => {
    const field = `halfTerms[${i}]`;
    if (names.has(h.name)) problems.push({ field: `${field}.name`, message: `${quoted(h.name)} is used twice; half-term names must differ` });
    names.add(h.name);
    if (halfTerms.length === 6 && h.term !== expectedTerms[i]) {
      problems.push({ field: `${field}.term`, message: `half-term ${i + 1} should be in the ${expectedTerms[i]} term, not ${h.term}` });
    }
    if (h.end < h.start) problems.push({ field: `${field}.end`, message: `${h.end} is before the start ${h.start}` });
    const previous = halfTerms[i - 1];
    if (previous && h.start <= previous.end) {
      problems.push({ field: `${field}.start`, message: `${h.start} is not after the end of ${previous.name} (${previous.end}); half-terms must be in order and not overlap` });
    }
  });
  const first = halfTerms[0];
  const startYear = Number(spec.academicYear.slice(0, 4));
  if (first && Number(first.start.slice(0, 4)) !== startYear) {
    problems.push({ field: 'academicYear', message: `${spec.academicYear} does not match the first half-term, which starts ${first.start}` });
  }
  if (Number(spec.academicYear.slice(5, 7)) !== (startYear + 1) % 100) {
    problems.push({ field: 'academicYear', message: `"${spec.academicYear}" is not two consecutive years (e.g. ${startYear}/${String((startYear + 1) % 100).padStart(2, '0')})` });
  }
  // Every date within the academic year (August to August): a stray year would stretch the timeline absurdly.
  const year = (n: number) => String(n).padStart(4, '0');
  const reach = { from: `${year(startYear)}-08-01`, to: `${year(startYear + 1)}-08-31` };
  const outside = (date: IsoDate) => date < reach.from || date > reach.to;
  const refuseOutside = (date: IsoDate, field: string) =>
    problems.push({ field, message: `${date} is outside the ${spec.academicYear} academic year; accepted: ${reach.from} to ${reach.to}` });
  halfTerms.forEach((h: HalfTerm, i) => {
    if (outside(h.start)) refuseOutside(h.start, `halfTerms[${i}].start`);
    if (outside(h.end)) refuseOutside(h.end, `halfTerms[${i}].end`);
  });
  spec.nonSchoolDays.forEach((d: IsoDate, i) => {
    if (outside(d)) {
      refuseOutside(d, `nonSchoolDays[${i}]`);
      return;
    }
    const day = weekdayName(d);
    if (day === 'Saturday' || day === 'Sunday') {
      problems.push({ field: `nonSchoolDays[${i}]`, message: `${d} is a ${day}; weekends are never school days and need not be listed` });
    }
  });
  return problems;
}

/** Builds a calendar from parsed JSON, or throws an {@link InputError} listing every problem. */
export function parseCalendar(json: unknown, file = 'calendar'): SchoolCalendar {
  const parsed = calendarFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(
      `${file} is not a valid school calendar`,
      parsed.error.issues.map((issue) => ({ code: issueCode(issue), file, field: fieldPath(issue.path), message: issueMessage(issue) })),
    );
  }
  const { format: _format, source: _source, ...spec } = parsed.data;
  return fromSpec(spec as CalendarSpec, file);
}

/** Builds a calendar from spec data after the checks, or throws an {@link InputError}. */
export function fromSpec(spec: CalendarSpec, file = 'calendar'): SchoolCalendar {
  const problems = checkCalendarSpec(spec).map((p) => ({ file, ...p }));
  if (problems.length > 0) throw new InputError(`${file} is not a valid school calendar`, problems);
  return new SchoolCalendar(spec);
}

/**
 * A calendar from a file's text: iCalendar when the name ends `.ics` or the text starts
 * `BEGIN:VCALENDAR`, the JSON interchange format otherwise. `file` names it in problems;
 * `notices` receives what was read past (an .ics file's ordinary events), each with its line.
 * @throws InputError listing every problem found.
 */
export function parseCalendarText(text: string, file = 'calendar', notices: Problem[] = []): SchoolCalendar {
  if (/\.ics$/i.test(file) || text.trimStart().startsWith('BEGIN:VCALENDAR')) {
    return fromSpec(parseIcsCalendar(text, file, notices), file);
  }
  return parseCalendar(parseJsonText(text, file, 'a school-calendar/1 JSON object, or an iCalendar (.ics) file'), file);
}
