/**
 * The support plan case: one intervention for one pupil on the graduated approach's
 * Assess → Plan → Do → Review cycle (SEND Code of Practice 0–25, 2015, §6.44–6.56, as the seeds
 * 002 and 004 describe it; Halton's nurture strategy, seed 000 lines 255–310: a Boxall Profile with
 * an individual plan for every child in care, pre and post profiles collected).
 *
 * - Assess: the need, with baseline measures (Boxall, SDQ, Thrive) recorded as scores.
 * - Plan: the intervention, its provider, its start and its planned review date.
 * - Do: the intervention runs; its review is a deadline on the school calendar like any other.
 * - Review: held with an outcome — continue (next review date), revise the plan (back to Plan),
 *   needs met, or escalate (to a PEAP, an EHC needs assessment or another service) — and any
 *   follow-up measures, so the PEAP's "support tried" and the officer's view read what it changed.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { measureSchema, type MeasureTaken } from '../support/supportMeasures.js';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

/** Kinds of intervention, as the seeds name them (000, 001, 004), so they can be counted by type. */
export const INTERVENTIONS = [
  'nurture-group',
  'boxall-plan',
  'thrive',
  'mentoring',
  'key-adult',
  'counselling',
  'speech-and-language',
  'educational-psychologist',
  'behaviour-support',
  'parenting-programme',
  'reduced-timetable',
  'other',
] as const;
export type Intervention = (typeof INTERVENTIONS)[number];
export const REVIEW_OUTCOMES = ['continue', 'revise-plan', 'needs-met', 'escalate'] as const;
export const ESCALATIONS = ['peap', 'ehc-needs-assessment', 'ebsna', 'nurture-outreach', 'social-care', 'other'] as const;
/** Where a review escalates, in words. */
export const ESCALATION_WORDS: Readonly<Record<(typeof ESCALATIONS)[number], string>> = {
  peap: 'a pre-exclusion assessment (PEAP)',
  'ehc-needs-assessment': 'an EHC needs assessment',
  ebsna: 'the EBSNA panel',
  'nurture-outreach': 'the nurture outreach service',
  'social-care': 'social care',
  other: 'another service',
};
export const STOP_REASONS = ['left-school', 'consent-withdrawn', 'not-engaging', 'other'] as const;

const supportPlanInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  /** The need the plan answers, in a word the figures can count. */
  area: z.enum(['semh', 'communication', 'cognition', 'sensory-physical', 'attendance'], { error: 'expected area semh, communication, cognition, sensory-physical or attendance' }).default('semh'),
  /** When the rules or a panel suggested it: its trigger. */
  suggestedBy: z.string().min(1).optional(),
});
type SupportPlanInput = z.input<typeof supportPlanInput>;

export interface SupportPlanStep {
  readonly intervention: Intervention;
  readonly provider: string;
  readonly startDate: string;
  readonly reviewDue: string;
  readonly targets?: string;
  readonly external: boolean;
  readonly agreedBy: string;
  readonly at: string;
}
export interface SupportReview {
  readonly heldOn: string;
  readonly outcome: (typeof REVIEW_OUTCOMES)[number];
  readonly nextReviewDue?: string;
  readonly escalatedTo?: (typeof ESCALATIONS)[number];
  readonly notes?: string;
  readonly by: string;
  readonly at: string;
}

export interface SupportPlanContext extends z.output<typeof supportPlanInput> {
  readonly assessedOn?: string;
  readonly need?: string;
  /** Every plan agreed, oldest first: the current one is last. */
  readonly plans: SupportPlanStep[];
  readonly reviews: SupportReview[];
  readonly measures: (MeasureTaken & { readonly by: string; readonly at: string })[];
  readonly nextReviewDue?: string;
  readonly overdue: string[];
  readonly stopped?: { readonly reason: (typeof STOP_REASONS)[number]; readonly on: string; readonly by: string; readonly at: string };
}

