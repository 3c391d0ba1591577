/**
 * The off-site direction case: a school requiring a pupil to attend education elsewhere to improve
 * their behaviour (Education Act 2002 s29A; from 26 July 2026 academies, AP academies and PRU
 * management committees too). Notice → placement → reviews → return / managed move / ended.
 *
 * - Notice: in writing, as soon as practicable and at least two school days before the first day
 *   of the placement (The Education (Educational Provision for Improving Behaviour) Regulations
 *   2010, SI 2010/1156, reg 3(2)). The date is counted on the school calendar by whoever opens the
 *   case and arrives as `noticeBy`.
 * - Reviews: "at such intervals as they, having regard to the needs of the pupil, consider
 *   appropriate" (reg 4(1)(a), as amended by SI 2012/2532): no national interval, so each review
 *   sets the next one's date. The parents (and the LA for a pupil with an EHC plan) may ask for a
 *   review in writing; it must be held as soon as reasonably practicable unless one was held in
 *   the 10 weeks before the request (reg 4A).
 * - A managed move is permanent, with no trial period (2026 guidance): the case records the
 *   receiving school and the day the pupil comes off roll, never a trial.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, DECIDING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

/** Reg 4A(4): no review is owed on request when one was held in the 10 weeks before it. */
export const REVIEW_REQUEST_QUIET_WEEKS = 10;

export const DIRECTION_NOTICE_METHODS = ['letter', 'email', 'hand', 'portal'] as const;
export const DIRECTION_OUTCOMES = ['returned', 'managed-move', 'ended'] as const;
export type DirectionOutcome = (typeof DIRECTION_OUTCOMES)[number];
export const REVIEW_REQUESTERS = ['parents', 'local-authority'] as const;

const offSiteDirectionInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  /** The direction's id on the pupil's record, when it came from there. */
  directionId: z.string().min(1).optional(),
  startDate: isoDate,
  plannedEnd: isoDate.optional(),
  provider: z.string().trim().min(1, 'give the provider').max(200),
  /** The last day the parents' written notice may be given: two school days before `startDate`. */
  noticeBy: isoDate,
  /** The first review's date, as the school sets it (no national interval). */
  firstReviewDue: isoDate,
  /** The pupil has an EHC plan: the LA may ask for a review too, and is invited to each. */
  ehcp: z.boolean().default(false),
  /** It is the first step of a managed move: the pupil stays dual-registered meanwhile. */
  precedesManagedMove: z.boolean().default(false),
});
type OffSiteDirectionInput = z.input<typeof offSiteDirectionInput>;

export interface OffSiteDirectionContext extends z.output<typeof offSiteDirectionInput> {
  readonly notice?: { sentOn: string; method?: string; late: boolean; by: string; at: string };
  readonly reviews: { heldOn: string; by: string; at: string }[];
  readonly nextReviewDue: string;
  readonly reviewRequest?: { requestedOn: string; requestedBy: (typeof REVIEW_REQUESTERS)[number]; holdBy: string } | undefined;
  readonly overdue: string[];
  readonly outcome?: { outcome: DirectionOutcome; on: string; receivingSchool?: string; offRollOn?: string; reason?: string; by: string; at: string };
}

export const offSiteDirectionEvents = {
  // How it was given is optional: a notice read from the school's own records may not say.
  RECORD_NOTICE: { payload: z.strictObject({ sentOn: isoDate, method: z.enum(DIRECTION_NOTICE_METHODS).optional() }), by: ACTING, happened: ['sentOn'] },
  HOLD_REVIEW: { payload: z.strictObject({ heldOn: isoDate, nextReviewDue: isoDate }), by: ACTING, happened: ['heldOn'] },
  REQUEST_REVIEW: {
    payload: z.strictObject({ requestedOn: isoDate, requestedBy: z.enum(REVIEW_REQUESTERS), holdBy: isoDate }),
    by: ACTING, happened: ['requestedOn'],
    does: 'records a request for a review',
  },
  END_DIRECTION: {
    payload: z
      .strictObject({
        outcome: z.enum(DIRECTION_OUTCOMES),
        on: isoDate,
        receivingSchool: z.string().trim().min(1).max(200).optional(),
        offRollOn: isoDate.optional(),
        reason: z.string().trim().min(1).max(500).optional(),
      })
      .refine((d) => d.outcome !== 'managed-move' || d.receivingSchool !== undefined, { message: 'a managed move needs the receiving school', path: ['receivingSchool'] }),
    by: DECIDING,
    does: 'ends an off-site direction',
    happened: ['on'],
    freeText: ['reason'],
  },
};

