/**
 * What the cases show for a report period: PEAPs held and their outcomes (overturned permanent
 * exclusions among them), statutory duties met on time, late or still overdue, and EBSNA
 * referrals and their outcomes, from the cases' contexts.
 */
import type { CaseView } from '../cases/caseService.js';
import { breakdownSums, type Address, type MeasureRow, type MeasureSum } from './figures.js';

export type { MeasureRow };

type Timeliness = 'on-time' | 'late' | 'overdue';

/** Case measures over `cases` between `start` and `end` (YYYY-MM-DD, inclusive). */
export function caseMeasures(cases: readonly CaseView[], start: string, end: string): MeasureRow[] {
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
      for (const [recipient, notice] of Object.entries(c.notices)) {
        const when: Timeliness | undefined = notice?.sent ? (notice.sent.sentOn <= c.exclusion.startDate ? 'on-time' : 'late') : 'overdue';
        add('statutory-duties', 'timeliness', when);
        add('statutory-duties', `notify-${recipient}`, when);
      }
      if (c.provisionFrom) {
        const when = c.provision ? (c.provision.from <= c.provisionFrom ? 'on-time' : 'late') : c.provisionFrom <= end ? 'overdue' : undefined;
        if (when) {
          add('statutory-duties', 'timeliness', when);
          add('statutory-duties', 'provision-from-day-6', when);
        }
      }
      if (c.boardReview && (c.boardReview.kind === 'must' || c.boardReview.requestedOn)) {
        const when = c.review ? (c.review.heldOn <= c.boardReview.dueDate ? 'on-time' : 'late') : c.boardReview.dueDate < end ? 'overdue' : undefined;
        if (when) {
          add('statutory-duties', 'timeliness', when);
          add('statutory-duties', 'governing-board-review', when);
        }
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
