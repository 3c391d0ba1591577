/**
 * How the product words a case — one home, so a list line, a card, the case record and a letter
 * say the same thing: its title ("Suspension — DEMO-005, 3 days from Mon 2 Mar"), where it stands
 * ("notices to send"), what happened ("meeting scheduled"), the rule that opened it, and the codes
 * a case carries (recipients, categories, reasons, half-terms) in words. Internal names — state
 * ids, event types, rule ids — reach a person only beside these words, never instead of them.
 */
import { EXCLUSION_CATEGORIES, EXCLUSION_CATEGORY_SYNONYMS, EXCLUSION_REASONS, defaultRulePack, isIsoDate, longDate, shortDate, weekdayName, type RulePack } from '@before-exclusion/rules';
import type { CaseView } from './caseService.js';
import type { CaseKind } from '../machines/caseDefinition.js';
import { CASELOAD_STATUS_WORDS, CLOSURE_REASON_WORDS, ESCALATION_WORDS, PEAP_DECISION_TITLES, type CaseloadStatus, type ClosureReason, type Intervention, type Recipient } from '../machines/index.js';
import { MEASURE_WORDS, type Measure } from '../support/supportMeasures.js';

/** Each kind of case, as a person calls it. */
export const CASE_KIND_WORDS: Readonly<Record<CaseKind, string>> = {
  peap: 'Pre-exclusion assessment',
  suspension: 'Exclusion duties',
  ebsna: 'EBSNA',
  reintegration: 'Reintegration',
  'off-site-direction': 'Off-site direction',
  'part-time-timetable': 'Part-time timetable',
  'safeguarding-separation': 'Safeguarding separation',
  'support-plan': 'Support plan',
  'nurture-outreach': 'Nurture outreach',
  'tats-action': 'Team-around-the-school action',
  'ehc-needs-assessment': 'EHC needs assessment',
};

/** How long an exclusion is, as the pupil record gives it (`sessions` two a day, or `lunchtimes`). */
export interface ExclusionLength {
  readonly sessions?: number | undefined;
  readonly lunchtimes?: number | undefined;
}

/**
 * A case's title: its kind, the pupil and — for an exclusion — its length and first day.
 * @example caseTitle(suspensionView, { sessions: 6 }) // "Suspension — DEMO-005, 3 days from Mon 2 Mar"
 * @example caseTitle(peapView) // "Pre-exclusion assessment — DEMO-002"
 * @param exclusion — the exclusion's length from the pupil record, when the case does not hold it.
 */
export function caseTitle(view: CaseView, exclusion?: ExclusionLength): string {
  switch (view.kind) {
    case 'suspension': {
      const e = view.context.exclusion;
      const length = lengthWords(e.category, { sessions: exclusion?.sessions ?? e.sessions, lunchtimes: exclusion?.lunchtimes ?? e.lunchtimes });
      return `${capitalised(EXCLUSION_CATEGORIES[e.category])} — ${view.pupilId}${length ? `, ${length}` : ''} from ${dayAndDate(e.startDate)}`;
    }
    case 'reintegration':
    case 'off-site-direction':
    case 'part-time-timetable':
    case 'safeguarding-separation':
      return `${CASE_KIND_WORDS[view.kind]} — ${view.pupilId} from ${dayAndDate(view.context.startDate)}`;
    case 'support-plan': {
      // A pupil may have several plans: the one in hand is told apart by what it is and who gives it.
      const plan = view.context.plans.at(-1);
      return `${CASE_KIND_WORDS[view.kind]} — ${view.pupilId}${plan ? `: ${interventionWords(plan.intervention)} with ${plan.provider}` : ''}`;
    }
    default:
      return `${CASE_KIND_WORDS[view.kind]} — ${view.pupilId}`;
  }
}

/** "3 days", "half a day", "10 lunchtimes"; nothing for a permanent exclusion or a length not known. */
function lengthWords(category: keyof typeof EXCLUSION_CATEGORIES, e: ExclusionLength): string | undefined {
  if (category === 'LNCH') return e.lunchtimes === undefined ? undefined : plural(e.lunchtimes, 'lunchtime');
  if (category === 'PERM' || e.sessions === undefined) return undefined;
  const days = e.sessions / 2;
  return days === 0.5 ? 'half a day' : plural(days, 'day');
}

/** Words for a state: a string, or for a part of a parallel state that needs nothing now, `{ settled }`. */
type StateWord = string | { readonly settled: string };

