/**
 * The part-time timetable case: agreed with the parents → reviews → back to full time, or
 * escalated. "Working together to improve school attendance" (DfE, statutory from 19 August 2024,
 * the paragraphs on part-time timetables): only in very exceptional circumstances and in the
 * pupil's best interests, never to manage behaviour; for the shortest time necessary, with a time
 * limit by which the pupil attends full time; formal arrangements to review it regularly with the
 * pupil and parents. So a timetable the record holds without the parents' agreement or a planned
 * end waits at "to agree" until both are recorded, each review sets the next, continuing needs
 * both, and passing the planned end asks for a decision. How often to review,
 * how long at most and when to tell the council are the council's rules (a rule pack's
 * parameters), not national numbers: they arrive as dates.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

export const TIMETABLE_REVIEW_OUTCOMES = ['continue', 'full-time', 'escalate'] as const;

const partTimeTimetableInput = z
  .strictObject({
    pupilId: z.string().min(1),
    schoolId: z.string().min(1),
    /** The timetable's id on the pupil's record, when it came from there. */
    timetableId: z.string().min(1).optional(),
    startDate: isoDate,
    /** The time limit by which the pupil is expected to attend full time (absent: still to set). */
    plannedEnd: isoDate.optional(),
    hoursPerWeek: z.number().positive().max(40).optional(),
    /** A part-time timetable is agreed with the parents: the day they agreed (absent: still to agree). */
    parentsAgreedOn: isoDate.optional(),
    firstReviewDue: isoDate,
    /** The council's reporting rule, when it has one: the date the council must be told by. */
    councilToldBy: isoDate.optional(),
  })
  .refine((i) => i.plannedEnd === undefined || i.plannedEnd >= i.startDate, { message: 'the planned end is before the start', path: ['plannedEnd'] });
type PartTimeTimetableInput = z.input<typeof partTimeTimetableInput>;

export interface PartTimeTimetableContext extends z.output<typeof partTimeTimetableInput> {
  readonly reviews: { heldOn: string; outcome: (typeof TIMETABLE_REVIEW_OUTCOMES)[number]; by: string; at: string }[];
  readonly nextReviewDue: string;
  readonly councilTold?: { on: string; by: string; at: string };
  readonly overdue: string[];
}

export const partTimeTimetableEvents = {
  AGREE: { payload: z.strictObject({ parentsAgreedOn: isoDate, plannedEnd: isoDate }), by: ACTING, happened: ['parentsAgreedOn'], does: "records the parents' agreement and the time limit" },
  HOLD_REVIEW: {
    payload: z
      .strictObject({ heldOn: isoDate, outcome: z.enum(TIMETABLE_REVIEW_OUTCOMES), nextReviewDue: isoDate.optional(), plannedEnd: isoDate.optional() })
      .refine((d) => d.outcome !== 'continue' || d.nextReviewDue !== undefined, { message: 'continuing needs the next review date', path: ['nextReviewDue'] })
      .refine((d) => d.nextReviewDue === undefined || d.nextReviewDue > d.heldOn, { message: 'the next review falls after this one', path: ['nextReviewDue'] })
      .refine((d) => d.plannedEnd === undefined || d.plannedEnd > d.heldOn, { message: 'a new time limit falls after the review that sets it', path: ['plannedEnd'] }),
    by: ACTING,
    happened: ['heldOn'],
    // The next review is held in school, with the pupil and parents.
    onSchoolDays: ['nextReviewDue'],
  },
  TELL_COUNCIL: { payload: z.strictObject({ toldOn: isoDate }), by: ACTING, happened: ['toldOn'] },
};

type PartTimeTimetableEvent = EventsOf<typeof partTimeTimetableEvents> | DeadlineReached;

const deadline = (key: string) => ({ event }: { event: PartTimeTimetableEvent }) => event.type === 'DEADLINE_REACHED' && event.key === key;
const remind = (key: string) => ({
  type: 'enqueue' as const,
  params: ({ context }: { context: PartTimeTimetableContext }) => ({ kind: 'remind-deadline', key: `${key}-${context.reviews.length}`, payload: { schoolId: context.schoolId, deadline: `part-time-timetable-${key}` } }),
});
const nextReview = {
  type: 'scheduleDeadline' as const,
  params: ({ event }: { event: PartTimeTimetableEvent }) => ({ key: 'review', dueDate: event.type === 'HOLD_REVIEW' ? (event.nextReviewDue ?? event.heldOn) : '', label: 'part-time timetable review' }),
};

