/**
 * The example calendars this package ships. They are examples of a typical English pattern:
 * every school sets its own term dates and INSET days, so load the school's own for real use.
 */
import { CALENDAR_FILES } from '../generated/calendarFiles.js';
import { parseCalendar } from './calendarFile.js';
import type { SchoolCalendar } from './schoolCalendar.js';

/** Academic years with a bundled example calendar, and their files (under `data/calendars/`). */
export const BUNDLED_CALENDARS = {
  '2025/26': 'england-2025-26.example.json',
  '2026/27': 'england-2026-27.example.json',
} as const;

/**
 * A bundled example calendar for England (embedded at build time: no file is read).
 * @example bundledCalendar('2025/26').isSchoolDay('2025-10-27') // false (half-term)
 */
export function bundledCalendar(academicYear: keyof typeof BUNDLED_CALENDARS): SchoolCalendar {
  const file = BUNDLED_CALENDARS[academicYear];
  return parseCalendar(CALENDAR_FILES[file], `data/calendars/${file}`);
}