/**
 * Every state each machine can be in, by its path (`open.notices.pending`), in words. A part of
 * the suspension case's parallel state that needs nothing more (`settled`) is left out of where the
 * case stands while another part still needs something.
 */
export const STATE_WORDS: Readonly<Record<CaseKind, Readonly<Record<string, StateWord>>>> = {
  peap: {
    triggered: 'opened — meeting to arrange',
    'meeting-scheduled': "meeting scheduled — pupil's voice next",
    'pupil-voice-captured': "pupil's voice heard — head's reflection next",
    'head-reflection': "head's reflection — decision next",
    decided: 'decided — follow-up review to come',
    'follow-up-review': 'follow-up review due',
    closed: 'closed after the follow-up review',
  },
  suspension: {
    'open.notices.pending': 'notices to send',
    'open.notices.all-sent': { settled: 'notices sent' },
    'open.provision.checking': { settled: 'checking whether sixth-day education is needed' },
    'open.provision.due': 'full-time education to arrange from the sixth day',
    'open.provision.overdue': 'full-time education from the sixth day overdue',
    'open.provision.arranged': { settled: 'full-time education arranged' },
    'open.provision.not-required': { settled: 'no sixth-day education needed' },
    'open.review.checking': { settled: 'checking whether the governing board must review' },
    'open.review.on-request': { settled: 'the governing board reviews if the parents ask' },
    'open.review.due': 'governing board review to hold',
    'open.review.reviewed': { settled: 'reviewed by the governing board' },
    'open.review.irp-window': 'parents may still ask for an independent review',
    'open.review.irp-requested': 'independent review panel to meet',
    'open.review.done': { settled: 'governing board review done' },
    'open.review.not-required': { settled: 'no governing board review needed' },
    cancelling: 'exclusion cancelled — everyone told of it to be told again, with the reason',
    cancelled: 'exclusion cancelled — everyone notified told again',
    closed: 'every duty done',
  },
  ebsna: {
    referred: 'referred — panel to decide',
    accepted: 'accepted by the panel — SASO and assistant EP to allocate',
    allocated: 'SASO and assistant EP allocated — assessment next',
    assessment: 'being assessed — plan to agree',
    reviewing: 'plan agreed — reviewed every six weeks',
    'attendance-restored': 'closed: attendance restored',
    escalated: 'escalated',
    declined: 'declined by the panel',
    redirected: 'redirected by the panel',
  },
  reintegration: {
    'on-pathway.active': 'on the pathway — back at the home school by week 12',
    'on-pathway.escalated': 'past week 12 — escalated',
    'follow-up': 'back at the home school — follow-up period',
    closed: 'closed',
  },
  'off-site-direction': {
    'notice.due': "parents' written notice to give, two school days before the placement",
    'notice.overdue': "parents' written notice late — the placement cannot start until two school days after it",
    'placement.running': 'placement running — next review to hold',
    'placement.review-requested': 'a review was asked for — hold it as soon as reasonably practicable',
    'placement.review-overdue': 'placement running — review overdue',
    'placement.past-planned-end': 'past its planned end — record the return, a managed move or the end',
    returned: 'closed: back at the school full time',
    'managed-move': 'closed: a managed move (permanent, no trial period)',
    ended: 'closed: the direction ended',
  },
  'part-time-timetable': {
    'active.checking': { settled: 'checking whether it is agreed and time-limited' },
    'active.to-agree': "the parents' agreement and a time limit to record",
    'active.agreed': 'agreed with the parents — first review to hold',
    'active.reviewed': 'reviewed — next review to hold',
    'active.review-overdue': 'review overdue',
    'active.past-planned-end': 'past its time limit — back to full time, a new limit, or escalate',
    'full-time': 'closed: back to full time',
    escalated: 'escalated',
  },
  'safeguarding-separation': {
    'open.la-notice.due': 'the local authority to tell',
    'open.la-notice.overdue': 'the local authority not yet told — overdue',
    'open.la-notice.sent': { settled: 'the local authority told' },
    'open.separation.in-place': 'separation in place — the DSL ends it',
    'open.separation.ended': { settled: 'separation ended' },
    closed: 'closed: separation ended, the local authority told',
  },
  'support-plan': {
    assess: 'assess — the need and a baseline to record',
    plan: 'plan — the intervention, provider, start and review to agree',
    'do.running': 'do — support running, review on its date',
    'do.review-due': 'review — due now',
    'needs-met': 'closed: needs met',
    escalated: 'closed: escalated',
    stopped: 'closed: support stopped',
  },
  'nurture-outreach': {
    referred: "referred — parents' consent to seek",
    waiting: 'consent given — waiting for a place',
    baseline: 'place given — baseline (SDQ, Thrive) to take',
    'active.working': 'active — support running',
    'active.follow-up-due': 'active — follow-up assessment due',
    'followed-up': 'followed up — close when settled, diagnosed or an EHC plan',
    closed: 'closed',
  },
  'tats-action': {
    'open.due': 'to do by its date',
    'open.overdue': 'overdue',
    done: 'done',
    dropped: 'dropped',
  },
  'ehc-needs-assessment': {
    requested: "requested — the council's decision whether to assess due within 6 weeks",
    assessing: 'being assessed — a draft plan, or a decision not to issue, to come',
    'draft-issued': 'draft plan sent — the final plan due within 20 weeks of the request',
    'plan-issued': 'closed: EHC plan issued',
    'not-assessed': 'closed: the council decided not to assess',
    'not-issued': 'closed: the council decided not to issue a plan',
    withdrawn: 'closed: request withdrawn',
  },
};

