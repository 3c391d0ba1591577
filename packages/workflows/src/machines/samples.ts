/**
 * Sample inputs and events for each machine: enough to reach every state, used by the
 * model-based tests (graph paths replayed against the real store) and by anyone exploring.
 */
import type { CaseKind } from './caseDefinition.js';

type Sample = { readonly type: string; readonly [field: string]: unknown };

/** Inputs per machine: several where branches depend on the input (a suspension with and without each duty). */
export const SAMPLE_INPUTS: Readonly<Record<CaseKind, readonly Record<string, unknown>[]>> = {
  peap: [{ pupilId: 'P1', schoolId: 'SCH-A', openedBy: 'trigger', halfTerm: '2025/26 autumn-1', exclusionIds: ['X1', 'X2'] }],
  suspension: [
    {
      pupilId: 'P1',
      schoolId: 'SCH-A',
      exclusion: { id: 'X1', category: 'PERM', startDate: '2025-10-06' },
      notices: ['parents', 'local-authority'],
      provisionFrom: '2025-10-13',
      boardReview: { kind: 'must', dueDate: '2025-10-27' },
    },
    { pupilId: 'P1', schoolId: 'SCH-A', exclusion: { id: 'X2', category: 'FIXD', startDate: '2025-11-10' }, notices: ['parents'], boardReview: { kind: 'on-request', dueDate: '2026-01-30' } },
    { pupilId: 'P1', schoolId: 'SCH-A', exclusion: { id: 'X3', category: 'FIXD', startDate: '2025-11-20' }, notices: ['parents'] },
  ],
  ebsna: [{ pupilId: 'P1', schoolId: 'SCH-A', referredBy: 'head-a', attendanceAtReferral: 78, indicators: ['anxiety'] }],
  reintegration: [{ pupilId: 'P1', schoolId: 'SCH-A', startDate: '2025-09-08', warnOn: '2025-11-10', returnBy: '2025-11-24' }],
  'off-site-direction': [
    { pupilId: 'P1', schoolId: 'SCH-A', startDate: '2026-09-14', plannedEnd: '2026-12-11', provider: 'Learning Centre', noticeBy: '2026-09-10', firstReviewDue: '2026-10-19', ehcp: true },
  ],
  // As a school's records may hold it: no agreement or time limit recorded yet (AGREE reaches the rest).
  'part-time-timetable': [{ pupilId: 'P1', schoolId: 'SCH-A', startDate: '2026-09-07', firstReviewDue: '2026-09-18', councilToldBy: '2026-09-18' }],
  'safeguarding-separation': [{ pupilId: 'P1', schoolId: 'SCH-A', startDate: '2026-09-21', dslDecidedOn: '2026-09-18' }],
  'support-plan': [{ pupilId: 'P1', schoolId: 'SCH-A', area: 'semh' }],
  'nurture-outreach': [{ pupilId: 'P1', schoolId: 'SCH-A', route: 'panel-open-a-year', referredOn: '2026-09-07' }],
  // An action that opens its case (a support plan) in the same write, replayed with the rest: escalations.ts.
  'tats-action': [{ pupilId: 'P1', schoolId: 'SCH-A', action: 'school-support-plan', owner: 'head-a', agreedOn: '2026-09-14', dueDate: '2026-09-21' }],
  // A request for a child in care (the local target applies) and one for a child who is not.
  'ehc-needs-assessment': [
    { pupilId: 'P1', schoolId: 'SCH-A', requestedBy: 'school', requestedOn: '2026-09-07', lookedAfter: true, localTargetWeeks: 16 },
    { pupilId: 'P1', schoolId: 'SCH-A', requestedBy: 'parent', requestedOn: '2026-09-07' },
  ],
};

