/**
 * What the assistant says, independent of any channel: Teams renders these as Adaptive Cards,
 * Slack as Block Kit. Each carries what a card needs to act on the case — its id and the
 * revision it was drawn from, so a stale button cannot submit twice.
 */
import type { StaffRole } from '@before-exclusion/workflows';
import type { AnswerValue } from './interview.js';
import type { Question } from '@before-exclusion/workflows';

export interface CaseLine {
  readonly id: string;
  readonly kind: string;
  readonly pupilId: string;
  readonly schoolId: string;
  /** The state in words. */
  readonly state: string;
  readonly closed: boolean;
  readonly overdue: readonly { readonly label: string; readonly dueDate: string }[];
  readonly nextDeadline?: { readonly label: string; readonly dueDate: string };
  /** A PEAP whose questions can still be answered: offer "continue". */
  readonly resumable: boolean;
}

export interface ReviewItem {
  readonly questionId: string;
  readonly section: string;
  readonly text: string;
  readonly answer: string;
  /** False once the machine no longer accepts a change to it (e.g. the meeting after the pupil was heard). */
  readonly changeable: boolean;
}

export type Reply =
  | { readonly type: 'message'; readonly text: string; readonly tone?: 'info' | 'warning' | 'error' }
  | { readonly type: 'menu'; readonly role: StaffRole; readonly name: string }
  | {
      readonly type: 'question';
      readonly caseId: string;
      readonly pupilId: string;
      readonly revision: number;
      readonly question: Question;
      readonly number: number;
      readonly total: number;
      /** The saved answer (when changing it) or the record's suggestion, to confirm. */
      readonly value?: AnswerValue;
      readonly suggested: boolean;
      readonly error?: string;
    }
  | {
      readonly type: 'review';
      readonly caseId: string;
      readonly pupilId: string;
      readonly revision: number;
      readonly items: readonly ReviewItem[];
      /** What the PEAP gate still needs before a permanent exclusion can be recorded. */
      readonly gateMissing: readonly string[];
      readonly canDecide: boolean;
      readonly decisions: readonly { readonly value: string; readonly title: string }[];
      readonly followUpSuggested: string;
      readonly error?: string;
    }
  | { readonly type: 'decided'; readonly caseId: string; readonly pupilId: string; readonly decision: string; readonly followUpDate: string }
  | { readonly type: 'case-list'; readonly title: string; readonly cases: readonly CaseLine[]; readonly empty: string }
  | {
      readonly type: 'case-status';
      readonly case: CaseLine;
      readonly deadlines: readonly { readonly label: string; readonly dueDate: string; readonly status: string }[];
      readonly timeline: readonly { readonly at: string; readonly who: string; readonly what: string }[];
      readonly openedBy?: string;
    }
  | { readonly type: 'start-form'; readonly pupilId?: string; readonly error?: string }
  | { readonly type: 'check-form'; readonly pupilId?: string; readonly startDate?: string; readonly sessions?: string; readonly error?: string }
  | {
      readonly type: 'assessment';
      readonly pupilId: string;
      readonly allowed: boolean;
      readonly headline: string;
      readonly facts: readonly string[];
      readonly duties: readonly { readonly title: string; readonly due: string; readonly explanation: string }[];
    }
  | { readonly type: 'prompt'; readonly caseId: string; readonly pupilId: string; readonly caseKind: string; readonly why: string; readonly deadlines: readonly { readonly label: string; readonly dueDate: string }[] }
  | { readonly type: 'reminder'; readonly caseId: string; readonly pupilId: string; readonly what: string };