/**
 * Where a case stands, in words.
 * @example stateWords('peap', 'pupil-voice-captured') // "pupil's voice heard — head's reflection next"
 * @example stateWords('suspension', { open: { notices: 'pending', provision: 'not-required', review: 'not-required' } }) // "notices to send"
 * @param state — the machine's state value, as `CaseView.state` holds it.
 */
export function stateWords(kind: CaseKind, state: unknown): string {
  const words = STATE_WORDS[kind];
  const parts = leafPaths(state).map((path) => words[path]);
  if (parts.length === 0 || parts.some((p) => p === undefined)) return describeState(state); // a state this table does not know (a test machine's)
  const known = parts as StateWord[];
  const open = known.filter((p): p is string => typeof p === 'string');
  return (open.length ? open : known.map((p) => (typeof p === 'string' ? p : p.settled))).join(', ');
}

/** The dotted paths of the leaves of a state value: `{ open: { notices: 'pending' } }` → `open.notices.pending`. */
function leafPaths(value: unknown, prefix = ''): string[] {
  const at = (name: string) => (prefix ? `${prefix}.${name}` : name);
  if (typeof value === 'string') return [at(value)];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, at(k)));
  return [];
}

/** A state value in the machine's own names: `meeting-scheduled`, or `open (notices: pending, review: due)` — for logs and refusals, beside `stateWords`. */
export function describeState(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => (typeof v === 'string' ? `${k}: ${v}` : `${k} (${describeState(v)})`))
      .join(', ');
  }
  return String(value);
}

