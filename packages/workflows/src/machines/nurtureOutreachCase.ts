/**
 * The nurture outreach case: one child on a nurture or outreach service's caseload, as B&NES's
 * Nurture Outreach Service ran it (seed 001): referral by one of its routes (line 44), parental
 * consent (the seed's table records "No parental consent" as a reason not engaged), a baseline with
 * SDQ and Thrive and follow-up assessments (line 50), a R/A/G/B status while active (lines 57–61),
 * and closure "where the child has settled well into school, or been diagnosed" (line 44) or when an
 * EHC plan takes over.
 *
 * A place is the service's to give: at most its capacity at any one time (30 in the seed, line 44;
 * a setting), the rest waiting in referral order. The machine holds one child's path only; the
 * count across cases is `placeRefusal`, run inside the write that gives a place (`checkInWrite`),
 * and `nurtureCaseload.ts` shows the caseload.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { measureSchema, type MeasureTaken } from '../support/supportMeasures.js';
import { ACTING, effectActions, topState, type CaseDefinition, type CaseInWrite, type DeadlineReached, type EventsOf } from './caseDefinition.js';

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

/** The referral routes (seed 001 line 44). */
export const REFERRAL_ROUTES = ['panel-open-a-year', 'school-caseload', 'school-new-to-complexity'] as const;
export type ReferralRoute = (typeof REFERRAL_ROUTES)[number];
export const REFERRAL_ROUTE_WORDS: Readonly<Record<ReferralRoute, string>> = {
  'panel-open-a-year': 'open at the behaviour and attendance panel for a year or more: a new strategy is needed',
  'school-caseload': 'a school with many complex cases whose staff need support and supervision',
  'school-new-to-complexity': 'a school new to this complexity, needing support to include the child or to request an EHC plan',
};

/** The caseload status and its meaning (seed 001 lines 57–61). */
export const CASELOAD_STATUSES = ['red', 'amber', 'green', 'blue'] as const;
export type CaseloadStatus = (typeof CASELOAD_STATUSES)[number];
export const CASELOAD_STATUS_WORDS: Readonly<Record<CaseloadStatus, string>> = {
  red: 'Red — an EHC plan is being proposed or supported',
  amber: 'Amber — early days, starting to respond to the strategies',
  green: 'Green — settling; will not need a long-term intervention',
  blue: 'Blue — a possible diagnosis needing another service (e.g. autism)',
};

export const CLOSURE_REASONS = ['settled', 'diagnosed', 'ehc-plan', 'no-consent', 'left-school', 'withdrawn'] as const;
export type ClosureReason = (typeof CLOSURE_REASONS)[number];
export const CLOSURE_REASON_WORDS: Readonly<Record<ClosureReason, string>> = {
  settled: 'settled well into school',
  diagnosed: 'diagnosed; another service supports the child',
  'ehc-plan': 'an EHC plan now meets the needs',
  'no-consent': 'no parental consent',
  'left-school': 'left the school',
  withdrawn: 'referral withdrawn',
};

const nurtureOutreachInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  route: z.enum(REFERRAL_ROUTES, { error: `expected route ${REFERRAL_ROUTES.join(', ')}` }),
  /** The waiting list runs in this order. */
  referredOn: isoDate,
  /** When a rule suggested it (e.g. open at panel a year or more): its trigger. */
  suggestedBy: z.string().min(1).optional(),
});
type NurtureOutreachInput = z.input<typeof nurtureOutreachInput>;

export interface NurtureOutreachContext extends z.output<typeof nurtureOutreachInput> {
  readonly consent?: { readonly given: boolean; readonly on: string; readonly by: string };
  readonly startedOn?: string;
  readonly followUpDue?: string;
  readonly status?: { readonly status: CaseloadStatus; readonly on: string; readonly by: string };
  readonly statusHistory: { readonly status: CaseloadStatus; readonly on: string }[];
  readonly measures: (MeasureTaken & { readonly by: string; readonly at: string })[];
  readonly closed?: { readonly reason: ClosureReason; readonly on: string; readonly by: string; readonly at: string };
  readonly overdue: string[];
}