type OffSiteDirectionEvent = EventsOf<typeof offSiteDirectionEvents> | DeadlineReached;

const deadline = (key: string) => ({ event }: { event: OffSiteDirectionEvent }) => event.type === 'DEADLINE_REACHED' && event.key === key;
const remind = (key: string) => ({ type: 'enqueue' as const, params: ({ context }: { context: OffSiteDirectionContext }) => ({ kind: 'remind-deadline', key: `${key}-${context.reviews.length}`, payload: { schoolId: context.schoolId, deadline: `off-site-direction-${key}` } }) });

/** Whether a review request binds the school: no review in the 10 weeks before it (reg 4A(4)). */
export function reviewRequestBinds(context: Pick<OffSiteDirectionContext, 'reviews'>, requestedOn: string): boolean {
  const quietFrom = new Date(`${requestedOn}T00:00:00Z`);
  quietFrom.setUTCDate(quietFrom.getUTCDate() - 7 * REVIEW_REQUEST_QUIET_WEEKS);
  const from = quietFrom.toISOString().slice(0, 10);
  return !context.reviews.some((r) => r.heldOn >= from && r.heldOn <= requestedOn);
}

export const offSiteDirectionMachine = setup({
  types: { context: {} as OffSiteDirectionContext, events: {} as OffSiteDirectionEvent, input: {} as OffSiteDirectionInput },
  actions: {
    ...effectActions,
    recordNotice: assign({
      notice: ({ context, event }) => (event.type === 'RECORD_NOTICE' ? { sentOn: event.sentOn, ...(event.method ? { method: event.method } : {}), late: event.sentOn > context.noticeBy, by: event.by, at: event.at } : context.notice),
    }),
    endDirection: assign({
      outcome: ({ context, event }) =>
        event.type === 'END_DIRECTION'
          ? {
              outcome: event.outcome,
              on: event.on,
              ...(event.receivingSchool ? { receivingSchool: event.receivingSchool } : {}),
              ...(event.offRollOn ? { offRollOn: event.offRollOn } : {}),
              ...(event.reason ? { reason: event.reason } : {}),
              by: event.by,
              at: event.at,
            }
          : context.outcome,
    }),
    markOverdue: assign({ overdue: ({ context }, params: { key: string }) => (context.overdue.includes(params.key) ? context.overdue : [...context.overdue, params.key]) }),
  },
  guards: {
    noticeDeadline: deadline('notice'),
    reviewDeadline: deadline('review'),
    requestedReviewDeadline: deadline('requested-review'),
    plannedEndReached: deadline('planned-end'),
    requestBinds: ({ context, event }) =>
      event.type === 'REQUEST_REVIEW' && (event.requestedBy === 'parents' || context.ehcp) && reviewRequestBinds(context, event.requestedOn),
    returned: ({ event }) => event.type === 'END_DIRECTION' && event.outcome === 'returned',
    managedMove: ({ event }) => event.type === 'END_DIRECTION' && event.outcome === 'managed-move',
  },
}).createMachine({
  id: 'off-site-direction-case',
  context: ({ input }) => {
    const i = offSiteDirectionInput.parse(input);
    return { ...i, reviews: [], nextReviewDue: i.firstReviewDue, overdue: [] };
  },
  initial: 'notice',
  states: {
    notice: {
      initial: 'due',
      entry: [
        { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'notice', dueDate: context.noticeBy, label: "parents' written notice (two school days before the placement)" }) },
        { type: 'enqueue', params: ({ context }) => ({ kind: 'prompt-headteacher', key: 'opened', payload: { pupilId: context.pupilId, schoolId: context.schoolId, caseKind: 'off-site-direction' } }) },
      ],
      on: {
        RECORD_NOTICE: {
          target: 'placement',
          actions: [
            'recordNotice',
            { type: 'cancelDeadline', params: { key: 'notice' } },
            { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'review', dueDate: context.firstReviewDue, label: 'off-site direction review' }) },
            { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'planned-end', dueDate: context.plannedEnd ?? context.startDate, label: 'off-site direction: planned end', skip: context.plannedEnd === undefined }) },
          ],
        },
      },
      states: {
        due: { on: { DEADLINE_REACHED: { guard: 'noticeDeadline', target: 'overdue', actions: [{ type: 'markOverdue', params: { key: 'notice' } }, remind('notice')] } } },
        overdue: {},
      },
    },
    placement: {
      initial: 'running',
      on: {
        HOLD_REVIEW: {
          target: '.running',
          actions: [
            assign({ reviews: ({ context, event }) => [...context.reviews, { heldOn: event.heldOn, by: event.by, at: event.at }], nextReviewDue: ({ event }) => event.nextReviewDue, reviewRequest: undefined }),
            { type: 'cancelDeadline', params: { key: 'requested-review' } },
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: event.nextReviewDue, label: 'off-site direction review' }) },
          ],
        },
        REQUEST_REVIEW: {
          guard: 'requestBinds',
          target: '.review-requested',
          actions: [
            assign({ reviewRequest: ({ event }) => ({ requestedOn: event.requestedOn, requestedBy: event.requestedBy, holdBy: event.holdBy }) }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'requested-review', dueDate: event.holdBy, label: 'review asked for (as soon as reasonably practicable)' }) },
          ],
        },
        DEADLINE_REACHED: [
          { guard: 'reviewDeadline', target: '.review-overdue', actions: [{ type: 'markOverdue', params: { key: 'review' } }, remind('review')] },
          { guard: 'requestedReviewDeadline', actions: [{ type: 'markOverdue', params: { key: 'requested-review' } }, remind('requested-review')] },
          { guard: 'plannedEndReached', target: '.past-planned-end', actions: remind('planned-end') },
        ],
        END_DIRECTION: [
          { guard: 'returned', target: 'returned', actions: 'endDirection' },
          { guard: 'managedMove', target: 'managed-move', actions: 'endDirection' },
          { target: 'ended', actions: 'endDirection' },
        ],
      },
      states: {
        running: {},
        'review-requested': {},
        'review-overdue': {},
        'past-planned-end': {},
      },
      exit: [{ type: 'cancelDeadline', params: { key: 'review' } }, { type: 'cancelDeadline', params: { key: 'requested-review' } }, { type: 'cancelDeadline', params: { key: 'planned-end' } }],
    },
    returned: { type: 'final' },
    'managed-move': { type: 'final' },
    ended: { type: 'final' },
  },
  on: {
    // Withdrawn before it starts (or after the notice is late): ended, with the reason.
    END_DIRECTION: { guard: ({ event }) => event.type === 'END_DIRECTION' && event.outcome === 'ended', target: '.ended', actions: ['endDirection', { type: 'cancelDeadline', params: { key: 'notice' } }] },
  },
});