/** Every event each machine accepts (the scheduler's `DEADLINE_REACHED` too), as what happened. */
export const EVENT_WORDS: Readonly<Record<CaseKind, Readonly<Record<string, string>>>> = {
  peap: {
    SCHEDULE_MEETING: 'meeting scheduled',
    ANSWER: 'answer given',
    COMPLETE_REFLECTION: "head's reflection completed",
    DECIDE: 'decision recorded',
    CLOSE_FOLLOW_UP: 'follow-up review closed',
    FURTHER_SUSPENSION: 'further suspension — the assessment reopens',
    DEADLINE_REACHED: 'deadline reached',
  },
  suspension: {
    RECORD_NOTICE: 'notice recorded as sent',
    ARRANGE_PROVISION: 'full-time education arranged',
    PARENTS_REQUEST_REVIEW: 'parents asked for a review',
    SCHEDULE_BOARD_MEETING: "governing board's meeting arranged",
    RECORD_BOARD_REVIEW: "governing board's decision recorded",
    REQUEST_IRP: 'independent review requested',
    RECORD_IRP_DECISION: "independent review panel's decision recorded",
    CANCEL: 'exclusion cancelled',
    RECORD_CANCELLATION_NOTICE: 'cancellation notice recorded as sent',
    DEADLINE_REACHED: 'deadline reached',
  },
  ebsna: {
    PANEL_DECISION: "panel's decision recorded",
    ALLOCATE: 'SASO and assistant EP allocated',
    START_ASSESSMENT: 'assessment started',
    AGREE_PLAN: 'plan agreed',
    HOLD_REVIEW: 'review held',
    DEADLINE_REACHED: 'deadline reached',
  },
  reintegration: {
    RECORD_REVIEW: 'review recorded',
    RETURN_TO_HOME_SCHOOL: 'returned to the home school',
    FURTHER_EXCLUSION: 'further exclusion — reintegration ended',
    DEADLINE_REACHED: 'deadline reached',
  },
  'off-site-direction': {
    RECORD_NOTICE: "parents' notice recorded as given",
    HOLD_REVIEW: 'review held',
    REQUEST_REVIEW: 'a review asked for',
    END_DIRECTION: 'direction ended',
    DEADLINE_REACHED: 'deadline reached',
  },
  'part-time-timetable': {
    AGREE: "parents' agreement and time limit recorded",
    HOLD_REVIEW: 'review held',
    TELL_COUNCIL: 'the council told',
    DEADLINE_REACHED: 'deadline reached',
  },
  'safeguarding-separation': {
    RECORD_LA_NOTICE: 'the local authority told',
    END_SEPARATION: 'separation ended',
    DEADLINE_REACHED: 'deadline reached',
  },
  'support-plan': {
    ASSESS: 'need assessed',
    AGREE_PLAN: 'plan agreed',
    RECORD_MEASURE: 'measure recorded',
    HOLD_REVIEW: 'review held',
    STOP: 'support stopped',
    DEADLINE_REACHED: 'deadline reached',
  },
  'nurture-outreach': {
    RECORD_CONSENT: "parents' consent recorded",
    START_WORK: 'place given',
    RECORD_MEASURE: 'measure recorded',
    SET_STATUS: 'status set',
    CLOSE: 'closed',
    DEADLINE_REACHED: 'deadline reached',
  },
  'tats-action': {
    MARK_DONE: 'action done',
    REASSIGN: 'action reassigned',
    DROP: 'action dropped',
    DEADLINE_REACHED: 'deadline reached',
  },
  'ehc-needs-assessment': {
    DECIDE_TO_ASSESS: 'the council decided to assess',
    DECIDE_NOT_TO_ASSESS: 'the council decided not to assess',
    ISSUE_DRAFT: 'draft plan sent',
    DECIDE_NOT_TO_ISSUE: 'the council decided not to issue a plan',
    ISSUE_PLAN: 'EHC plan issued',
    WITHDRAW: 'request withdrawn',
    DEADLINE_REACHED: 'deadline reached',
  },
};

/** The deadlines each machine schedules, by key, in words (the scheduler's event names only the key). */
export const DEADLINE_WORDS: Readonly<Record<CaseKind, Readonly<Record<string, string>>>> = {
  peap: { 'follow-up': 'PEAP follow-up review' },
  suspension: {
    notices: 'notices sent without delay',
    provision: 'full-time education from the sixth day',
    'board-review': 'governing board review',
    'irp-window': 'independent review: application window closes',
    'cancellation-notices': 'cancellation notices sent without delay',
  },
  ebsna: { review: 'six-weekly EBSNA review' },
  reintegration: { 'week-10': 'week 10 warning', 'week-12': 'return by week 12', 'follow-up-end': 'end of follow-up' },
  'off-site-direction': {
    notice: "parents' written notice, two school days before the placement",
    review: 'off-site direction review',
    'requested-review': 'the review asked for',
    'planned-end': 'planned end of the placement',
  },
  'part-time-timetable': { review: 'part-time timetable review', 'planned-end': 'back to full time by (the time limit)', 'tell-council': 'the council told (its own rule)' },
  'safeguarding-separation': { 'la-notice': 'the local authority told, so it can arrange education' },
  'support-plan': { review: 'support plan review' },
  'nurture-outreach': { 'follow-up': 'nurture outreach follow-up assessment' },
  'tats-action': { due: 'team-around-the-school action due' },
  'ehc-needs-assessment': {
    decision: "the council's decision whether to assess (6 weeks from the request)",
    'not-to-issue': 'a decision not to issue a plan told (16 weeks from the request)',
    plan: 'the final EHC plan issued (20 weeks from the request)',
    'local-target': "the council's local target for a child in care or on a child-protection plan",
  },
};

/** A deadline's key in words: `provision` → "full-time education from the sixth day". */
export function deadlineWords(kind: CaseKind, key: string): string {
  return DEADLINE_WORDS[kind][key] ?? key.replace(/-/g, ' ');
}

