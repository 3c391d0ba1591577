/**
 * The duties of an exclusion a person can record now, each as one action — what a case card and
 * its reminder offer as buttons, in every channel. Which are offered follows the machine (what its
 * state accepts) and the policy (`can`), so a button is never shown that would be refused.
 */
import type { Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { RECIPIENT_WORDS } from '../cases/caseWords.js';
import type { Recipient, SuspensionContext } from '../machines/suspensionCase.js';
import { RECIPIENTS } from '../machines/suspensionCase.js';
import type { CaseStore } from '../store/caseStore.js';

export type DutyKind = 'notice' | 'cancellation-notice' | 'provision' | 'review-request' | 'board-meeting' | 'board-outcome' | 'irp-request' | 'irp-decision' | 'cancel';

export interface DutyAction {
  readonly duty: DutyKind;
  /** For a notice: to whom. */
  readonly recipient?: Recipient;
  /** The button's words. */
  readonly title: string;
}

// Whom a notice goes to, in words: worded in caseWords with the rest of a case, and still offered from here.
export { RECIPIENT_WORDS };

const EVENT_OF: Readonly<Record<DutyKind, string>> = {
  notice: 'RECORD_NOTICE',
  'cancellation-notice': 'RECORD_CANCELLATION_NOTICE',
  provision: 'ARRANGE_PROVISION',
  'review-request': 'PARENTS_REQUEST_REVIEW',
  'board-meeting': 'SCHEDULE_BOARD_MEETING',
  'board-outcome': 'RECORD_BOARD_REVIEW',
  'irp-request': 'REQUEST_IRP',
  'irp-decision': 'RECORD_IRP_DECISION',
  cancel: 'CANCEL',
};

/** What `actor` can record on this exclusion's case now, in the order a head meets them. */
export function dutyActions(store: CaseStore, actor: Actor, view: CaseView<'suspension'>): DutyAction[] {
  const may = (duty: DutyKind) => store.cases.can(actor, view, EVENT_OF[duty]).allowed;
  const c: SuspensionContext = view.context;
  const actions: DutyAction[] = [];
  if (may('notice')) {
    for (const recipient of RECIPIENTS) if (c.notices[recipient] && !c.notices[recipient]?.sent) actions.push({ duty: 'notice', recipient, title: `Notice sent to ${RECIPIENT_WORDS[recipient]}` });
  }
  if (may('cancellation-notice')) {
    for (const recipient of RECIPIENTS) {
      if (c.cancellationNotices?.[recipient] && !c.cancellationNotices[recipient]?.sent) actions.push({ duty: 'cancellation-notice', recipient, title: `Cancellation told to ${RECIPIENT_WORDS[recipient]}` });
    }
  }
  if (may('provision')) actions.push({ duty: 'provision', title: 'Day-6 education arranged' });
  if (may('review-request')) actions.push({ duty: 'review-request', title: 'Parents asked for a review' });
  if (may('board-meeting')) actions.push({ duty: 'board-meeting', title: c.boardMeeting ? "Change the board's meeting" : "Board's meeting arranged" });
  if (may('board-outcome')) actions.push({ duty: 'board-outcome', title: "Board's decision" });
  if (may('irp-request')) actions.push({ duty: 'irp-request', title: 'Independent review requested' });
  if (may('irp-decision')) actions.push({ duty: 'irp-decision', title: "Review panel's decision" });
  if (may('cancel')) actions.push({ duty: 'cancel', title: 'Cancel the exclusion' });
  return actions;
}