/** Events a person (or the scheduler) may send, per machine, in an order that reaches every state. */
export const SAMPLE_EVENTS: Readonly<Record<CaseKind, readonly Sample[]>> = {
  peap: [
    { type: 'SCHEDULE_MEETING', date: '2025-10-20' },
    { type: 'ANSWER', questionId: 'pupil-voice.happy-here', answer: 'Sometimes' },
    { type: 'ANSWER', questionId: 'head.factors-considered', answer: 'Yes: SEN support and a recent bereavement' },
    { type: 'ANSWER', questionId: 'head.sanction-appropriate', answer: 'Yes' },
    { type: 'ANSWER', questionId: 'head.reasons-recorded', answer: 'Yes' },
    { type: 'ANSWER', questionId: 'support.school-based', answer: ['mentoring', 'nurture group'] },
    { type: 'ANSWER', questionId: 'support.exhausted', answer: true },
    { type: 'COMPLETE_REFLECTION' },
    { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'A support plan with mentoring', followUpDate: '2025-12-01' },
    { type: 'DEADLINE_REACHED', key: 'follow-up' },
    { type: 'CLOSE_FOLLOW_UP', outcome: 'no further suspensions' },
    { type: 'FURTHER_SUSPENSION', exclusionId: 'X3' },
  ],
  suspension: [
    { type: 'RECORD_NOTICE', recipient: 'parents', method: 'letter', sentOn: '2025-10-06' },
    { type: 'RECORD_NOTICE', recipient: 'local-authority', method: 'portal', sentOn: '2025-10-06' },
    { type: 'ARRANGE_PROVISION', provider: 'Pupil referral unit', from: '2025-10-13' },
    { type: 'DEADLINE_REACHED', key: 'provision' },
    { type: 'DEADLINE_REACHED', key: 'board-review' },
    { type: 'PARENTS_REQUEST_REVIEW', requestedOn: '2025-11-12', dueDate: '2026-01-30' },
    { type: 'RECORD_BOARD_REVIEW', outcome: 'upheld', heldOn: '2025-10-24', irpWindowEnds: '2025-11-18' },
    { type: 'REQUEST_IRP', requestedOn: '2025-11-10', panelBy: '2025-12-01' },
    { type: 'RECORD_IRP_DECISION', outcome: 'upheld', heldOn: '2025-11-28' },
    { type: 'DEADLINE_REACHED', key: 'irp-window' },
    { type: 'CANCEL', reason: 'new evidence', cancelledOn: '2025-10-07' },
    { type: 'DEADLINE_REACHED', key: 'cancellation-notices' },
    ...(['parents', 'local-authority', 'governing-board', 'social-worker', 'virtual-school-head'] as const).map((recipient) => ({ type: 'RECORD_CANCELLATION_NOTICE' as const, recipient, method: 'letter' as const, sentOn: '2025-10-07' })),
  ],
  ebsna: [
    { type: 'PANEL_DECISION', outcome: 'accept' },
    { type: 'PANEL_DECISION', outcome: 'decline', reason: 'needs met by school-based support' },
    { type: 'PANEL_DECISION', outcome: 'redirect', reason: 'health need', redirectTo: 'CAMHS' },
    { type: 'ALLOCATE', sasoId: 'saso-1', assistantEpId: 'aep-1' },
    { type: 'START_ASSESSMENT' },
    { type: 'AGREE_PLAN', summary: 'Graded return with a key adult', firstReviewDue: '2025-11-24' },
    { type: 'DEADLINE_REACHED', key: 'review' },
    { type: 'HOLD_REVIEW', attendance: 84, outcome: 'continue', nextReviewDue: '2026-01-12' },
    { type: 'HOLD_REVIEW', attendance: 96, outcome: 'attendance-restored' },
    { type: 'HOLD_REVIEW', attendance: 40, outcome: 'escalate' },
  ],
  reintegration: [
    { type: 'RECORD_REVIEW', heldOn: '2025-10-01' },
    { type: 'DEADLINE_REACHED', key: 'week-10' },
    { type: 'DEADLINE_REACHED', key: 'week-12' },
    { type: 'RETURN_TO_HOME_SCHOOL', returnedOn: '2025-11-20', followUpEnds: '2026-02-13' },
    { type: 'FURTHER_EXCLUSION', exclusionId: 'X9' },
    { type: 'DEADLINE_REACHED', key: 'follow-up-end' },
  ],
  'off-site-direction': [
    { type: 'DEADLINE_REACHED', key: 'notice' },
    { type: 'RECORD_NOTICE', sentOn: '2026-09-09', method: 'letter' },
    { type: 'DEADLINE_REACHED', key: 'review' },
    { type: 'REQUEST_REVIEW', requestedOn: '2026-11-02', requestedBy: 'parents', holdBy: '2026-11-09' },
    { type: 'DEADLINE_REACHED', key: 'requested-review' },
    { type: 'HOLD_REVIEW', heldOn: '2026-10-19', nextReviewDue: '2026-11-30' },
    { type: 'DEADLINE_REACHED', key: 'planned-end' },
    { type: 'END_DIRECTION', outcome: 'returned', on: '2026-12-11' },
    { type: 'END_DIRECTION', outcome: 'managed-move', on: '2026-12-11', receivingSchool: 'Hillside Academy', offRollOn: '2027-01-04' },
    { type: 'END_DIRECTION', outcome: 'ended', on: '2026-09-11', reason: 'withdrawn before it started' },
  ],
  'part-time-timetable': [
    { type: 'AGREE', parentsAgreedOn: '2026-09-08', plannedEnd: '2026-10-16' },
    { type: 'TELL_COUNCIL', toldOn: '2026-09-08' },
    { type: 'DEADLINE_REACHED', key: 'tell-council' },
    { type: 'DEADLINE_REACHED', key: 'review' },
    { type: 'HOLD_REVIEW', heldOn: '2026-09-18', outcome: 'continue', nextReviewDue: '2026-10-02' },
    { type: 'DEADLINE_REACHED', key: 'planned-end' },
    { type: 'HOLD_REVIEW', heldOn: '2026-10-16', outcome: 'continue', nextReviewDue: '2026-10-30', plannedEnd: '2026-11-13' },
    { type: 'HOLD_REVIEW', heldOn: '2026-10-02', outcome: 'full-time' },
    { type: 'HOLD_REVIEW', heldOn: '2026-10-02', outcome: 'escalate' },
  ],
  'safeguarding-separation': [
    { type: 'DEADLINE_REACHED', key: 'la-notice' },
    { type: 'RECORD_LA_NOTICE', sentOn: '2026-09-21', method: 'portal' },
    { type: 'END_SEPARATION', endedOn: '2026-10-02' },
  ],
  'support-plan': [
    { type: 'ASSESS', assessedOn: '2026-09-14', need: 'Struggles at unstructured times' },
    { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: '2026-09-14', developmentalStrands: 70, diagnosticProfile: 48 },
    { type: 'AGREE_PLAN', intervention: 'nurture-group', provider: 'School nurture group', startDate: '2026-09-21', reviewDue: '2026-11-02', targets: 'Settles after break' },
    { type: 'DEADLINE_REACHED', key: 'review' },
    { type: 'HOLD_REVIEW', heldOn: '2026-11-02', outcome: 'continue', nextReviewDue: '2026-12-14' },
    { type: 'HOLD_REVIEW', heldOn: '2026-11-02', outcome: 'revise-plan', notes: 'Add a key adult' },
    { type: 'HOLD_REVIEW', heldOn: '2026-12-14', outcome: 'needs-met' },
    // Opens a nurture outreach referral in the same write (escalations.ts); one that reads the pupil's record needs a pupil imported.
    { type: 'HOLD_REVIEW', heldOn: '2026-12-14', outcome: 'escalate', escalatedTo: 'nurture-outreach' },
    { type: 'STOP', reason: 'left-school', on: '2026-10-01' },
  ],
  'nurture-outreach': [
    { type: 'RECORD_CONSENT', given: true, on: '2026-09-09' },
    { type: 'RECORD_CONSENT', given: false, on: '2026-09-09' },
    { type: 'START_WORK', startedOn: '2026-09-14', followUpDue: '2026-12-07' },
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'baseline', takenOn: '2026-09-15', totalDifficulties: 24 },
    { type: 'SET_STATUS', status: 'green', on: '2026-10-19' },
    { type: 'DEADLINE_REACHED', key: 'follow-up' },
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'follow-up', takenOn: '2026-12-07', totalDifficulties: 15 },
    { type: 'CLOSE', reason: 'settled', on: '2026-12-11' },
  ],
  'tats-action': [
    { type: 'DEADLINE_REACHED', key: 'due' },
    { type: 'REASSIGN', owner: 'EWO service', dueDate: '2026-09-28' },
    { type: 'MARK_DONE', on: '2026-09-20' },
    { type: 'DROP', on: '2026-09-20', reason: 'superseded' },
  ],
  'ehc-needs-assessment': [
    { type: 'DEADLINE_REACHED', key: 'decision' },
    { type: 'DECIDE_TO_ASSESS', on: '2026-10-12' },
    { type: 'DECIDE_NOT_TO_ASSESS', on: '2026-10-12' },
    { type: 'DEADLINE_REACHED', key: 'not-to-issue' },
    { type: 'ISSUE_DRAFT', on: '2026-12-14' },
    { type: 'DECIDE_NOT_TO_ISSUE', on: '2026-12-14' },
    { type: 'DEADLINE_REACHED', key: 'local-target' },
    { type: 'ISSUE_PLAN', on: '2027-01-18' },
    { type: 'WITHDRAW', on: '2026-09-30', reason: 'moved-away' },
  ],
};
