/**
 * The example calendars this package ships. They are examples of a typical English pattern:
 * every school sets its own term dates and INSET days, so load the school's own for real use.
 */
import { readFileSync } from 'node:fs';
import { parseCalendar } from './calendarFile.js';
import type { SchoolCalendar } from './schoolCalendar.js';

/** Academic years with a bundled example calendar, and their files. */
export const BUNDLED_CALENDARS = {
  '2025/26': 'england-2025-26.example.json',
  '2026/27': 'england-2026-27.example.json',
} as const;

const CALENDARS_DIR = new URL('../../data/calendars/', import.meta.url);

/**
 * A bundled example calendar for England.
 * @example bundledCalendar('2025/26').isSchoolDay('2025-10-27') // false (half-term)
 */
export function bundledCalendar(academicYear: keyof typeof BUNDLED_CALENDARS): SchoolCalendar {
  const file = BUNDLED_CALENDARS[academicYear];
  return parseCalendar(JSON.parse(readFileSync(new URL(file, CALENDARS_DIR), 'utf8')), `data/calendars/${file}`);
}

/** The path of a bundled calendar file, for tools that take a file. */
export function bundledCalendarPath(academicYear: keyof typeof BUNDLED_CALENDARS): string {
  return new URL(BUNDLED_CALENDARS[academicYear], CALENDARS_DIR).pathname;
}