export const supportPlanEvents = {
  ASSESS: { payload: z.strictObject({ assessedOn: isoDate, need: z.string().trim().min(1).max(1000).optional() }), by: ACTING, happened: ['assessedOn'], does: 'records the assessment of need', freeText: ['need'] },
  AGREE_PLAN: {
    payload: z
      .strictObject({
        intervention: z.enum(INTERVENTIONS, { error: `expected an intervention: ${INTERVENTIONS.join(', ')}` }),
        provider: z.string().trim().min(1, 'give the provider (the school, or a service)').max(200),
        startDate: isoDate,
        reviewDue: isoDate,
        targets: z.string().trim().min(1).max(2000).optional(),
        /** Provided by a service from outside the school (the PEAP asks school-based and external apart). */
        external: z.boolean({ error: 'expected external: true or false' }).default(false),
      })
      .refine((p) => p.reviewDue > p.startDate, { message: 'the planned review must fall after the start', path: ['reviewDue'] }),
    by: ACTING,
    does: 'agrees the plan',
    freeText: ['provider', 'targets'],
    // The support starts, and its review is held, in school: a day the school is closed is refused, naming the next school day.
    onSchoolDays: ['startDate', 'reviewDue'],
  },
  RECORD_MEASURE: { payload: measureSchema, by: ACTING, happened: ['takenOn'], does: 'records a measure (Boxall, SDQ or Thrive)' },
  HOLD_REVIEW: {
    payload: z
      .strictObject({
        heldOn: isoDate,
        outcome: z.enum(REVIEW_OUTCOMES, { error: `expected outcome ${REVIEW_OUTCOMES.join(', ')}` }),
        nextReviewDue: isoDate.optional(),
        escalatedTo: z.enum(ESCALATIONS).optional(),
        notes: z.string().trim().min(1).max(2000).optional(),
      })
      .refine((r) => r.outcome !== 'continue' || (r.nextReviewDue !== undefined && r.nextReviewDue > r.heldOn), { message: 'to continue, give the next review date (after this one)', path: ['nextReviewDue'] })
      .refine((r) => r.outcome !== 'escalate' || r.escalatedTo !== undefined, { message: `say where it escalates to: ${ESCALATIONS.join(', ')}`, path: ['escalatedTo'] }),
    by: ACTING, happened: ['heldOn'],
    does: 'records the review',
    freeText: ['notes'],
    onSchoolDays: ['nextReviewDue'],
  },
  STOP: { payload: z.strictObject({ reason: z.enum(STOP_REASONS), on: isoDate }), by: ACTING, happened: ['on'], does: 'stops the support' },
};

type SupportPlanEvent = EventsOf<typeof supportPlanEvents> | DeadlineReached;

const reviewOutcome = (outcome: (typeof REVIEW_OUTCOMES)[number]) => ({ event }: { event: SupportPlanEvent }) => event.type === 'HOLD_REVIEW' && event.outcome === outcome;

