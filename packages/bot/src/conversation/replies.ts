/**
 * What the assistant says, independent of any channel: Teams renders these as Adaptive Cards,
 * Slack as Block Kit. Each carries what a card needs to act on the case — its id and the
 * revision it was drawn from, so a stale button cannot submit twice.
 */
import { longDate } from '@before-exclusion/rules';
import type { StaffRole } from '@before-exclusion/workflows';
import type { AnswerValue } from './interview.js';
import type { CaseSummary, Question } from '@before-exclusion/workflows';

/** What a button carries: the verb and ids of the command it sends (a form's inputs are merged in when pressed). */
export type ActionData = { readonly verb: string } & Readonly<Record<string, unknown>>;

/** A button: its words and what it sends. */
export interface ButtonAction {
  readonly title: string;
  readonly data: ActionData;
  readonly primary?: boolean;
}

/** One input of a form. `value` is what it starts with (a default, or what was entered before an error). */
export interface FormField {
  readonly id: string;
  readonly label: string;
  readonly kind: 'text' | 'long-text' | 'date' | 'number' | 'choice' | 'yes-no';
  readonly required?: boolean;
  readonly choices?: readonly { readonly value: string; readonly title: string }[];
  readonly value?: string;
  /** A number's bounds (default: from 1, no upper bound); a score may be 0. */
  readonly min?: number;
  readonly max?: number;
}

/**
 * A form to fill in and submit (recording an exclusion, a duty, the details a letter needs): a
 * card in Teams, a modal in Slack. An error is shown under its field, and nothing entered is lost.
 */
export interface FormReply {
  readonly type: 'form';
  readonly title: string;
  readonly intro?: string;
  /** Said above the fields, as a list: what the PEAP gate lacks, say. */
  readonly notes?: readonly string[];
  readonly fields: readonly FormField[];
  readonly submit: ButtonAction;
  readonly error?: string;
  readonly fieldErrors?: Readonly<Record<string, string>>;
}

/** A case in a list: where it stands (workflows' `caseSummary`), and whether the head can carry on. */
export interface CaseLine extends Pick<CaseSummary, 'id' | 'pupilId' | 'schoolId' | 'state' | 'closed' | 'overdue' | 'nextDeadline' | 'title' | 'stateText'> {
  readonly kind: string;
  /** A PEAP whose questions can still be answered: offer "continue". */
  readonly resumable: boolean;
  /** What to record now, when something is due (a support plan's review): its button. */
  readonly act?: ButtonAction;
}

export interface ReviewItem {
  readonly questionId: string;
  readonly section: string;
  readonly text: string;
  readonly answer: string;
  /** False once the machine no longer accepts a change to it (e.g. the meeting after the pupil was heard). */
  readonly changeable: boolean;
}

/** An answer as a case's status shows it: under its question, with what it was before. */
export interface StatusAnswer {
  readonly question: string;
  readonly answer: string;
  /** Earlier values, oldest first, shown as changes: "Yes → No". */
  readonly earlier: readonly string[];
  /** Who gave the answer shown, and when (in words). */
  readonly by?: string;
  readonly when?: string;
}

/** A duty and whether it was met: done on time, done late, overdue, still to do (or cancelled). */
export interface StatusDuty {
  readonly what: string;
  readonly dueDate?: string;
  readonly status: 'on time' | 'late' | 'overdue' | 'to do' | 'cancelled';
  /** When and how it was done, and who recorded it, in words. */
  readonly done?: string;
}

/**
 * A case read back for a person in a one-to-one chat, built from the case record: the decision
 * and why, the answers, duties, notes and timeline in words. What a chat cannot hold comes as a
 * count ("N more"), for the web workspace to show in full.
 */
