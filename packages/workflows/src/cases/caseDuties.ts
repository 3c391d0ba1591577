/**
 * What a case asks the school to do, by when, and whether it was done on time — and the one
 * meaning of "overdue" every channel shares: a duty due before today, not done, on an open case.
 * A suspension's duties live in its context (the notices, the sixth day's education, the board's
 * review), not all of them in the deadlines table, so reading "overdue" from that table alone
 * missed unsent notices and counted closed cases. The list filter and its overdue column (the
 * `cases` command, the web workspace, Teams, Slack), `cases show` and the report's statutory-duty
 * figures all read it here.
 */
import { RECIPIENTS, type SuspensionContext } from '../machines/index.js';
import { englishDate } from '../clock.js';
import type { CaseView } from './caseService.js';
import { recipientWords } from './caseWords.js';

export interface Duty {
  readonly what: string;
  readonly dueDate?: string;
  /** done on time, done late, overdue, or still to do. */
  readonly status: 'on-time' | 'late' | 'overdue' | 'pending' | 'cancelled';
  readonly done?: { readonly on: string; readonly by: string; readonly at: string; readonly how?: string };
}

/**
 * A duty with the key it is counted under: `notify-parents` (… any recipient),
 * `cancellation-notice-parents`, `provision-from-day-6` and `governing-board-review` for a
 * suspension (the report's breakdowns); a deadline's own key (`review`, `notice`…) otherwise.
 */
export interface KeyedDuty extends Duty {
  readonly key: string;
}

/**
 * A case's duties as of `today` (YYYY-MM-DD): a suspension's notices, sixth-day provision and
 * board review from its context; any other case's deadlines, with those met on record.
 *
 * @example caseDuties(view, '2026-03-20').filter((d) => d.status === 'overdue')
 * @param view the case, as the case service reads it
 * @param today the school date it is read on
 */
export function caseDuties(view: CaseView, today: string): KeyedDuty[] {
  // Past due only counts while the case is open: a closed case asks nothing more of anyone.
  const late = (dueDate: string | undefined) => view.status === 'active' && dueDate !== undefined && dueDate < today;
  if (view.kind !== 'suspension') {
    const met = metDuties(view);
    const rest = view.deadlines
      .filter((d) => !met.some((m) => m.key === d.key))
      .map((d): KeyedDuty => ({ key: d.key, what: d.label, dueDate: d.dueDate, status: d.status === 'cancelled' ? 'cancelled' : late(d.dueDate) ? 'overdue' : 'pending' }));
    return [...met, ...rest];
  }
  const c: SuspensionContext = view.context;
  const list: KeyedDuty[] = [];
  // In the order a head sends them: the parents first.
  for (const recipient of RECIPIENTS.filter((r) => c.notices[r])) {
    const sent = c.notices[recipient]?.sent;
    list.push({
      key: `notify-${recipient}`,
      what: `notify ${recipientWords(recipient)} in writing, without delay`,
      dueDate: c.exclusion.startDate,
      status: sent ? (sent.sentOn <= c.exclusion.startDate ? 'on-time' : 'late') : c.cancelled ? 'cancelled' : late(c.exclusion.startDate) ? 'overdue' : 'pending',
      ...(sent ? { done: { on: sent.sentOn, by: sent.by, at: sent.at, how: sent.method } } : {}),
    });
  }
  // Once cancelled, everyone told is told again, without delay, from the day it was cancelled.
  const cancelledOn = c.cancelled?.on ?? (c.cancelled ? englishDate(new Date(c.cancelled.at)) : undefined); // the day in England, not UTC's
  for (const recipient of RECIPIENTS.filter((r) => c.cancellationNotices?.[r])) {
    const sent = c.cancellationNotices?.[recipient]?.sent;
    list.push({
      key: `cancellation-notice-${recipient}`,
      what: `tell ${recipientWords(recipient)} the exclusion is cancelled, with the reason`,
      ...(cancelledOn ? { dueDate: cancelledOn } : {}),
      status: sent ? (!cancelledOn || sent.sentOn <= cancelledOn ? 'on-time' : 'late') : late(cancelledOn) ? 'overdue' : 'pending',
      ...(sent ? { done: { on: sent.sentOn, by: sent.by, at: sent.at, how: sent.method } } : {}),
    });
  }
  if (c.provisionFrom) {
    const p = c.provision;
    list.push({
      key: 'provision-from-day-6',
      what: 'full-time education from the sixth day',
      dueDate: c.provisionFrom,
      status: p ? (p.from <= c.provisionFrom ? 'on-time' : 'late') : c.cancelled ? 'cancelled' : late(c.provisionFrom) ? 'overdue' : 'pending',
      ...(p ? { done: { on: p.from, by: p.by, at: p.at, how: p.provider } } : {}),
    });
  }
  if (c.boardReview) {
    const r = c.review;
    // A review the parents may ask for is a duty only once they have.
    const requested = c.boardReview.kind === 'must' || c.boardReview.requestedOn !== undefined;
    list.push({
      key: 'governing-board-review',
      what: c.boardReview.kind === 'must' ? "the governing board's review" : requested ? "the governing board's review (the parents asked for it)" : "the governing board's review, if the parents ask for it",
      dueDate: c.boardReview.dueDate,
      status: r ? (r.heldOn <= c.boardReview.dueDate ? 'on-time' : 'late') : c.cancelled ? 'cancelled' : requested && late(c.boardReview.dueDate) ? 'overdue' : 'pending',
      ...(r ? { done: { on: r.heldOn, by: r.by, at: r.at, how: r.outcome } } : {}),
    });
  }
  return list;
}