export const nurtureOutreachEvents = {
  RECORD_CONSENT: { payload: z.strictObject({ given: z.boolean({ error: 'expected given: true or false' }), on: isoDate }), by: ACTING, happened: ['on'], does: "records the parents' consent" },
  START_WORK: {
    payload: z.strictObject({ startedOn: isoDate, followUpDue: isoDate }).refine((p) => p.followUpDue > p.startedOn, { message: 'the follow-up assessment falls after the start', path: ['followUpDue'] }),
    by: ACTING,
    does: 'gives the child a place on the caseload',
    // The work starts, and its follow-up is taken, in school.
    onSchoolDays: ['startedOn', 'followUpDue'],
  },
  RECORD_MEASURE: { payload: measureSchema, by: ACTING, happened: ['takenOn'], does: 'records a measure (SDQ, Thrive or Boxall)' },
  SET_STATUS: { payload: z.strictObject({ status: z.enum(CASELOAD_STATUSES, { error: 'expected status red, amber, green or blue' }), on: isoDate }), by: ACTING, happened: ['on'], does: 'sets the R/A/G/B status' },
  CLOSE: { payload: z.strictObject({ reason: z.enum(CLOSURE_REASONS, { error: `expected reason ${CLOSURE_REASONS.join(', ')}` }), on: isoDate }), by: ACTING, happened: ['on'], does: 'closes the case' },
};

/** States that hold a place: from the start of the work until the case closes. */
export const HOLDS_PLACE: ReadonlySet<string> = new Set(['baseline', 'active', 'followed-up']);

/** An open referral as the queue reads it: its state and the referral date it queues by. */
export interface QueuedReferral {
  readonly id: string;
  readonly state: unknown;
  readonly referredOn: string;
  readonly openedAt: string;
}

/** The service's open referrals, those holding a place and those waiting in referral order (then the order they were opened in). */
export function nurtureQueue<R extends QueuedReferral>(open: readonly R[]): { holding: R[]; waiting: R[] } {
  const sorted = [...open].sort((a, b) => a.referredOn.localeCompare(b.referredOn) || a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id));
  return { holding: sorted.filter((r) => HOLDS_PLACE.has(topState(r.state))), waiting: sorted.filter((r) => topState(r.state) === 'waiting') };
}

/**
 * Why the child of `caseId` may not have a place now, or undefined when they may: a place is free
 * and fewer children referred earlier are waiting than places free. Says how many, never who.
 */
export function placeRefusal(open: readonly QueuedReferral[], caseId: string, capacity: number): string | undefined {
  const { holding, waiting } = nurtureQueue(open);
  const ahead = waiting.findIndex((r) => r.id === caseId);
  if (ahead < 0) return `case ${caseId} is not waiting for a place; a place follows the parents' consent`;
  if (holding.length >= capacity) return `the caseload is full: ${holding.length} of ${capacity} places taken (NURTURE_OUTREACH_CAPACITY); the child stays at place ${ahead + 1} on the waiting list`;
  const free = capacity - holding.length;
  if (ahead >= free) return `${ahead} child(ren) referred earlier are waiting ahead of this one for ${free} free place(s): places go in referral order`;
  return undefined;
}

const queued = (c: CaseInWrite): QueuedReferral => ({ id: c.id, state: c.state, referredOn: String(c.context.referredOn ?? ''), openedAt: c.openedAt });

type NurtureOutreachEvent = EventsOf<typeof nurtureOutreachEvents> | DeadlineReached;

const isStage = (stage: 'baseline' | 'follow-up') => ({ event }: { event: NurtureOutreachEvent }) => event.type === 'RECORD_MEASURE' && event.stage === stage;