export const partTimeTimetableMachine = setup({
  types: { context: {} as PartTimeTimetableContext, events: {} as PartTimeTimetableEvent, input: {} as PartTimeTimetableInput },
  actions: {
    ...effectActions,
    recordReview: assign({
      reviews: ({ context, event }) => (event.type === 'HOLD_REVIEW' ? [...context.reviews, { heldOn: event.heldOn, outcome: event.outcome, by: event.by, at: event.at }] : context.reviews),
      nextReviewDue: ({ context, event }) => (event.type === 'HOLD_REVIEW' && event.nextReviewDue ? event.nextReviewDue : context.nextReviewDue),
    }),
    markOverdue: assign({ overdue: ({ context }, params: { key: string }) => (context.overdue.includes(params.key) ? context.overdue : [...context.overdue, params.key]) }),
  },
  guards: {
    agreedAndLimited: ({ context }) => context.parentsAgreedOn !== undefined && context.plannedEnd !== undefined,
    extends: ({ context, event }) => event.type === 'HOLD_REVIEW' && event.outcome === 'continue' && event.plannedEnd !== undefined && context.parentsAgreedOn !== undefined,
    fullTime: ({ event }) => event.type === 'HOLD_REVIEW' && event.outcome === 'full-time',
    reviewDeadline: deadline('review'),
    plannedEndReached: deadline('planned-end'),
    councilDeadline: deadline('tell-council'),
  },
}).createMachine({
  id: 'part-time-timetable-case',
  context: ({ input }) => {
    const i = partTimeTimetableInput.parse(input);
    return { ...i, reviews: [], nextReviewDue: i.firstReviewDue, overdue: [] };
  },
  entry: [
    { type: 'enqueue', params: ({ context }) => ({ kind: 'prompt-headteacher', key: 'opened', payload: { pupilId: context.pupilId, schoolId: context.schoolId, caseKind: 'part-time-timetable' } }) },
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'review', dueDate: context.firstReviewDue, label: 'part-time timetable review' }) },
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'planned-end', dueDate: context.plannedEnd ?? context.startDate, label: 'part-time timetable: back to full time by', skip: context.plannedEnd === undefined }) },
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'tell-council', dueDate: context.councilToldBy ?? context.startDate, label: 'the council told of the timetable', skip: context.councilToldBy === undefined }) },
  ],
  initial: 'active',
  states: {
    active: {
      initial: 'checking',
      on: {
        TELL_COUNCIL: { actions: [assign({ councilTold: ({ event }) => ({ on: event.toldOn, by: event.by, at: event.at }) }), { type: 'cancelDeadline', params: { key: 'tell-council' } }] },
        DEADLINE_REACHED: [
          { guard: 'reviewDeadline', target: '.review-overdue', actions: [{ type: 'markOverdue', params: { key: 'review' } }, remind('review')] },
          { guard: 'plannedEndReached', target: '.past-planned-end', actions: [{ type: 'markOverdue', params: { key: 'planned-end' } }, remind('planned-end')] },
          { guard: 'councilDeadline', actions: [{ type: 'markOverdue', params: { key: 'tell-council' } }, remind('tell-council')] },
        ],
        HOLD_REVIEW: [
          // Continuing past the time limit needs a new one: a part-time timetable is never open-ended.
          {
            guard: 'extends',
            target: '.reviewed',
            actions: [
              'recordReview',
              assign({ plannedEnd: ({ context, event }) => (event.type === 'HOLD_REVIEW' && event.plannedEnd ? event.plannedEnd : context.plannedEnd) }),
              { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'planned-end', dueDate: event.plannedEnd ?? event.heldOn, label: 'part-time timetable: back to full time by' }) },
              nextReview,
            ],
          },
          {
            guard: ({ event, context }) => event.type === 'HOLD_REVIEW' && event.outcome === 'continue' && context.plannedEnd !== undefined && context.plannedEnd > event.heldOn,
            target: '.reviewed',
            actions: ['recordReview', nextReview],
          },
          { guard: 'fullTime', target: 'full-time', actions: 'recordReview' },
          { guard: ({ event }) => event.type === 'HOLD_REVIEW' && event.outcome === 'escalate', target: 'escalated', actions: 'recordReview' },
        ],
      },
      states: {
        checking: { always: [{ guard: 'agreedAndLimited', target: 'agreed' }, { target: 'to-agree' }] },
        'to-agree': {
          on: {
            AGREE: {
              target: 'agreed',
              actions: [
                assign({ parentsAgreedOn: ({ event }) => event.parentsAgreedOn, plannedEnd: ({ event }) => event.plannedEnd }),
                { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'planned-end', dueDate: event.plannedEnd, label: 'part-time timetable: back to full time by' }) },
              ],
            },
          },
        },
        agreed: {},
        reviewed: {},
        'review-overdue': {},
        'past-planned-end': {},
      },
      exit: [{ type: 'cancelDeadline', params: { key: 'review' } }, { type: 'cancelDeadline', params: { key: 'planned-end' } }, { type: 'cancelDeadline', params: { key: 'tell-council' } }],
    },
    'full-time': { type: 'final' },
    escalated: { type: 'final' },
  },
});

export const partTimeTimetableCase: CaseDefinition<typeof partTimeTimetableMachine, typeof partTimeTimetableEvents> = {
  kind: 'part-time-timetable',
  version: 1,
  openedBy: ACTING,
  machine: partTimeTimetableMachine,
  input: partTimeTimetableInput,
  events: partTimeTimetableEvents,
  explainRefusal(snapshot, event) {
    const c = (snapshot as unknown as { context: PartTimeTimetableContext }).context;
    const e = event as { type: string; outcome?: string; heldOn?: string; plannedEnd?: string };
    if (e.type === 'HOLD_REVIEW' && e.outcome === 'continue' && (c.parentsAgreedOn === undefined || c.plannedEnd === undefined)) {
      return "the timetable is not yet agreed with the parents and time-limited: record both (AGREE) before it continues — a part-time timetable needs both";
    }
    if (e.type === 'HOLD_REVIEW' && e.outcome === 'continue' && e.plannedEnd === undefined && e.heldOn !== undefined && c.plannedEnd !== undefined && e.heldOn >= c.plannedEnd) {
      return `the timetable reached its planned end (${c.plannedEnd}): continuing needs a new planned end — a part-time timetable is time-limited`;
    }
    return undefined;
  },
};