/**
 * What an event did, as a short phrase; with the deadline's key for `DEADLINE_REACHED`.
 * @example eventWords('peap', 'SCHEDULE_MEETING') // "meeting scheduled"
 * @example eventWords('suspension', 'DEADLINE_REACHED', 'provision') // "deadline reached: full-time education from the sixth day"
 */
export function eventWords(kind: CaseKind, eventType: string, deadlineKey?: string): string {
  const words = EVENT_WORDS[kind][eventType] ?? eventType.toLowerCase().replace(/_/g, ' ');
  return eventType === 'DEADLINE_REACHED' && deadlineKey ? `${words}: ${deadlineWords(kind, deadlineKey)}` : words;
}

type EventData = Readonly<Record<string, unknown>>;
/** An event's data in words, after who sent it ("demo-head: set the meeting for …"). */
type Told = (d: EventData, question: (id: string) => string) => string;

const BOARD_OUTCOMES: Readonly<Record<string, string>> = { upheld: 'exclusion upheld', reinstated: 'pupil reinstated' };
const IRP_OUTCOMES: Readonly<Record<string, string>> = { upheld: "upheld the board's decision", 'recommend-reconsider': 'recommended the board reconsiders', quash: "quashed the board's decision" };
const REVIEW_OUTCOMES: Readonly<Record<string, string>> = { continue: 'continuing', 'attendance-restored': 'attendance restored', escalate: 'escalated' };
const MEETING_FORMAT_WORDS: Readonly<Record<string, string>> = { 'in-person': 'in person', remote: 'remote' };

