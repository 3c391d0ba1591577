/**
 * The service's clock. Normally the real time; with a school date set (the demo's 20 March
 * 2026) it runs from that date, so demo deadlines fall as they would have then.
 */
import { englishDate } from '@before-exclusion/workflows';

export function schoolClock(schoolDate?: string, now: () => number = Date.now): () => Date {
  if (!schoolDate) return () => new Date(now());
  const offset = Date.parse(`${schoolDate}T00:00:00Z`) - Date.parse(`${englishDate(new Date(now()))}T00:00:00Z`);
  return () => new Date(now() + offset);
}