/**
 * The case's overdue duties as of `today`, oldest first: the list filter keeps a case with one,
 * and a list's overdue column names them.
 *
 * @example overdueDuties(view, '2026-03-20').map((d) => `${d.what} ${d.dueDate}`)
 */
export function overdueDuties(view: CaseView, today: string): (KeyedDuty & { readonly dueDate: string })[] {
  return caseDuties(view, today)
    .filter((d): d is KeyedDuty & { dueDate: string } => d.status === 'overdue' && d.dueDate !== undefined)
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
}

/**
 * The next duty still to do on an open case, due today or later (a suspension's board review the
 * parents may still ask for is left out: nothing is due until they do).
 */
export function nextDuty(view: CaseView, today: string): (KeyedDuty & { readonly dueDate: string }) | undefined {
  if (view.status !== 'active') return undefined;
  const conditional = view.kind === 'suspension' && view.context.boardReview?.kind !== 'must' && view.context.boardReview?.requestedOn === undefined;
  return caseDuties(view, today)
    .filter((d): d is KeyedDuty & { dueDate: string } => d.status === 'pending' && d.dueDate !== undefined && d.dueDate >= today && !(conditional && d.key === 'governing-board-review'))
    .sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
}

/** Deadlines of other cases met on record (a notice sent, the council told): done on time or late. */
function metDuties(view: CaseView): KeyedDuty[] {
  const deadline = (key: string) => view.deadlines.find((d) => d.key === key);
  const done = (key: string, sent: { sentOn: string; by: string; at: string; method?: string | undefined } | undefined): KeyedDuty[] => {
    const d = deadline(key);
    if (!sent || !d) return [];
    return [{ key, what: d.label, dueDate: d.dueDate, status: sent.sentOn <= d.dueDate ? 'on-time' : 'late', done: { on: sent.sentOn, by: sent.by, at: sent.at, ...(sent.method ? { how: sent.method } : {}) } }];
  };
  switch (view.kind) {
    case 'off-site-direction':
      return done('notice', view.context.notice);
    case 'safeguarding-separation':
      return done('la-notice', view.context.laNotice);
    case 'part-time-timetable': {
      const told = view.context.councilTold;
      return done('tell-council', told ? { sentOn: told.on, by: told.by, at: told.at } : undefined);
    }
    default:
      return [];
  }
}