/** Every event each machine accepts, as what someone did, with its data — for a case's timeline. */
export const TIMELINE_WORDS: Readonly<Record<CaseKind, Readonly<Record<string, Told>>>> = {
  peap: {
    SCHEDULE_MEETING: (d) => `set the meeting for ${dateWords(d.date)}`,
    ANSWER: (d, question) => `answered "${question(String(d.questionId))}"`,
    COMPLETE_REFLECTION: () => "completed the head's reflection",
    DECIDE: (d) => `decided: ${PEAP_DECISION_TITLES[d.decision as keyof typeof PEAP_DECISION_TITLES] ?? String(d.decision)}`,
    CLOSE_FOLLOW_UP: () => 'closed the follow-up review',
    FURTHER_SUSPENSION: (d) => `added a further suspension (${String(d.exclusionId)}); the assessment reopens`,
    DEADLINE_REACHED: (d) => eventWords('peap', 'DEADLINE_REACHED', String(d.key)),
  },
  suspension: {
    RECORD_NOTICE: (d) => `recorded the notice to ${recipientWords(d.recipient)} (${String(d.method)}, ${dateWords(d.sentOn)})`,
    ARRANGE_PROVISION: (d) => `arranged full-time education with ${String(d.provider)} from ${dateWords(d.from)}`,
    PARENTS_REQUEST_REVIEW: (d) => `recorded the parents' request for a review (${dateWords(d.requestedOn)}); the board meets by ${dateWords(d.dueDate)}`,
    SCHEDULE_BOARD_MEETING: (d) => `arranged the governing board's meeting for ${dateWords(d.on)}${d.format ? ` (${MEETING_FORMAT_WORDS[String(d.format)] ?? String(d.format)})` : ''}`,
    RECORD_BOARD_REVIEW: (d) => `recorded the governing board's decision: ${BOARD_OUTCOMES[String(d.outcome)] ?? String(d.outcome)} (${dateWords(d.heldOn)})`,
    REQUEST_IRP: (d) => `recorded a request for an independent review (${dateWords(d.requestedOn)}); the panel meets by ${dateWords(d.panelBy)}`,
    RECORD_IRP_DECISION: (d) => `recorded the independent review panel's decision: ${IRP_OUTCOMES[String(d.outcome)] ?? String(d.outcome)} (${dateWords(d.heldOn)})`,
    CANCEL: (d) => `cancelled the exclusion: ${String(d.reason)}`,
    RECORD_CANCELLATION_NOTICE: (d) => `recorded the cancellation notice to ${recipientWords(d.recipient)} (${String(d.method)}, ${dateWords(d.sentOn)})`,
    DEADLINE_REACHED: (d) => eventWords('suspension', 'DEADLINE_REACHED', String(d.key)),
  },
  ebsna: {
    PANEL_DECISION: (d) => `recorded the panel's decision: ${d.outcome === 'accept' ? 'accepted' : d.outcome === 'decline' ? `declined (${String(d.reason)})` : `redirected${d.redirectTo ? ` to ${String(d.redirectTo)}` : ''} (${String(d.reason)})`}`,
    ALLOCATE: (d) => `allocated the SASO (${String(d.sasoId)}) and the assistant EP (${String(d.assistantEpId)})`,
    START_ASSESSMENT: () => 'started the assessment',
    AGREE_PLAN: (d) => `agreed the plan; first review by ${dateWords(d.firstReviewDue)}`,
    HOLD_REVIEW: (d) => `held a review: attendance ${String(d.attendance)}%, ${REVIEW_OUTCOMES[String(d.outcome)] ?? String(d.outcome)}`,
    DEADLINE_REACHED: (d) => eventWords('ebsna', 'DEADLINE_REACHED', String(d.key)),
  },
  reintegration: {
    RECORD_REVIEW: (d) => `recorded a review held on ${dateWords(d.heldOn)}`,
    RETURN_TO_HOME_SCHOOL: (d) => `recorded the return to the home school on ${dateWords(d.returnedOn)}; follow-up until ${dateWords(d.followUpEnds)}`,
    FURTHER_EXCLUSION: (d) => `recorded a further exclusion (${String(d.exclusionId)}); reintegration ended`,
    DEADLINE_REACHED: (d) => eventWords('reintegration', 'DEADLINE_REACHED', String(d.key)),
  },
  'off-site-direction': {
    RECORD_NOTICE: (d) => `recorded the parents' written notice (${String(d.method)}, ${dateWords(d.sentOn)})`,
    HOLD_REVIEW: (d) => `held a review on ${dateWords(d.heldOn)}; next by ${dateWords(d.nextReviewDue)}`,
    REQUEST_REVIEW: (d) => `recorded that ${d.requestedBy === 'local-authority' ? 'the local authority' : 'the parents'} asked for a review (${dateWords(d.requestedOn)}); to hold by ${dateWords(d.holdBy)}`,
    END_DIRECTION: (d) =>
      d.outcome === 'managed-move'
        ? `recorded a managed move to ${String(d.receivingSchool)} (${dateWords(d.on)}${d.offRollOn ? `; off roll ${dateWords(d.offRollOn)}` : ''})`
        : d.outcome === 'returned'
          ? `recorded the return to the school full time (${dateWords(d.on)})`
          : `ended the direction (${dateWords(d.on)}${d.reason ? `: ${String(d.reason)}` : ''})`,
    DEADLINE_REACHED: (d) => eventWords('off-site-direction', 'DEADLINE_REACHED', String(d.key)),
  },
  'part-time-timetable': {
    AGREE: (d) => `recorded the parents' agreement (${dateWords(d.parentsAgreedOn)}) and the time limit: full time by ${dateWords(d.plannedEnd)}`,
    HOLD_REVIEW: (d) =>
      `held a review on ${dateWords(d.heldOn)}: ${d.outcome === 'full-time' ? 'back to full time' : d.outcome === 'escalate' ? 'escalated' : `continuing, next by ${dateWords(d.nextReviewDue)}${d.plannedEnd ? `, new time limit ${dateWords(d.plannedEnd)}` : ''}`}`,
    TELL_COUNCIL: (d) => `recorded that the council was told (${dateWords(d.toldOn)})`,
    DEADLINE_REACHED: (d) => eventWords('part-time-timetable', 'DEADLINE_REACHED', String(d.key)),
  },
  'safeguarding-separation': {
    RECORD_LA_NOTICE: (d) => `recorded telling the local authority (${String(d.method)}, ${dateWords(d.sentOn)})`,
    END_SEPARATION: (d) => `recorded the end of the separation (${dateWords(d.endedOn)})`,
    DEADLINE_REACHED: (d) => eventWords('safeguarding-separation', 'DEADLINE_REACHED', String(d.key)),
  },
  'support-plan': {
    ASSESS: (d) => `assessed the need (${dateWords(d.assessedOn)})`,
    AGREE_PLAN: (d) => `agreed the plan: ${interventionWords(d.intervention)} with ${String(d.provider)} from ${dateWords(d.startDate)}, review by ${dateWords(d.reviewDue)}`,
    RECORD_MEASURE: (d) => `recorded a ${String(d.stage)} ${MEASURE_WORDS[d.measure as Measure]?.name ?? String(d.measure)} (${dateWords(d.takenOn)})`,
    HOLD_REVIEW: (d) =>
      `held a review on ${dateWords(d.heldOn)}: ${d.outcome === 'continue' ? `continuing, next by ${dateWords(d.nextReviewDue)}` : d.outcome === 'revise-plan' ? 'the plan to revise' : d.outcome === 'needs-met' ? 'needs met' : `escalated to ${ESCALATION_WORDS[d.escalatedTo as keyof typeof ESCALATION_WORDS] ?? 'another service'}`}`,
    STOP: (d) => `stopped the support (${String(d.reason).replace(/-/g, ' ')}, ${dateWords(d.on)})`,
    DEADLINE_REACHED: (d) => eventWords('support-plan', 'DEADLINE_REACHED', String(d.key)),
  },
  'nurture-outreach': {
    RECORD_CONSENT: (d) => `recorded the parents' consent: ${d.given ? 'given' : 'not given'} (${dateWords(d.on)})`,
    START_WORK: (d) => `gave a place from ${dateWords(d.startedOn)}; follow-up assessment by ${dateWords(d.followUpDue)}`,
    RECORD_MEASURE: (d) => `recorded a ${String(d.stage)} ${MEASURE_WORDS[d.measure as Measure]?.name ?? String(d.measure)} (${dateWords(d.takenOn)})`,
    SET_STATUS: (d) => `set the status: ${CASELOAD_STATUS_WORDS[d.status as CaseloadStatus] ?? String(d.status)} (${dateWords(d.on)})`,
    CLOSE: (d) => `closed the case: ${CLOSURE_REASON_WORDS[d.reason as ClosureReason] ?? String(d.reason)} (${dateWords(d.on)})`,
    DEADLINE_REACHED: (d) => eventWords('nurture-outreach', 'DEADLINE_REACHED', String(d.key)),
  },
  'tats-action': {
    MARK_DONE: (d) => `marked the action done (${dateWords(d.on)})`,
    REASSIGN: (d) => `gave the action to ${String(d.owner)}, due ${dateWords(d.dueDate)}`,
    DROP: (d) => `dropped the action (${String(d.reason).replace(/-/g, ' ')}, ${dateWords(d.on)})`,
    DEADLINE_REACHED: (d) => eventWords('tats-action', 'DEADLINE_REACHED', String(d.key)),
  },
  'ehc-needs-assessment': {
    DECIDE_TO_ASSESS: (d) => `recorded the council's decision to assess (${dateWords(d.on)})`,
    DECIDE_NOT_TO_ASSESS: (d) => `recorded the council's decision not to assess (${dateWords(d.on)})`,
    ISSUE_DRAFT: (d) => `recorded the draft plan sent (${dateWords(d.on)})`,
    DECIDE_NOT_TO_ISSUE: (d) => `recorded the council's decision not to issue a plan (${dateWords(d.on)})`,
    ISSUE_PLAN: (d) => `recorded the final EHC plan issued (${dateWords(d.on)})`,
    WITHDRAW: (d) => `withdrew the request (${String(d.reason).replace(/-/g, ' ')}, ${dateWords(d.on)})`,
    DEADLINE_REACHED: (d) => eventWords('ehc-needs-assessment', 'DEADLINE_REACHED', String(d.key)),
  },
};

