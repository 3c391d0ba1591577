/**
 * The EBSNA case (Halton's emotionally based school non-attendance pathway, seed 003:94-103):
 * a school's referral → the panel's decision (accept / decline with reason / redirect) → a
 * SASO and an assistant EP allocated → assessment → plan → reviews every six weeks → closed
 * with attendance restored (and the figures), or escalated.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });
const percent = z.number().min(0).max(100);

const ebsnaInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  referredBy: z.string().min(1),
  attendanceAtReferral: percent,
  indicators: z.array(z.string().min(1)).default([]),
});
type EbsnaInput = z.input<typeof ebsnaInput>;

export interface EbsnaContext {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly referredBy: string;
  readonly attendanceAtReferral: number;
  readonly indicators: string[];
  readonly panel?: { outcome: 'accept' | 'decline' | 'redirect'; reason?: string; redirectTo?: string; by: string; at: string };
  readonly allocation?: { sasoId: string; assistantEpId: string };
  readonly plan?: { summary: string; agreedAt: string };
  readonly reviews: { heldAt: string; attendance: number; outcome: string; by: string }[];
  readonly reviewOverdue: boolean;
  readonly attendanceAtClose?: number;
}

export const ebsnaEvents = {
  PANEL_DECISION: {
    payload: z
      .strictObject({ outcome: z.enum(['accept', 'decline', 'redirect']), reason: z.string().trim().min(1).optional(), redirectTo: z.string().trim().min(1).optional() })
      .refine((d) => d.outcome === 'accept' || d.reason !== undefined, { message: 'a declined or redirected referral needs a reason', path: ['reason'] }),
    by: ACTING,
    freeText: ['reason'],
  },
  ALLOCATE: { payload: z.strictObject({ sasoId: z.string().min(1), assistantEpId: z.string().min(1) }), by: ACTING },
  START_ASSESSMENT: { payload: z.strictObject({}), by: ACTING },
  AGREE_PLAN: { payload: z.strictObject({ summary: z.string().trim().min(1), firstReviewDue: isoDate }), by: ACTING, freeText: ['summary'] },
  HOLD_REVIEW: {
    payload: z
      .strictObject({ attendance: percent, outcome: z.enum(['continue', 'attendance-restored', 'escalate']), nextReviewDue: isoDate.optional(), notes: z.string().optional() })
      .refine((d) => d.outcome !== 'continue' || d.nextReviewDue !== undefined, { message: 'continuing needs the next review date (six weeks on)', path: ['nextReviewDue'] }),
    by: ACTING,
    freeText: ['notes'],
  },
};

type EbsnaEvent = EventsOf<typeof ebsnaEvents> | DeadlineReached;

export const ebsnaMachine = setup({
  types: { context: {} as EbsnaContext, events: {} as EbsnaEvent, input: {} as EbsnaInput },
  actions: {
    ...effectActions,
    recordReview: assign({
      reviews: ({ context, event }) =>
        event.type === 'HOLD_REVIEW' ? [...context.reviews, { heldAt: event.at, attendance: event.attendance, outcome: event.outcome, by: event.by }] : context.reviews,
      reviewOverdue: false,
    }),
    recordPanel: assign({
      panel: ({ context, event }) =>
        event.type === 'PANEL_DECISION'
          ? { outcome: event.outcome, by: event.by, at: event.at, ...(event.reason ? { reason: event.reason } : {}), ...(event.redirectTo ? { redirectTo: event.redirectTo } : {}) }
          : context.panel,
    }),
  },
  guards: {
    accepted: ({ event }) => event.type === 'PANEL_DECISION' && event.outcome === 'accept',
    declined: ({ event }) => event.type === 'PANEL_DECISION' && event.outcome === 'decline',
    continues: ({ event }) => event.type === 'HOLD_REVIEW' && event.outcome === 'continue',
    restored: ({ event }) => event.type === 'HOLD_REVIEW' && event.outcome === 'attendance-restored',
    reviewDeadline: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'review',
  },
}).createMachine({
  id: 'ebsna-case',
  context: ({ input }) => ({ ...ebsnaInput.parse(input), reviews: [], reviewOverdue: false }) as EbsnaContext,
  initial: 'referred',
  states: {
    referred: {
      on: {
        PANEL_DECISION: [
          { guard: 'accepted', target: 'accepted', actions: 'recordPanel' },
          { guard: 'declined', target: 'declined', actions: 'recordPanel' },
          { target: 'redirected', actions: 'recordPanel' },
        ],
      },
    },
    accepted: { on: { ALLOCATE: { target: 'allocated', actions: assign({ allocation: ({ event }) => ({ sasoId: event.sasoId, assistantEpId: event.assistantEpId }) }) } } },
    allocated: { on: { START_ASSESSMENT: 'assessment' } },
    assessment: {
      on: {
        AGREE_PLAN: {
          target: 'reviewing',
          actions: [
            assign({ plan: ({ event }) => ({ summary: event.summary, agreedAt: event.at }) }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: event.firstReviewDue, label: 'six-weekly EBSNA review' }) },
          ],
        },
      },
    },
    reviewing: {
      on: {
        DEADLINE_REACHED: {
          guard: 'reviewDeadline',
          actions: [assign({ reviewOverdue: true }), { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: `review-${context.reviews.length}`, payload: { schoolId: context.schoolId, deadline: 'ebsna-review' } }) }],
        },
        HOLD_REVIEW: [
          { guard: 'continues', actions: ['recordReview', { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: event.nextReviewDue!, label: 'six-weekly EBSNA review' }) }] },
          { guard: 'restored', target: 'attendance-restored', actions: ['recordReview', assign({ attendanceAtClose: ({ event }) => event.attendance }), { type: 'cancelDeadline', params: { key: 'review' } }] },
          { target: 'escalated', actions: ['recordReview', { type: 'cancelDeadline', params: { key: 'review' } }] },
        ],
      },
    },
    'attendance-restored': { type: 'final' },
    escalated: { type: 'final' },
    declined: { type: 'final' },
    redirected: { type: 'final' },
  },
});

export const ebsnaCase: CaseDefinition<typeof ebsnaMachine, typeof ebsnaEvents> = {
  kind: 'ebsna',
  version: 1,
  openedBy: ACTING,
  machine: ebsnaMachine,
  input: ebsnaInput,
  events: ebsnaEvents,
};