export interface CaseStatus {
  readonly type: 'case-status';
  readonly case: CaseLine;
  /** The rule that opened the case, and why it fired. */
  readonly openedBy?: string;
  readonly decision?: {
    readonly decision: string;
    readonly rationale: string;
    readonly by: string;
    readonly when: string;
    readonly followUpDate: string;
    /** The PEAP gate's items as they stood when the decision was made. */
    readonly gate: readonly { readonly item: string; readonly met: boolean }[];
  };
  /** A PEAP's support on record, a line each in words (or the line saying there is none), and how many more the workspace shows. */
  readonly support?: readonly string[];
  readonly supportMore?: number;
  /** The answers shown, by section in the question set's order. */
  readonly answers: readonly { readonly section: string; readonly answers: readonly StatusAnswer[] }[];
  /** Answers given but not shown here. */
  readonly answersMore: number;
  readonly duties: readonly StatusDuty[];
  /** The most recent notes, oldest first. */
  readonly notes: readonly { readonly text: string; readonly by: string; readonly when: string }[];
  readonly notesMore: number;
  /** The most recent of the timeline, in words, oldest first (reads of the case left out). */
  readonly timeline: readonly { readonly when: string; readonly who: string; readonly what: string }[];
  readonly timelineMore: number;
  /** The case in the web workspace, where all of it is shown. */
  readonly workspaceUrl?: string;
  /** What can be recorded now (each duty's button), and the letters that can be written. */
  readonly actions: readonly ButtonAction[];
}

/** A pupil on the weekly list: why (the reasons' titles), what changed since last week, the open actions. */
export interface WeeklyListPupil {
  readonly pupilId: string;
  /** new: not on last week's list; changed: its reasons came or went; still: as last week. */
  readonly change: 'new' | 'changed' | 'still';
  readonly reasons: readonly { readonly title: string; readonly newThisWeek: boolean }[];
  /** Reasons on last week's list and not this week's, in words. */
  readonly reasonsGone: readonly string[];
  readonly actions: readonly { readonly action: string; readonly owner: string; readonly dueDate: string; readonly overdue: boolean }[];
  /** Back on the list after the meeting stepped the pupil down on this date (a reason new since). */
  readonly backAfterStepDown?: string;
}

/**
 * The week's list for the team around the school, for one school, as the people who meet
 * receive it: pupils by id only (a message sent unasked never carries a name), the first of them
 * when the list is long, and the workspace for all of it.
 */
export interface WeeklyList {
  readonly type: 'weekly-list';
  readonly schoolId: string;
  readonly schoolName: string;
  /** The meeting's date, and last week's (what changed is since then). */
  readonly week: string;
  readonly lastWeek: string;
  /** The whole list's counts; fewer pupils may be shown than are on it or off it (the rest in the workspace). */
  readonly counts: { readonly on: number; readonly new: number; readonly changed: number; readonly off: number; readonly heldOff: number };
  readonly pupils: readonly WeeklyListPupil[];
  /** Off since last week: last week's reasons, and the step down that took them off, if one did. */
  readonly steppedOff: readonly { readonly pupilId: string; readonly reasons: readonly string[]; readonly steppedDownOn?: string }[];
  /** The list in the web workspace, when the service has an address. */
  readonly workspaceUrl?: string;
}