const INTERVENTION_WORDS: Readonly<Record<Intervention, string>> = {
  'nurture-group': 'a nurture group',
  'boxall-plan': 'an individual plan from the Boxall Profile',
  thrive: 'a Thrive action plan',
  mentoring: 'mentoring',
  'key-adult': 'a key adult',
  counselling: 'counselling',
  'speech-and-language': 'speech and language therapy',
  'educational-psychologist': 'educational psychologist involvement',
  'behaviour-support': 'behaviour support',
  'parenting-programme': 'a parenting programme',
  'reduced-timetable': 'a reduced timetable',
  other: 'other support',
};

/** An intervention's kind in words: `nurture-group` → "a nurture group". */
export function interventionWords(intervention: unknown): string {
  return INTERVENTION_WORDS[intervention as Intervention] ?? String(intervention).replace(/-/g, ' ');
}

/**
 * An event on a case's timeline, after who sent it: what they did, with its data in words.
 * @example timelineWords('peap', 'SCHEDULE_MEETING', { date: '2026-03-23' }) // "set the meeting for Monday 23 Mar 2026"
 * @param question — a PEAP question's text by its id, for an answer.
 */
export function timelineWords(kind: CaseKind, eventType: string, data: EventData, question: (id: string) => string = (id) => id): string {
  const told = TIMELINE_WORDS[kind][eventType];
  return told ? told(data, question) : eventWords(kind, eventType);
}

