/** Reading a school calendar from a file (Node only): the file's text, parsed by the core. */
import { parseCalendarText } from '../calendar/calendarFile.js';
import type { Problem } from '../problems.js';
import type { SchoolCalendar } from '../calendar/schoolCalendar.js';
import { readText } from './readText.js';

/**
 * Loads a calendar from a `.json` file (the interchange format) or an `.ics` file (term dates).
 * @example const calendar = await loadCalendarFile('our-term-dates.ics');
 * @param notices receives the events of an .ics file skipped as neither a term nor a closure, with their lines.
 * @throws InputError listing every problem found, or saying the file cannot be read.
 */
export async function loadCalendarFile(path: string, notices: Problem[] = []): Promise<SchoolCalendar> {
  return parseCalendarText(await readText(path, 'calendar'), path, notices);
}
