/**
 * The reintegration case (Halton's SEMH reintegration pathway, seed 002:5313-5318): a pupil
 * on the pathway returns to their home school by week 12 — a warning at week 10, escalation
 * after — then a follow-up period, a success if it passes without a further exclusion.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

const reintegrationInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  startDate: isoDate,
  warnOn: isoDate,
  returnBy: isoDate,
});
type ReintegrationInput = z.input<typeof reintegrationInput>;

export interface ReintegrationContext extends z.output<typeof reintegrationInput> {
  readonly reviews: { heldOn: string; by: string }[];
  readonly warned: boolean;
  readonly returnedOn?: string;
  readonly outcome?: 'success' | 'failed';
  readonly furtherExclusionId?: string;
}

export const reintegrationEvents = {
  RECORD_REVIEW: { payload: z.strictObject({ heldOn: isoDate, notes: z.string().optional() }), by: ACTING, happened: ['heldOn'], freeText: ['notes'] },
  RETURN_TO_HOME_SCHOOL: { payload: z.strictObject({ returnedOn: isoDate, followUpEnds: isoDate }), by: ACTING, happened: ['returnedOn'] },
  FURTHER_EXCLUSION: { payload: z.strictObject({ exclusionId: z.string().min(1) }), by: ACTING },
};

type ReintegrationEvent = EventsOf<typeof reintegrationEvents> | DeadlineReached;

export const reintegrationMachine = setup({
  types: { context: {} as ReintegrationContext, events: {} as ReintegrationEvent, input: {} as ReintegrationInput },
  actions: { ...effectActions },
  guards: {
    week10: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'week-10',
    week12: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'week-12',
    followUpEnded: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'follow-up-end',
  },
}).createMachine({
  id: 'reintegration-case',
  context: ({ input }) => ({ ...reintegrationInput.parse(input), reviews: [], warned: false }),
  initial: 'on-pathway',
  entry: [
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'week-10', dueDate: context.warnOn, label: 'reintegration: week 10 warning' }) },
    { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'week-12', dueDate: context.returnBy, label: 'reintegration: return by week 12' }) },
  ],
  states: {
    // Reviews and the return are the same whether or not week 12 has passed.
    'on-pathway': {
      initial: 'active',
      on: {
        RECORD_REVIEW: { actions: assign({ reviews: ({ context, event }) => [...context.reviews, { heldOn: event.heldOn, by: event.by }] }) },
        RETURN_TO_HOME_SCHOOL: {
          target: 'follow-up',
          actions: [
            assign({ returnedOn: ({ event }) => event.returnedOn }),
            { type: 'cancelDeadline', params: { key: 'week-10' } },
            { type: 'cancelDeadline', params: { key: 'week-12' } },
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'follow-up-end', dueDate: event.followUpEnds, label: 'end of follow-up' }) },
          ],
        },
      },
      states: {
        active: {
          on: {
            DEADLINE_REACHED: [
              { guard: 'week10', actions: [assign({ warned: true }), { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'week-10', payload: { schoolId: context.schoolId, deadline: 'reintegration-week-10' } }) }] },
              { guard: 'week12', target: 'escalated', actions: { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'week-12', payload: { schoolId: context.schoolId, deadline: 'reintegration-week-12' } }) } },
            ],
          },
        },
        escalated: {},
      },
    },
    'follow-up': {
      on: {
        FURTHER_EXCLUSION: { target: 'closed', actions: [assign({ outcome: 'failed' as const, furtherExclusionId: ({ event }) => event.exclusionId }), { type: 'cancelDeadline', params: { key: 'follow-up-end' } }] },
        DEADLINE_REACHED: { guard: 'followUpEnded', target: 'closed', actions: assign({ outcome: 'success' as const }) },
      },
    },
    closed: { type: 'final' },
  },
});

export const reintegrationCase: CaseDefinition<typeof reintegrationMachine, typeof reintegrationEvents> = {
  kind: 'reintegration',
  version: 1,
  openedBy: ACTING,
  machine: reintegrationMachine,
  input: reintegrationInput,
  events: reintegrationEvents,
};