/**
 * A rule as people read it: its title in the rule pack, and a reference to it.
 * @example ruleWords('peap.required', 1) // { title: 'Hold a Pre-Exclusion Assessment (PEAP) meeting', reference: 'rule peap.required, version 1' }
 * @param pack — the rule pack in use (the default pack when not given).
 */
export function ruleWords(ruleId: string, version?: number, pack: RulePack = defaultRulePack()): { readonly title: string; readonly reference: string } {
  const versions = pack.versionsOf(ruleId);
  const rule = versions.find((r) => r.version === version) ?? versions.at(-1);
  return { title: rule?.title ?? ruleId, reference: `rule ${ruleId}${version !== undefined ? `, version ${version}` : ''}` };
}

/**
 * Why the rules opened a case, in a sentence: the trigger's explanation when the case holds it.
 * @example openedByWords('peap', { ruleId: 'peap.required', ruleVersion: 1, explanation: '2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2' })
 * // "Opened because: 2 suspensions started in the first half of the autumn term (2 Oct, 14 Oct); threshold 2 (rule peap.required, version 1)"
 */
export function openedByWords(kind: CaseKind, openedBy: { readonly ruleId: string; readonly ruleVersion: number; readonly explanation?: string | undefined }, pack?: RulePack): string {
  const rule = ruleWords(openedBy.ruleId, openedBy.ruleVersion, pack);
  if (openedBy.explanation) return `Opened because: ${openedBy.explanation} (${rule.reference})`;
  // A suspension case opens for every statutory duty its exclusion sets; the rule is the first found.
  if (kind === 'suspension') return `Opened because the exclusion sets statutory duties, the first: ${rule.title} (${rule.reference})`;
  return `Opened by the rules: ${rule.title} (${rule.reference})`;
}

/** Whom a notice goes to, in words. */
export const RECIPIENT_WORDS: Readonly<Record<Recipient, string>> = {
  parents: 'the parents',
  'local-authority': 'the local authority',
  'social-worker': "the pupil's social worker",
  'virtual-school-head': 'the virtual school head',
  'governing-board': 'the governing board',
};

/** A notice's recipient in words: `virtual-school-head` → "the virtual school head". */
export function recipientWords(recipient: unknown): string {
  return RECIPIENT_WORDS[recipient as Recipient] ?? String(recipient).replace(/-/g, ' ');
}

/** An exclusion category in words: `FIXD` (or `SUSP`) → "suspension", `LNCH` → "lunchtime suspension", `PERM` → "permanent exclusion". */
export function categoryWords(category: string): string {
  const known = EXCLUSION_CATEGORY_SYNONYMS[category];
  return known ? EXCLUSION_CATEGORIES[known] : category;
}

/** An exclusion reason code in words (the DfE's descriptions): `PA` → "physical assault against an adult". */
export function reasonWords(code: string): string {
  return EXCLUSION_REASONS[code as keyof typeof EXCLUSION_REASONS] ?? code;
}

const TERM_HALVES: Readonly<Record<string, string>> = { '1': 'first', '2': 'second' };

/**
 * A half-term id in words, with the school year when it carries one.
 * @example halfTermWords('spring-1') // "Spring 1 (first half of the spring term)"
 * @example halfTermWords('2025/26 autumn-2') // "Autumn 2, 2025/26 (second half of the autumn term)"
 */
export function halfTermWords(id: string): string {
  const m = id.trim().match(/^(?:(\d{4}\/\d{2}) )?(autumn|spring|summer)-([12])$/);
  if (!m) return id;
  const [, year, term, half] = m;
  return `${capitalised(term!)} ${half}${year ? `, ${year}` : ''} (${TERM_HALVES[half!]} half of the ${term} term)`;
}

/** "Mon 2 Mar": a date in a title, short. */
function dayAndDate(date: string): string {
  return isIsoDate(date) ? `${weekdayName(date).slice(0, 3)} ${shortDate(date)}` : date;
}

/** A date in event data, long ("Monday 23 Mar 2026"), or as given when it is not one. */
function dateWords(value: unknown): string {
  return typeof value === 'string' && isIsoDate(value) ? longDate(value) : String(value);
}

function plural(n: number, unit: string): string {
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${unit}${n === 1 ? '' : 's'}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