export const offSiteDirectionCase: CaseDefinition<typeof offSiteDirectionMachine, typeof offSiteDirectionEvents> = {
  kind: 'off-site-direction',
  version: 1,
  openedBy: DECIDING,
  machine: offSiteDirectionMachine,
  input: offSiteDirectionInput,
  events: offSiteDirectionEvents,
  explainRefusal(snapshot, event) {
    const c = (snapshot as unknown as { context: OffSiteDirectionContext; value: unknown }).context;
    const e = event as { type: string; requestedBy?: string; requestedOn?: string; outcome?: string };
    if (e.type === 'REQUEST_REVIEW' && e.requestedBy === 'local-authority' && !c.ehcp) return 'the local authority may ask for a review only for a pupil with an EHC plan (SI 2010/1156 reg 4A(1)(b))';
    if (e.type === 'REQUEST_REVIEW' && e.requestedOn && !reviewRequestBinds(c, e.requestedOn)) {
      return `a review was held in the ${REVIEW_REQUEST_QUIET_WEEKS} weeks before the request, so none is owed on it (SI 2010/1156 reg 4A(4)); the next review is due ${c.nextReviewDue}`;
    }
    if (e.type === 'REQUEST_REVIEW' || e.type === 'HOLD_REVIEW') return c.notice ? undefined : 'the placement has not started: record the notice to the parents first';
    if (e.type === 'END_DIRECTION' && e.outcome !== 'ended' && !c.notice) return 'the placement has not started: it can only be ended (withdrawn) before the notice is recorded';
    return undefined;
  },
};
