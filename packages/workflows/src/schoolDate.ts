/**
 * Which day it is, for the product: one policy that the service and the `cases` command share, so
 * that one never calls a duty OVERDUE while the other still shows it as next.
 *
 * - `SCHOOL_DATE` when it is set: work as if today were that school date;
 * - else, when the store holds the fictional demo school, the demo's date — its attendance and
 *   exclusions are written up to 20 March 2026, and on the real date every demo duty would long
 *   be overdue;
 * - else the date in England by the clock.
 *
 * A set date does not stop time: the clock runs on from it, so deadlines still fall due through
 * the day and the next day comes at midnight, as it would have then.
 */
import { isIsoDate } from '@before-exclusion/rules';
import { englishDate, type Clock } from './clock.js';
import type { CaseStore } from './store/caseStore.js';

/** The fictional school `pnpm start` loads into an empty database for a trial (its pupils are DEMO-001…). */
export const DEMO_SCHOOL = { id: 'DEMO-SCH', name: 'Demo Academy (fictional)' } as const;

/** The school date the demo data is written for (its attendance runs to here). */
export const DEMO_SCHOOL_DATE = '2026-03-20';

/** Where the working date comes from: the setting, the demo school, or the clock. */
export type SchoolDateSource = 'SCHOOL_DATE' | 'demo' | 'clock';

/** The day the product works on, and a clock that runs on from it. */
export interface SchoolDay {
  /** The date worked on at the start, when it is not the clock's own (SCHOOL_DATE or the demo's). */
  readonly schoolDate: string | undefined;
  readonly source: SchoolDateSource;
  /** The instant now, shifted to the school date when there is one. */
  readonly clock: Clock;
  /** Today's school date, YYYY-MM-DD, by {@link clock}. */
  today(): string;
}

/** Whether the store holds the fictional demo school. */
export async function hasDemoSchool(store: CaseStore): Promise<boolean> {
  return (await store.staff.schools()).some((s) => s.id === DEMO_SCHOOL.id);
}

/**
 * The day to work on with this store: `schoolDate` (SCHOOL_DATE) if given, else the demo's date
 * if the store holds the demo school, else the date in England by the clock.
 *
 * @example const day = await schoolDay(store, { schoolDate: process.env.SCHOOL_DATE }); day.today() // '2026-03-20' with the demo
 * @param store the case store, asked whether it holds the demo school
 * @param options `schoolDate`: the SCHOOL_DATE setting (YYYY-MM-DD); `now`: the real clock in milliseconds (tests)
 * @throws RangeError when `schoolDate` is not a date written YYYY-MM-DD
 */
export async function schoolDay(store: CaseStore, options: { schoolDate?: string | undefined; now?: () => number } = {}): Promise<SchoolDay> {
  const { schoolDate: setting, now = Date.now } = options;
  if (setting !== undefined && !isIsoDate(setting)) throw new RangeError(`SCHOOL_DATE ${JSON.stringify(setting)} is not a date written YYYY-MM-DD`);
  const [schoolDate, source]: [string | undefined, SchoolDateSource] =
    setting !== undefined ? [setting, 'SCHOOL_DATE'] : (await hasDemoSchool(store)) ? [DEMO_SCHOOL_DATE, 'demo'] : [undefined, 'clock'];
  const clock = schoolClock(schoolDate, now);
  return { schoolDate, source, clock, today: () => englishDate(clock()) };
}

/**
 * A clock that runs from `schoolDate` (at the current time of day) instead of today; the real
 * clock when there is none.
 *
 * @example schoolClock('2026-03-20')() // 2026-03-20 at the time it is now
 * @param schoolDate the date to run from, YYYY-MM-DD; undefined for the real clock
 * @param now the real clock in milliseconds (default Date.now)
 */
export function schoolClock(schoolDate: string | undefined, now: () => number = Date.now): Clock {
  if (!schoolDate) return () => new Date(now());
  const offset = Date.parse(`${schoolDate}T00:00:00Z`) - Date.parse(`${englishDate(new Date(now()))}T00:00:00Z`);
  return () => new Date(now() + offset);
}
