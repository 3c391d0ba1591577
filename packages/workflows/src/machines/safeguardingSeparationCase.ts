/**
 * The safeguarding separation case: pupils kept apart for safeguarding reasons, led by the
 * designated safeguarding lead. It is not a suspension (2026 suspension and permanent exclusion
 * guidance): it counts toward no suspension limit, term total, sixth day or PEAP. What it does
 * carry is the local authority's duty to arrange suitable education for a pupil out of school
 * (Education Act 1996 s19; "the Guidance is clear that such a scenario activates a local authority's
 * section 19 duty", Hill Dickinson, 27 May 2026 — the guidance's own paragraph was not seen). So the
 * product asks the head to tell the LA from the first day, with a reminder, as an exclusion's notices
 * are: a prompt the rule pack can turn off (`safeguarding-separation.tell-local-authority`'s
 * `promptHead`), not a quoted deadline. The separation itself runs until the DSL ends it.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });
export const LA_NOTICE_METHODS = ['email', 'portal', 'phone', 'letter'] as const;

const safeguardingSeparationInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  /** The separation's id on the pupil's record, when it came from there. */
  separationId: z.string().min(1).optional(),
  startDate: isoDate,
  plannedEnd: isoDate.optional(),
  /** The day the DSL decided on it. */
  dslDecidedOn: isoDate,
});
type SafeguardingSeparationInput = z.input<typeof safeguardingSeparationInput>;

export interface SafeguardingSeparationContext extends z.output<typeof safeguardingSeparationInput> {
  readonly laNotice?: { sentOn: string; method?: string; by: string; at: string };
  readonly endedOn?: string;
  readonly overdue: string[];
}

export const safeguardingSeparationEvents = {
  // How is optional: a date read from the school's own records may not say.
  RECORD_LA_NOTICE: { payload: z.strictObject({ sentOn: isoDate, method: z.enum(LA_NOTICE_METHODS).optional() }), by: ACTING, happened: ['sentOn'] },
  END_SEPARATION: { payload: z.strictObject({ endedOn: isoDate }), by: ACTING, happened: ['endedOn'] },
};

type SafeguardingSeparationEvent = EventsOf<typeof safeguardingSeparationEvents> | DeadlineReached;

export const safeguardingSeparationMachine = setup({
  types: { context: {} as SafeguardingSeparationContext, events: {} as SafeguardingSeparationEvent, input: {} as SafeguardingSeparationInput },
  actions: {
    ...effectActions,
    recordNotice: assign({ laNotice: ({ context, event }) => (event.type === 'RECORD_LA_NOTICE' ? { sentOn: event.sentOn, ...(event.method ? { method: event.method } : {}), by: event.by, at: event.at } : context.laNotice) }),
  },
  guards: {
    laNoticeDeadline: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'la-notice',
  },
}).createMachine({
  id: 'safeguarding-separation-case',
  context: ({ input }) => ({ ...safeguardingSeparationInput.parse(input), overdue: [] }),
  entry: { type: 'enqueue', params: ({ context }) => ({ kind: 'prompt-headteacher', key: 'opened', payload: { pupilId: context.pupilId, schoolId: context.schoolId, caseKind: 'safeguarding-separation' } }) },
  initial: 'open',
  states: {
    open: {
      type: 'parallel',
      onDone: 'closed',
      states: {
        'la-notice': {
          initial: 'due',
          entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'la-notice', dueDate: context.startDate, label: 'the local authority told, so it can arrange education' }) },
          states: {
            due: {
              on: {
                RECORD_LA_NOTICE: { target: 'sent', actions: ['recordNotice', { type: 'cancelDeadline', params: { key: 'la-notice' } }] },
                DEADLINE_REACHED: {
                  guard: 'laNoticeDeadline',
                  target: 'overdue',
                  actions: [
                    assign({ overdue: ({ context }) => [...context.overdue, 'la-notice'] }),
                    { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'la-notice-overdue', payload: { schoolId: context.schoolId, deadline: 'safeguarding-separation-la-notice' } }) },
                  ],
                },
              },
            },
            overdue: { on: { RECORD_LA_NOTICE: { target: 'sent', actions: 'recordNotice' } } },
            sent: { type: 'final' },
          },
        },
        separation: {
          initial: 'in-place',
          states: {
            'in-place': { on: { END_SEPARATION: { target: 'ended', actions: assign({ endedOn: ({ event }) => event.endedOn }) } } },
            ended: { type: 'final' },
          },
        },
      },
    },
    closed: { type: 'final' },
  },
});

export const safeguardingSeparationCase: CaseDefinition<typeof safeguardingSeparationMachine, typeof safeguardingSeparationEvents> = {
  kind: 'safeguarding-separation',
  version: 1,
  openedBy: ACTING,
  machine: safeguardingSeparationMachine,
  input: safeguardingSeparationInput,
  events: safeguardingSeparationEvents,
};