export const nurtureOutreachMachine = setup({
  types: { context: {} as NurtureOutreachContext, events: {} as NurtureOutreachEvent, input: {} as NurtureOutreachInput },
  actions: {
    ...effectActions,
    recordMeasure: assign({
      measures: ({ context, event }) => {
        if (event.type !== 'RECORD_MEASURE') return context.measures;
        const { type: _type, ...taken } = event;
        return [...context.measures, taken];
      },
    }),
    close: assign({ closed: ({ context, event }) => (event.type === 'CLOSE' ? { reason: event.reason, on: event.on, by: event.by, at: event.at } : context.closed) }),
  },
  guards: {
    consentGiven: ({ event }) => event.type === 'RECORD_CONSENT' && event.given,
    baseline: isStage('baseline'),
    followUp: isStage('follow-up'),
    followUpDeadline: ({ event }) => event.type === 'DEADLINE_REACHED' && event.key === 'follow-up',
  },
}).createMachine({
  id: 'nurture-outreach-case',
  context: ({ input }) => ({ ...nurtureOutreachInput.parse(input), measures: [], statusHistory: [], overdue: [] }),
  initial: 'referred',
  states: {
    referred: {
      on: {
        RECORD_CONSENT: [
          { guard: 'consentGiven', target: 'waiting', actions: assign({ consent: ({ event }) => ({ given: true, on: event.on, by: event.by }) }) },
          { target: 'closed', actions: assign({ consent: ({ event }) => ({ given: false, on: event.on, by: event.by }), closed: ({ event }) => ({ reason: 'no-consent' as const, on: event.on, by: event.by, at: event.at }) }) },
        ],
      },
    },
    waiting: {
      on: {
        START_WORK: {
          target: 'baseline',
          actions: [
            assign({ startedOn: ({ event }) => event.startedOn, followUpDue: ({ event }) => event.followUpDue }),
            { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'follow-up', dueDate: event.type === 'START_WORK' ? event.followUpDue : '', label: 'nurture outreach follow-up assessment' }) },
          ],
        },
      },
    },
    baseline: {
      on: {
        RECORD_MEASURE: [{ guard: 'baseline', target: 'active', actions: ['recordMeasure', assign({ status: ({ event }) => ({ status: 'amber' as const, on: event.type === 'RECORD_MEASURE' ? event.takenOn : '', by: event.by }), statusHistory: ({ event }) => [{ status: 'amber' as const, on: event.type === 'RECORD_MEASURE' ? event.takenOn : '' }] })] }, { actions: 'recordMeasure' }],
      },
    },
    active: {
      initial: 'working',
      states: { working: {}, 'follow-up-due': {} },
      on: {
        SET_STATUS: { actions: assign({ status: ({ event }) => ({ status: event.status, on: event.on, by: event.by }), statusHistory: ({ context, event }) => [...context.statusHistory, { status: event.status, on: event.on }] }) },
        RECORD_MEASURE: [
          { guard: 'followUp', target: 'followed-up', actions: ['recordMeasure', { type: 'cancelDeadline', params: { key: 'follow-up' } }, assign({ overdue: ({ context }) => context.overdue.filter((k) => k !== 'follow-up') })] },
          { actions: 'recordMeasure' },
        ],
        DEADLINE_REACHED: {
          guard: 'followUpDeadline',
          target: '.follow-up-due',
          actions: [
            assign({ overdue: ({ context }) => (context.overdue.includes('follow-up') ? context.overdue : [...context.overdue, 'follow-up']) }),
            { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'follow-up', payload: { schoolId: context.schoolId, deadline: 'nurture-outreach-follow-up' } }) },
          ],
        },
      },
    },
    'followed-up': {
      on: {
        SET_STATUS: { actions: assign({ status: ({ event }) => ({ status: event.status, on: event.on, by: event.by }), statusHistory: ({ context, event }) => [...context.statusHistory, { status: event.status, on: event.on }] }) },
        RECORD_MEASURE: { actions: 'recordMeasure' },
      },
    },
    closed: { type: 'final' },
  },
  on: {
    CLOSE: { target: '.closed', actions: ['close', { type: 'cancelDeadline', params: { key: 'follow-up' } }] },
  },
});

export const nurtureOutreachCase: CaseDefinition<typeof nurtureOutreachMachine, typeof nurtureOutreachEvents> = {
  kind: 'nurture-outreach',
  version: 1,
  openedBy: ACTING,
  machine: nurtureOutreachMachine,
  input: nurtureOutreachInput,
  events: nurtureOutreachEvents,
  // A place is given inside the write that gives it, against the caseload as it stands in that
  // transaction: two place-givings at once (two instances, two heads) cannot both take the last place.
  async checkInWrite({ event, caseId, openCases, settings }) {
    if (event.type !== 'START_WORK') return undefined;
    return placeRefusal((await openCases('nurture-outreach')).map(queued), caseId, settings.nurtureCapacity);
  },
  explainRefusal(snapshot, event) {
    const value = (snapshot as unknown as { value: unknown }).value;
    if (event.type === 'START_WORK' && value === 'referred') return "record the parents' consent first (RECORD_CONSENT)";
    if (event.type === 'SET_STATUS' && (value === 'referred' || value === 'waiting' || value === 'baseline')) return 'the status is set once the work has started and the baseline is taken';
    return undefined;
  },
};
