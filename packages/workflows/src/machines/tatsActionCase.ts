/**
 * An action agreed at the team-around-the-school meeting (seed 003 lines 82-92): what is to be done
 * for a pupil, by whom, by when — recorded against the pupil as a small case, so its due date is a
 * deadline on the school calendar (reminded, overdue, listed) and its doing is audited like any other.
 * The action is a kind from the meeting's own vocabulary (step down, escalate to a PEAP, the EBSNA
 * panel, an EHC needs assessment, social care, …); words about the pupil go in a note, sealed.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';
import { REFERRAL_ROUTES } from './nurtureOutreachCase.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

/** What the meeting decides for a pupil: step down, keep under review, or escalate (seed 003). */
export const TATS_ACTIONS = [
  'step-down',
  'school-support-plan',
  'attendance-meeting',
  'escalate-peap',
  'escalate-ebsna-panel',
  'ehc-needs-assessment',
  'nurture-outreach-referral',
  'social-care-referral',
  'virtual-school-risk-discussion',
  'other',
] as const;
export type TatsAction = (typeof TATS_ACTIONS)[number];
export const TATS_ACTION_WORDS: Readonly<Record<TatsAction, string>> = {
  'step-down': 'step down from the list',
  'school-support-plan': 'a support plan in school',
  'attendance-meeting': 'an attendance meeting with the family',
  'escalate-peap': 'escalate: a pre-exclusion assessment (PEAP)',
  'escalate-ebsna-panel': 'escalate: refer to the EBSNA panel',
  'ehc-needs-assessment': 'escalate: request an EHC needs assessment',
  'nurture-outreach-referral': 'refer to the nurture outreach service',
  'social-care-referral': 'escalate: refer to social care (no case opens here: the owner refers)',
  'virtual-school-risk-discussion': 'a multi-agency risk discussion with the virtual school (no case opens here: the owner arranges it)',
  other: 'another action (see the notes)',
};

const tatsActionInput = z
  .strictObject({
    pupilId: z.string().min(1),
    schoolId: z.string().min(1),
    action: z.enum(TATS_ACTIONS, { error: `expected action ${TATS_ACTIONS.join(', ')}` }),
    /** Who will do it: a member of staff's id, or a service ("EWO", "EP service"). */
    owner: z.string().trim().min(1, 'give the owner (a staff id or a service)').max(100),
    /** The meeting it was agreed at. */
    agreedOn: isoDate,
    dueDate: isoDate,
    /** A nurture outreach referral's route (seed 001 line 44); without it, see escalations.ts. */
    route: z.enum(REFERRAL_ROUTES, { error: `expected route ${REFERRAL_ROUTES.join(', ')}` }).optional(),
  })
  .refine((a) => a.route === undefined || a.action === 'nurture-outreach-referral', { message: 'a route goes with action nurture-outreach-referral only', path: ['route'] });
type TatsActionInput = z.input<typeof tatsActionInput>;

export interface TatsActionContext extends z.output<typeof tatsActionInput> {
  readonly done?: { readonly on: string; readonly by: string; readonly at: string };
  readonly dropped?: { readonly on: string; readonly reason: (typeof DROP_REASONS)[number]; readonly by: string };
  readonly overdue: string[];
}

export const DROP_REASONS = ['no-longer-needed', 'superseded', 'pupil-left'] as const;

export const tatsActionEvents = {
  MARK_DONE: { payload: z.strictObject({ on: isoDate }), by: ACTING, happened: ['on'], does: 'marks the action done' },
  REASSIGN: { payload: z.strictObject({ owner: z.string().trim().min(1).max(100), dueDate: isoDate }), by: ACTING, does: 'gives the action a new owner or date' },
  DROP: { payload: z.strictObject({ on: isoDate, reason: z.enum(DROP_REASONS, { error: `expected reason ${DROP_REASONS.join(', ')}` }) }), by: ACTING, happened: ['on'], does: 'drops the action' },
};

type TatsActionEvent = EventsOf<typeof tatsActionEvents> | DeadlineReached;

export const tatsActionMachine = setup({
  types: { context: {} as TatsActionContext, events: {} as TatsActionEvent, input: {} as TatsActionInput },
  actions: { ...effectActions },
}).createMachine({
  id: 'tats-action-case',
  context: ({ input }) => ({ ...tatsActionInput.parse(input), overdue: [] }),
  initial: 'open',
  states: {
    open: {
      initial: 'due',
      entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'due', dueDate: context.dueDate, label: 'team-around-the-school action' }) },
      states: {
        due: {},
        overdue: {},
      },
      on: {
        DEADLINE_REACHED: {
          guard: ({ event }) => event.key === 'due',
          target: '.overdue',
          actions: [
            assign({ overdue: ({ context }) => (context.overdue.includes('due') ? context.overdue : [...context.overdue, 'due']) }),
            { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: `due-${context.dueDate}`, payload: { schoolId: context.schoolId, deadline: 'tats-action' } }) },
          ],
        },
        REASSIGN: {
          target: '.due',
          actions: [
            assign({ owner: ({ event }) => event.owner, dueDate: ({ event }) => event.dueDate, overdue: () => [] }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'due', dueDate: event.type === 'REASSIGN' ? event.dueDate : '', label: 'team-around-the-school action' }) },
          ],
        },
        MARK_DONE: { target: 'done', actions: [assign({ done: ({ event }) => ({ on: event.on, by: event.by, at: event.at }) }), { type: 'cancelDeadline', params: { key: 'due' } }] },
        DROP: { target: 'dropped', actions: [assign({ dropped: ({ event }) => ({ on: event.on, reason: event.reason, by: event.by }) }), { type: 'cancelDeadline', params: { key: 'due' } }] },
      },
    },
    done: { type: 'final' },
    dropped: { type: 'final' },
  },
});

export const tatsActionCase: CaseDefinition<typeof tatsActionMachine, typeof tatsActionEvents> = {
  kind: 'tats-action',
  version: 1,
  // The meeting's members act for the schools they cover; an inclusion officer records a note.
  openedBy: ACTING,
  machine: tatsActionMachine,
  input: tatsActionInput,
  events: tatsActionEvents,
};