export const supportPlanMachine = setup({
  types: { context: {} as SupportPlanContext, events: {} as SupportPlanEvent, input: {} as SupportPlanInput },
  actions: {
    ...effectActions,
    recordReview: assign({
        reviews: ({ context, event }) =>
          event.type === 'HOLD_REVIEW'
            ? [
                ...context.reviews,
                {
                  heldOn: event.heldOn,
                  outcome: event.outcome,
                  ...(event.nextReviewDue ? { nextReviewDue: event.nextReviewDue } : {}),
                  ...(event.escalatedTo ? { escalatedTo: event.escalatedTo } : {}),
                  ...(event.notes ? { notes: event.notes } : {}),
                  by: event.by,
                  at: event.at,
                },
              ]
            : context.reviews,
        // Only a review that continues the plan sets the next one; revised, met or escalated, none is due (its deadline is cancelled too).
        nextReviewDue: ({ event }) => (event.type === 'HOLD_REVIEW' && event.outcome === 'continue' ? event.nextReviewDue : undefined),
        overdue: ({ context }) => context.overdue.filter((k) => k !== 'review'),
    }),
    recordMeasure: assign({
      measures: ({ context, event }) => {
        if (event.type !== 'RECORD_MEASURE') return context.measures;
        const { type: _type, ...taken } = event;
        return [...context.measures, taken];
      },
    }),
  },
  guards: {
    reviewDeadline: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'review',
    continues: reviewOutcome('continue'),
    revises: reviewOutcome('revise-plan'),
    needsMet: reviewOutcome('needs-met'),
  },
}).createMachine({
  id: 'support-plan-case',
  context: ({ input }) => ({ ...supportPlanInput.parse(input), plans: [], reviews: [], measures: [], overdue: [] }),
  initial: 'assess',
  states: {
    assess: {
      on: {
        ASSESS: { target: 'plan', actions: assign({ assessedOn: ({ event }) => event.assessedOn, need: ({ context, event }) => event.need ?? context.need }) },
      },
    },
    plan: {
      on: {
        AGREE_PLAN: {
          target: 'do',
          actions: [
            assign({
              plans: ({ context, event }) => [
                ...context.plans,
                {
                  intervention: event.intervention,
                  provider: event.provider,
                  startDate: event.startDate,
                  reviewDue: event.reviewDue,
                  ...(event.targets ? { targets: event.targets } : {}),
                  external: event.external,
                  agreedBy: event.by,
                  at: event.at,
                },
              ],
              nextReviewDue: ({ event }) => event.reviewDue,
            }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: event.type === 'AGREE_PLAN' ? event.reviewDue : '', label: 'support plan review' }) },
          ],
        },
      },
    },
    do: {
      initial: 'running',
      states: {
        running: {},
        'review-due': {},
      },
      on: {
        DEADLINE_REACHED: {
          guard: 'reviewDeadline',
          target: '.review-due',
          actions: [
            assign({ overdue: ({ context }) => (context.overdue.includes('review') ? context.overdue : [...context.overdue, 'review']) }),
            { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: `review-${context.reviews.length}-${context.plans.length}`, payload: { schoolId: context.schoolId, deadline: 'support-plan-review' } }) },
          ],
        },
        HOLD_REVIEW: [
          { guard: 'continues', target: '.running', actions: ['recordReview', { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: event.type === 'HOLD_REVIEW' ? (event.nextReviewDue ?? '') : '', label: 'support plan review' }) }] },
          { guard: 'revises', target: 'plan', actions: ['recordReview', { type: 'cancelDeadline', params: { key: 'review' } }] },
          { guard: 'needsMet', target: 'needs-met', actions: ['recordReview', { type: 'cancelDeadline', params: { key: 'review' } }] },
          { target: 'escalated', actions: ['recordReview', { type: 'cancelDeadline', params: { key: 'review' } }] },
        ],
      },
    },
    'needs-met': { type: 'final' },
    escalated: { type: 'final' },
    stopped: { type: 'final' },
  },
  on: {
    RECORD_MEASURE: { actions: 'recordMeasure' },
    STOP: {
      target: '.stopped',
      actions: [assign({ stopped: ({ event }) => ({ reason: event.reason, on: event.on, by: event.by, at: event.at }) }), { type: 'cancelDeadline', params: { key: 'review' } }],
    },
  },
});

export const supportPlanCase: CaseDefinition<typeof supportPlanMachine, typeof supportPlanEvents> = {
  kind: 'support-plan',
  version: 1,
  openedBy: ACTING,
  machine: supportPlanMachine,
  input: supportPlanInput,
  events: supportPlanEvents,
  explainRefusal(snapshot, event) {
    const value = (snapshot as unknown as { value: unknown }).value;
    if (event.type === 'AGREE_PLAN' && value === 'assess') return 'assess the need first (ASSESS), with any baseline measures';
    if (event.type === 'HOLD_REVIEW' && (value === 'assess' || value === 'plan')) return 'there is no plan running to review: agree the plan first (AGREE_PLAN)';
    return undefined;
  },
};
