/**
 * What the cases show for a report period: PEAPs held and their outcomes (overturned permanent
 * exclusions among them), statutory duties met on time, late or still overdue, and EBSNA
 * referrals and their outcomes, from the cases' contexts.
 */
import { addDays } from '@before-exclusion/rules';
import { caseDuties } from '../cases/caseDuties.js';
import type { CaseView } from '../cases/caseService.js';
import { breakdownSums, type Address, type MeasureRow, type MeasureSum } from './figures.js';

export type { MeasureRow };

/** The duties a report counts: a suspension's notices, sixth-day provision and board review (a cancelled one is not counted). */
const COUNTED_DUTY = /^(notify-.+|provision-from-day-6|governing-board-review)$/;

/**
 * Case measures over `cases` between `start` and `end` (YYYY-MM-DD, inclusive), read on `today`.
 * A duty is overdue as `caseDuties` says — due before the day it is read on and not done — read
 * on the day after the period, or today while the period runs: a duty not yet due is not counted.
 */
export function caseMeasures(cases: readonly CaseView[], start: string, end: string, today: string): MeasureRow[] {
  const dayAfter = addDays(end, 1);
  const readOn = today < dayAfter ? today : dayAfter;
  const tally = new Map<string, number>();
  const add = (measure: string, breakdown: string, category: string) => {
    const key = `${measure}|${breakdown}|${category}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  };
  const within = (date: string | undefined) => date !== undefined && date.slice(0, 10) >= start && date.slice(0, 10) <= end;

  for (const row of cases) {
    if (row.kind === 'peap') {
      const c = row.context;
      if (within(row.openedAt)) add('peaps-opened', 'total', 'all');
      if (c.decision && within(c.decision.at)) {
        add('peaps-held', 'total', 'all');
        add('peaps-held', 'outcome', c.decision.decision);
      }
    } else if (row.kind === 'suspension') {
      const c = row.context;
      if (!within(c.exclusion.startDate) || c.cancelled) continue;
      for (const duty of caseDuties(row, readOn)) {
        if (!COUNTED_DUTY.test(duty.key) || (duty.status !== 'on-time' && duty.status !== 'late' && duty.status !== 'overdue')) continue;
        add('statutory-duties', 'timeliness', duty.status);
        add('statutory-duties', duty.key, duty.status);
      }
    } else if (row.kind === 'ebsna') {
      if (!within(row.openedAt)) continue;
      add('ebsna-referrals', 'total', 'all');
      const state = row.state;
      add('ebsna-referrals', 'outcome', typeof state === 'string' ? (state === 'referred' ? 'awaiting-panel' : state) : 'in-progress');
    }
  }
  return [...tally]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([key, value]) => {
      const [measure, breakdown, category] = key.split('|') as [string, string, string];
      return { measure, breakdown, category, value };
    });
}

/**
 * How the case figures of one table add up: a PEAP decision and an EBSNA referral each have one
 * outcome, and the timeliness of all duties is the sum of each duty's.
 */
export function caseMeasureSums(rows: readonly Address[]): MeasureSum[] {
  const sums: MeasureSum[] = [];
  for (const measure of ['peaps-held', 'ebsna-referrals']) {
    sums.push(...breakdownSums(rows, { measure, breakdown: 'total', category: 'all' }, ['outcome'], true));
  }
  const duties = rows.filter((r) => r.measure === 'statutory-duties' && r.breakdown !== 'timeliness');
  for (const whole of rows.filter((r) => r.measure === 'statutory-duties' && r.breakdown === 'timeliness')) {
    sums.push({ whole, parts: duties.filter((d) => d.category === whole.category), counts: true });
  }
  return sums.filter((s) => s.parts.length > 0);
}
