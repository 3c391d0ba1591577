/**
 * The EHC needs assessment case: a request for an Education, Health and Care needs assessment (by
 * the school, the parents or the team around the school — seed 003's escalation; seed 002/004:
 * SEN support evidence before a request) followed to the local authority's answers, each with its
 * date as the school records it from the council's letters:
 *
 *   requested → (decides to assess) assessing → draft issued → plan issued
 *             ↘ decides not to assess           ↘ decides not to issue
 *   and, at any point before the end, withdrawn.
 *
 * The due dates — the decision whether to assess, a decision not to issue, the final plan
 * (EHC_STATUTORY_WEEKS), and the council's local target for a child in care or on a child-protection
 * plan (the store's setting) — are calendar weeks from the request (see `ehcTimescales.ts` for the regulations); each is a deadline that
 * reminds the school's heads when it falls due with the answer still to come.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { EHC_STATUTORY_WEEKS, ehcDueDates } from '../support/ehcTimescales.js';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

/** Who asked (s36(1) Children and Families Act 2014: the parent or the school; the team's escalation, seed 003). */
export const EHC_REQUESTERS = ['school', 'parent', 'team-around-the-school'] as const;
export type EhcRequester = (typeof EHC_REQUESTERS)[number];
export const EHC_REQUESTER_WORDS: Readonly<Record<EhcRequester, string>> = {
  school: 'the school',
  parent: 'the parents',
  'team-around-the-school': 'the team around the school',
};
export const EHC_WITHDRAWAL_REASONS = ['request-withdrawn', 'moved-away', 'other'] as const;

const ehcNeedsAssessmentInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  requestedBy: z.enum(EHC_REQUESTERS, { error: `expected requestedBy ${EHC_REQUESTERS.join(', ')}` }),
  /** The day the local authority received the request: every timescale counts from it. */
  requestedOn: isoDate,
  /** From the pupil record when the case opens. */
  lookedAfter: z.boolean().default(false),
  /** As the request says. */
  childProtectionPlan: z.boolean({ error: 'expected childProtectionPlan: true or false' }).default(false),
  /** The council's local target in weeks, set when it applies (looked after or on a CP plan). */
  localTargetWeeks: z.number().int().min(1).max(20).optional(),
});
type EhcNeedsAssessmentInput = z.input<typeof ehcNeedsAssessmentInput>;

interface Dated {
  readonly on: string;
  readonly by: string;
  readonly at: string;
}

export interface EhcNeedsAssessmentContext extends z.output<typeof ehcNeedsAssessmentInput> {
  readonly decisionDue: string;
  readonly notToIssueDue: string;
  readonly planDue: string;
  readonly localTargetDue?: string;
  /** The council's decision whether to assess. */
  readonly assessDecision?: Dated & { readonly assess: boolean };
  readonly draftIssued?: Dated;
  /** Set only for a decision not to issue. */
  readonly notIssued?: Dated;
  readonly planIssued?: Dated;
  readonly withdrawn?: Dated & { readonly reason: (typeof EHC_WITHDRAWAL_REASONS)[number] };
  /** Deadlines reached with their answer still to come. */
  readonly overdue: string[];
}

const on = z.strictObject({ on: isoDate });

export const ehcNeedsAssessmentEvents = {
  DECIDE_TO_ASSESS: { payload: on, by: ACTING, happened: ['on'], does: "records the council's decision to assess" },
  DECIDE_NOT_TO_ASSESS: { payload: on, by: ACTING, happened: ['on'], does: "records the council's decision not to assess" },
  ISSUE_DRAFT: { payload: on, by: ACTING, happened: ['on'], does: 'records the draft plan sent' },
  DECIDE_NOT_TO_ISSUE: { payload: on, by: ACTING, happened: ['on'], does: "records the council's decision not to issue a plan" },
  ISSUE_PLAN: { payload: on, by: ACTING, happened: ['on'], does: 'records the final plan issued' },
  WITHDRAW: { payload: z.strictObject({ on: isoDate, reason: z.enum(EHC_WITHDRAWAL_REASONS, { error: `expected reason ${EHC_WITHDRAWAL_REASONS.join(', ')}` }) }), by: ACTING, happened: ['on'], does: 'withdraws the request' },
};

type EhcNeedsAssessmentEvent = EventsOf<typeof ehcNeedsAssessmentEvents> | DeadlineReached;

const DEADLINE_KEYS = ['decision', 'not-to-issue', 'plan', 'local-target'] as const;
const cancel = (...keys: (typeof DEADLINE_KEYS)[number][]) => keys.map((key) => ({ type: 'cancelDeadline' as const, params: { key } }));
const dated = (event: { on: string; by: string; at: string }): Dated => ({ on: event.on, by: event.by, at: event.at });
/** An answer dated before the request was received, or a step dated before the one it follows, is a typing slip. */
const notBefore = (earliest: (context: EhcNeedsAssessmentContext) => string | undefined) => ({ context, event }: { context: EhcNeedsAssessmentContext; event: EhcNeedsAssessmentEvent }) =>
  'on' in event && event.on >= (earliest(context) ?? context.requestedOn);