/** The list's counts in words, the same in every channel: "4 on the list: 1 new, 1 changed; 2 off it since Monday 16 March 2026". */
export function weeklyCounts(r: WeeklyList): string {
  const { on, off } = r.counts;
  const held = r.counts.heldOff ? `; ${r.counts.heldOff} held off after a step down` : '';
  return `${on} on the list${on ? `: ${r.counts.new} new, ${r.counts.changed} changed` : ''}; ${off} off it since ${longDate(r.lastWeek)}${held}`;
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
      /** Beside the answer: what can be recorded first (support tried, on a support question). */
      readonly actions?: readonly ButtonAction[];
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
      /** What the head had entered when the decision was refused, so nothing typed is lost. */
      readonly entered?: { readonly decision?: string; readonly rationale?: string; readonly followUpDate?: string };
    }
  | { readonly type: 'decided'; readonly caseId: string; readonly pupilId: string; readonly decision: string; readonly followUpDate: string }
  | {
      readonly type: 'case-list';
      readonly title: string;
      /** This page of the list. */
      readonly cases: readonly CaseLine[];
      readonly empty: string;
      /** Cases in the whole list, and the button for the next page when there is one. */
      readonly total?: number;
      readonly more?: ButtonAction;
      /** Said under the list: how it is ordered, how to filter. */
      readonly footer?: string;
    }
  | FormReply
  | CaseStatus
  | { readonly type: 'start-form'; readonly pupilId?: string; readonly error?: string }
  | { readonly type: 'check-form'; readonly pupilId?: string; readonly startDate?: string; readonly sessions?: string; readonly error?: string }
  | {
      readonly type: 'assessment';
      readonly pupilId: string;
      readonly allowed: boolean;
      readonly headline: string;
      readonly facts: readonly string[];
      readonly duties: readonly { readonly title: string; readonly due: string; readonly explanation: string }[];
      /** Record it (when allowed), or check another. */
      readonly actions: readonly ButtonAction[];
    }
  | {
      readonly type: 'prompt';
      readonly caseId: string;
      readonly pupilId: string;
      readonly caseKind: string;
      /** The case in words: "Suspension — DEMO-005, 3 days from Mon 2 Mar". */
      readonly title: string;
      readonly why: string;
      readonly deadlines: readonly { readonly label: string; readonly dueDate: string }[];
      readonly actions: readonly ButtonAction[];
    }
  | {
      readonly type: 'letter';
      readonly caseId: string;
      /** What was written, in words: "the parents' notice of the suspension". */
      readonly title: string;
      readonly fileName: string;
      /** Where the head opens it (the workspace), when the service has an address. */
      readonly url?: string;
      /** The template's version and the guidance it follows. */
      readonly follows: string;
    }
  | { readonly type: 'reminder'; readonly caseId: string; readonly pupilId: string; readonly title: string; readonly what: string; readonly actions: readonly ButtonAction[] }
  | WeeklyList;

/**
 * A status rendered as large as a channel's message can hold: while it does not fit, one thing
 * less is shown — the oldest timeline entries (down to five), the oldest notes (down to two),
 * the last answers (down to four), the rationale shortened, then the rest — each counted as
 * "more" for the web workspace to show.
 */
export function fitStatus<T>(status: CaseStatus, render: (s: CaseStatus) => T, fits: (rendered: T) => boolean): T {
  let current = status;
  let rendered = render(current);
  for (let next = smallerStatus(current); !fits(rendered) && next; next = smallerStatus(current)) {
    current = next;
    rendered = render(current);
  }
  return rendered;
}

function smallerStatus(s: CaseStatus): CaseStatus | undefined {
  const answers = s.answers.reduce((n, section) => n + section.answers.length, 0);
  const withoutLastAnswer = (): CaseStatus => {
    const last = s.answers.at(-1)!;
    const rest = last.answers.slice(0, -1);
    return { ...s, answers: [...s.answers.slice(0, -1), ...(rest.length ? [{ section: last.section, answers: rest }] : [])], answersMore: s.answersMore + 1 };
  };
  const withoutOldestNote = (): CaseStatus => ({ ...s, notes: s.notes.slice(1), notesMore: s.notesMore + 1 });
  const withoutOldestEntry = (): CaseStatus => ({ ...s, timeline: s.timeline.slice(1), timelineMore: s.timelineMore + 1 });
  if (s.timeline.length > 5) return withoutOldestEntry();
  if (s.notes.length > 2) return withoutOldestNote();
  if (answers > 4) return withoutLastAnswer();
  if (s.decision && s.decision.rationale.length > RATIONALE_SHORT && !s.decision.rationale.endsWith(CUT)) {
    return { ...s, decision: { ...s.decision, rationale: `${s.decision.rationale.slice(0, RATIONALE_SHORT).trimEnd()}${CUT}` } };
  }
  if (answers > 0) return withoutLastAnswer();
  if (s.notes.length > 0) return withoutOldestNote();
  if (s.timeline.length > 0) return withoutOldestEntry();
  return undefined;
}
const RATIONALE_SHORT = 1000;
const CUT = '… (in full in the workspace)';