export const ehcNeedsAssessmentMachine = setup({
  types: { context: {} as EhcNeedsAssessmentContext, events: {} as EhcNeedsAssessmentEvent, input: {} as EhcNeedsAssessmentInput },
  actions: {
    ...effectActions,
    clearOverdue: assign({ overdue: ({ context, event }) => (event.type === 'ISSUE_PLAN' ? [] : context.overdue.filter((k) => k === 'plan' || k === 'local-target')) }),
  },
  guards: {
    afterRequest: notBefore(() => undefined),
    afterDecision: notBefore((c) => c.assessDecision?.on),
    afterDraft: notBefore((c) => c.draftIssued?.on),
    knownDeadline: ({ event }) => event.type === 'DEADLINE_REACHED' && (DEADLINE_KEYS as readonly string[]).includes(event.key),
  },
}).createMachine({
  id: 'ehc-needs-assessment-case',
  context: ({ input }) => {
    const parsed = ehcNeedsAssessmentInput.parse(input);
    return { ...parsed, ...ehcDueDates(parsed.requestedOn, parsed.localTargetWeeks), overdue: [] };
  },
  initial: 'requested',
  entry: [
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'decision', dueDate: context.decisionDue, label: `EHC needs assessment: decision whether to assess (${EHC_STATUTORY_WEEKS.decision.weeks} weeks)` }) },
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'plan', dueDate: context.planDue, label: `EHC plan: final plan issued (${EHC_STATUTORY_WEEKS.plan.weeks} weeks)` }) },
    {
      type: 'scheduleDeadline',
      params: ({ context }) => ({ key: 'local-target', dueDate: context.localTargetDue ?? context.planDue, label: `EHC plan: local target for a child in care or on a CP plan (${context.localTargetWeeks ?? ''} weeks)`, skip: context.localTargetDue === undefined }),
    },
  ],
  states: {
    requested: {
      on: {
        DECIDE_TO_ASSESS: {
          guard: 'afterRequest',
          target: 'assessing',
          actions: [
            assign({ assessDecision: ({ event }) => ({ ...dated(event), assess: true }) }),
            'clearOverdue',
            ...cancel('decision'),
            { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'not-to-issue', dueDate: context.notToIssueDue, label: `EHC plan: a decision not to issue told by week ${EHC_STATUTORY_WEEKS.notToIssue.weeks}` }) },
          ],
        },
        DECIDE_NOT_TO_ASSESS: { guard: 'afterRequest', target: 'not-assessed', actions: [assign({ assessDecision: ({ event }) => ({ ...dated(event), assess: false }), overdue: [] }), ...cancel(...DEADLINE_KEYS)] },
      },
    },
    assessing: {
      on: {
        ISSUE_DRAFT: { guard: 'afterDecision', target: 'draft-issued', actions: [assign({ draftIssued: ({ event }) => dated(event) }), 'clearOverdue', ...cancel('not-to-issue')] },
        DECIDE_NOT_TO_ISSUE: { guard: 'afterDecision', target: 'not-issued', actions: [assign({ notIssued: ({ event }) => dated(event), overdue: [] }), ...cancel(...DEADLINE_KEYS)] },
      },
    },
    'draft-issued': {
      on: {
        ISSUE_PLAN: { guard: 'afterDraft', target: 'plan-issued', actions: [assign({ planIssued: ({ event }) => dated(event) }), 'clearOverdue', ...cancel(...DEADLINE_KEYS)] },
      },
    },
    'plan-issued': { type: 'final' },
    'not-assessed': { type: 'final' },
    'not-issued': { type: 'final' },
    withdrawn: { type: 'final' },
  },
  on: {
    DEADLINE_REACHED: {
      guard: 'knownDeadline',
      actions: [
        assign({ overdue: ({ context, event }) => (context.overdue.includes(event.key) ? context.overdue : [...context.overdue, event.key]) }),
        { type: 'enqueue', params: ({ context, event }) => ({ kind: 'remind-deadline', key: event.key, payload: { schoolId: context.schoolId, deadline: `ehc-${event.key}` } }) },
      ],
    },
    WITHDRAW: { guard: 'afterRequest', target: '.withdrawn', actions: [assign({ withdrawn: ({ event }) => ({ ...dated(event), reason: event.reason }), overdue: [] }), ...cancel(...DEADLINE_KEYS)] },
  },
});

export const ehcNeedsAssessmentCase: CaseDefinition<typeof ehcNeedsAssessmentMachine, typeof ehcNeedsAssessmentEvents> = {
  kind: 'ehc-needs-assessment',
  version: 1,
  openedBy: ACTING,
  machine: ehcNeedsAssessmentMachine,
  input: ehcNeedsAssessmentInput,
  events: ehcNeedsAssessmentEvents,
  explainRefusal(snapshot, event) {
    const { value, context } = snapshot as unknown as { value: string; context: EhcNeedsAssessmentContext };
    const date = (event as { on?: unknown }).on;
    const fromRequest = value === 'requested' || event.type === 'WITHDRAW';
    const earliest = fromRequest ? context.requestedOn : value === 'assessing' ? context.assessDecision?.on : context.draftIssued?.on;
    if (typeof date === 'string' && earliest !== undefined && date < earliest) return `${date} is before ${fromRequest ? `the request was received (${earliest})` : `the step before it (${earliest})`}`;
    if (event.type === 'ISSUE_PLAN' && value === 'assessing') return 'send the draft plan first (ISSUE_DRAFT): the parents have 15 days to comment on it (reg. 13(1))';
    if ((event.type === 'ISSUE_DRAFT' || event.type === 'DECIDE_NOT_TO_ISSUE' || event.type === 'ISSUE_PLAN') && value === 'requested') return 'record the decision whether to assess first (DECIDE_TO_ASSESS or DECIDE_NOT_TO_ASSESS)';
    return undefined;
  },
};
