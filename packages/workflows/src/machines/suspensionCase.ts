/**
 * The statutory duties of one exclusion (domain §4.2): the notices due (parents, local
 * authority, social worker, virtual school head, governing board), full-time education from
 * the sixth day, the governing board's review by its date, and for a permanent exclusion the
 * independent review window and panel. Closed when every duty is done; a head may cancel only
 * before the board has reviewed, and everyone notified is then notified again.
 */
import { assign, setup } from 'xstate';
import { z } from 'zod';
import { ACTING, DECIDING, effectActions, type CaseDefinition, type DeadlineReached, type EventsOf } from './caseDefinition.js';

export const RECIPIENTS = ['parents', 'local-authority', 'social-worker', 'virtual-school-head', 'governing-board'] as const;
export type Recipient = (typeof RECIPIENTS)[number];
export const NOTICE_METHODS = ['letter', 'email', 'hand', 'phone', 'portal'] as const;
export const MEETING_FORMATS = ['in-person', 'remote'] as const;

const isoDate = z.iso.date({ error: 'expected a date written YYYY-MM-DD' });

const suspensionInput = z.strictObject({
  pupilId: z.string().min(1),
  schoolId: z.string().min(1),
  exclusion: z.strictObject({
    id: z.string().min(1),
    category: z.enum(['FIXD', 'LNCH', 'PERM']),
    startDate: isoDate,
    lastDate: isoDate.optional(),
    // Its length as the record gives it, so a list can say "3 days" without the record (cases opened before this carry none).
    sessions: z.int().min(1).optional(),
    lunchtimes: z.int().min(1).optional(),
  }),
  notices: z.array(z.enum(RECIPIENTS)).min(1, 'at least the parents are notified'),
  /** When a reminder of notices not yet sent comes: the first day of an exclusion recorded as it happens (none for one imported long after). */
  noticesDue: isoDate.optional(),
  /** The head who recorded the exclusion in the product: they are in the case already, so no prompt. */
  recordedBy: z.string().min(1).optional(),
  provisionFrom: isoDate.optional(),
  boardReview: z.strictObject({ kind: z.enum(['must', 'on-request']), dueDate: isoDate }).optional(),
});
type SuspensionInput = z.input<typeof suspensionInput>;

export interface Notice {
  readonly due: true;
  readonly sent?: { by: string; at: string; method: string; sentOn: string };
}

export interface SuspensionContext {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly exclusion: SuspensionInput['exclusion'];
  readonly notices: Partial<Record<Recipient, Notice>>;
  readonly provisionFrom?: string;
  readonly noticesDue?: string;
  readonly recordedBy?: string;
  readonly provision?: { provider: string; address?: string; from: string; by: string; at: string; late: boolean };
  readonly boardReview?: { kind: 'must' | 'on-request'; dueDate: string; requestedOn?: string };
  /** The board's meeting, once arranged: remote when the parents asked for it. */
  readonly boardMeeting?: { on: string; format: (typeof MEETING_FORMATS)[number] };
  readonly review?: { outcome: 'upheld' | 'reinstated'; heldOn: string; by: string; at: string; irpWindowEnds?: string };
  readonly irp?: { requestedOn?: string; panelBy?: string; outcome?: string; heldOn?: string };
  readonly overdue: string[];
  readonly cancelled?: { reason: string; by: string; at: string; on?: string };
  /** Once cancelled: everyone told of it is told again, with the reason — each recorded as it goes. */
  readonly cancellationNotices?: Partial<Record<Recipient, Notice>>;
}

export const suspensionEvents = {
  RECORD_NOTICE: { payload: z.strictObject({ recipient: z.enum(RECIPIENTS), method: z.enum(NOTICE_METHODS), sentOn: isoDate }), by: ACTING, happened: ['sentOn'] },
  ARRANGE_PROVISION: { payload: z.strictObject({ provider: z.string().trim().min(1, 'give the provider'), address: z.string().trim().min(1).max(300).optional(), from: isoDate }), by: ACTING },
  PARENTS_REQUEST_REVIEW: { payload: z.strictObject({ requestedOn: isoDate, dueDate: isoDate }), by: ACTING, happened: ['requestedOn'] },
  SCHEDULE_BOARD_MEETING: { payload: z.strictObject({ on: isoDate, format: z.enum(MEETING_FORMATS) }), by: ACTING },
  RECORD_BOARD_REVIEW: { payload: z.strictObject({ outcome: z.enum(['upheld', 'reinstated']), heldOn: isoDate, irpWindowEnds: isoDate.optional() }), by: ACTING, happened: ['heldOn'] },
  REQUEST_IRP: { payload: z.strictObject({ requestedOn: isoDate, panelBy: isoDate }), by: ACTING, happened: ['requestedOn'] },
  RECORD_IRP_DECISION: { payload: z.strictObject({ outcome: z.enum(['upheld', 'recommend-reconsider', 'quash']), heldOn: isoDate }), by: ACTING, happened: ['heldOn'] },
  CANCEL: { payload: z.strictObject({ reason: z.string().trim().min(1, 'give the reason for cancelling'), cancelledOn: isoDate.optional() }), by: DECIDING, happened: ['cancelledOn'], does: 'cancels an exclusion', freeText: ['reason'] },
  RECORD_CANCELLATION_NOTICE: { payload: z.strictObject({ recipient: z.enum(RECIPIENTS), method: z.enum(NOTICE_METHODS), sentOn: isoDate }), by: ACTING, happened: ['sentOn'] },
};

type SuspensionEvent = EventsOf<typeof suspensionEvents> | DeadlineReached;

type Stamped<E> = E & { by: string; at: string };
const provisionOf = (e: Stamped<{ provider: string; address?: string | undefined; from: string }>, late: boolean): NonNullable<SuspensionContext['provision']> => ({
  provider: e.provider,
  ...(e.address ? { address: e.address } : {}),
  from: e.from,
  by: e.by,
  at: e.at,
  late,
});

const allSent = (c: SuspensionContext) => Object.values(c.notices).every((n) => n?.sent);
/**
 * Who is told of a cancellation: the parents, the governing board and the local authority, and the
 * social worker or virtual school head where they were told of the exclusion (domain §10: since 2022/23).
 */
const toldOfCancellation = (c: SuspensionContext): Recipient[] =>
  RECIPIENTS.filter((r) => r === 'parents' || r === 'governing-board' || r === 'local-authority' || c.notices[r] !== undefined);
const deadline = (key: string) => ({ event }: { event: SuspensionEvent }) => event.type === 'DEADLINE_REACHED' && event.key === key;

export const suspensionMachine = setup({
  types: { context: {} as SuspensionContext, events: {} as SuspensionEvent, input: {} as SuspensionInput },
  actions: {
    ...effectActions,
    scheduleMeeting: assign({ boardMeeting: ({ event }) => (event.type === 'SCHEDULE_BOARD_MEETING' ? { on: event.on, format: event.format } : undefined) }),
    markOverdue: assign({ overdue: ({ context }, params: { key: string }) => (context.overdue.includes(params.key) ? context.overdue : [...context.overdue, params.key]) }),
  },
  guards: {
    noticeDue: ({ context, event }) => event.type === 'RECORD_NOTICE' && context.notices[event.recipient]?.due === true && !context.notices[event.recipient]?.sent,
    cancellationNoticeDue: ({ context, event }) =>
      event.type === 'RECORD_CANCELLATION_NOTICE' && context.cancellationNotices?.[event.recipient]?.due === true && !context.cancellationNotices[event.recipient]?.sent,
    allCancellationNoticesSent: ({ context }) => Object.values(context.cancellationNotices ?? {}).every((n) => n?.sent),
    allSent: ({ context }) => allSent(context),
    provisionRequired: ({ context }) => context.provisionFrom !== undefined,
    reviewMust: ({ context }) => context.boardReview?.kind === 'must',
    reviewOnRequest: ({ context }) => context.boardReview?.kind === 'on-request',
    permanentUpheld: ({ context }) => context.exclusion.category === 'PERM' && context.review?.outcome === 'upheld' && context.review.irpWindowEnds !== undefined,
    notReviewed: ({ context }) => context.review === undefined,
    noticesDeadline: deadline('notices'),
    cancellationDeadline: deadline('cancellation-notices'),
    provisionDeadline: deadline('provision'),
    reviewDeadline: deadline('board-review'),
    irpWindowDeadline: deadline('irp-window'),
  },
}).createMachine({
  id: 'suspension-case',
  context: ({ input }) => {
    const i = suspensionInput.parse(input);
    return {
      pupilId: i.pupilId,
      schoolId: i.schoolId,
      exclusion: i.exclusion,
      notices: Object.fromEntries(i.notices.map((r) => [r, { due: true }])),
      ...(i.provisionFrom ? { provisionFrom: i.provisionFrom } : {}),
      ...(i.noticesDue ? { noticesDue: i.noticesDue } : {}),
      ...(i.recordedBy ? { recordedBy: i.recordedBy } : {}),
      ...(i.boardReview ? { boardReview: i.boardReview } : {}),
      overdue: [],
    } as SuspensionContext;
  },
  entry: [
    {
      type: 'enqueue',
      params: ({ context }) => ({ kind: 'prompt-headteacher', key: 'opened', payload: { pupilId: context.pupilId, schoolId: context.schoolId, caseKind: 'suspension' }, skip: context.recordedBy !== undefined }),
    },
  ],
  initial: 'open',
  states: {
    open: {
      type: 'parallel',
      onDone: 'closed',
      on: {
        CANCEL: {
          guard: 'notReviewed',
          target: 'cancelling',
          actions: [
            assign({
              cancelled: ({ event }) => ({ reason: event.reason, by: event.by, at: event.at, ...(event.cancelledOn ? { on: event.cancelledOn } : {}) }),
              cancellationNotices: ({ context }) => Object.fromEntries(toldOfCancellation(context).map((r) => [r, { due: true as const }])),
            }),
            { type: 'cancelDeadline', params: { key: 'notices' } },
            { type: 'cancelDeadline', params: { key: 'provision' } },
            { type: 'cancelDeadline', params: { key: 'board-review' } },
          ],
        },
      },
      states: {
        notices: {
          initial: 'pending',
          states: {
            pending: {
              // Notices go without delay: a reminder comes on the first day if any is not yet recorded as sent.
              entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'notices', dueDate: context.noticesDue ?? context.exclusion.startDate, label: 'notices sent (without delay)', skip: context.noticesDue === undefined }) },
              always: { guard: 'allSent', target: 'all-sent', actions: { type: 'cancelDeadline', params: { key: 'notices' } } },
              on: {
                DEADLINE_REACHED: {
                  guard: 'noticesDeadline',
                  actions: [{ type: 'markOverdue', params: { key: 'notices' } }, { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'notices-overdue', payload: { schoolId: context.schoolId, deadline: 'notices' } }) }],
                },
                RECORD_NOTICE: {
                  guard: 'noticeDue',
                  actions: assign({
                    notices: ({ context, event }) => ({ ...context.notices, [event.recipient]: { due: true, sent: { by: event.by, at: event.at, method: event.method, sentOn: event.sentOn } } }),
                  }),
                },
              },
            },
            'all-sent': { type: 'final' },
          },
        },
        provision: {
          initial: 'checking',
          states: {
            checking: { always: [{ guard: 'provisionRequired', target: 'due' }, { target: 'not-required' }] },
            due: {
              entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'provision', dueDate: context.provisionFrom!, label: 'full-time education from the sixth day' }) },
              on: {
                ARRANGE_PROVISION: { target: 'arranged', actions: [assign({ provision: ({ event }) => provisionOf(event, false) }), { type: 'cancelDeadline', params: { key: 'provision' } }] },
                DEADLINE_REACHED: { guard: 'provisionDeadline', target: 'overdue', actions: { type: 'markOverdue', params: { key: 'provision' } } },
              },
            },
            overdue: {
              entry: { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'provision-overdue', payload: { schoolId: context.schoolId, deadline: 'provision' } }) },
              on: { ARRANGE_PROVISION: { target: 'arranged', actions: assign({ provision: ({ event }) => provisionOf(event, true) }) } },
            },
            arranged: { type: 'final' },
            'not-required': { type: 'final' },
          },
        },
        review: {
          initial: 'checking',
          states: {
            checking: { always: [{ guard: 'reviewMust', target: 'due' }, { guard: 'reviewOnRequest', target: 'on-request' }, { target: 'not-required' }] },
            'on-request': {
              on: {
                PARENTS_REQUEST_REVIEW: { target: 'due', actions: assign({ boardReview: ({ event }) => ({ kind: 'on-request' as const, dueDate: event.dueDate, requestedOn: event.requestedOn }) }) },
                SCHEDULE_BOARD_MEETING: { actions: 'scheduleMeeting' },
                RECORD_BOARD_REVIEW: { target: 'reviewed', actions: assign({ review: ({ event }) => ({ outcome: event.outcome, heldOn: event.heldOn, by: event.by, at: event.at }) }) },
              },
            },
            due: {
              entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'board-review', dueDate: context.boardReview!.dueDate, label: 'governing board review' }) },
              on: {
                SCHEDULE_BOARD_MEETING: { actions: 'scheduleMeeting' },
                RECORD_BOARD_REVIEW: {
                  target: 'reviewed',
                  actions: [
                    assign({ review: ({ event }) => ({ outcome: event.outcome, heldOn: event.heldOn, by: event.by, at: event.at, ...(event.irpWindowEnds ? { irpWindowEnds: event.irpWindowEnds } : {}) }) }),
                    { type: 'cancelDeadline', params: { key: 'board-review' } },
                  ],
                },
                DEADLINE_REACHED: { guard: 'reviewDeadline', actions: [{ type: 'markOverdue', params: { key: 'board-review' } }, { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'board-review-overdue', payload: { schoolId: context.schoolId, deadline: 'board-review' } }) }] },
              },
            },
            reviewed: { always: [{ guard: 'permanentUpheld', target: 'irp-window' }, { target: 'done' }] },
            'irp-window': {
              entry: { type: 'scheduleDeadline', params: ({ context }) => ({ key: 'irp-window', dueDate: context.review!.irpWindowEnds!, label: 'independent review: application window closes' }) },
              on: {
                REQUEST_IRP: { target: 'irp-requested', actions: [assign({ irp: ({ event }) => ({ requestedOn: event.requestedOn, panelBy: event.panelBy }) }), { type: 'cancelDeadline', params: { key: 'irp-window' } }] },
                DEADLINE_REACHED: { guard: 'irpWindowDeadline', target: 'done' },
              },
            },
            'irp-requested': {
              on: { RECORD_IRP_DECISION: { target: 'done', actions: assign({ irp: ({ context, event }) => ({ ...context.irp, outcome: event.outcome, heldOn: event.heldOn }) }) } },
            },
            done: { type: 'final' },
            'not-required': { type: 'final' },
          },
        },
      },
    },
    // Told again, without delay: the cancellation notices come due on the day, with a reminder if any is not sent.
    cancelling: {
      entry: {
        type: 'scheduleDeadline',
        params: ({ context }) => ({ key: 'cancellation-notices', dueDate: context.cancelled?.on ?? context.cancelled!.at.slice(0, 10), label: 'cancellation notices sent (without delay)' }),
      },
      always: { guard: 'allCancellationNoticesSent', target: 'cancelled', actions: { type: 'cancelDeadline', params: { key: 'cancellation-notices' } } },
      on: {
        RECORD_CANCELLATION_NOTICE: {
          guard: 'cancellationNoticeDue',
          actions: assign({
            cancellationNotices: ({ context, event }) => ({ ...context.cancellationNotices, [event.recipient]: { due: true, sent: { by: event.by, at: event.at, method: event.method, sentOn: event.sentOn } } }),
          }),
        },
        DEADLINE_REACHED: {
          guard: 'cancellationDeadline',
          actions: { type: 'enqueue', params: ({ context }) => ({ kind: 'remind-deadline', key: 'cancellation-notices-overdue', payload: { schoolId: context.schoolId, deadline: 'cancellation-notices' } }) },
        },
      },
    },
    cancelled: { type: 'final' },
    closed: { type: 'final' },
  },
});

export const suspensionCase: CaseDefinition<typeof suspensionMachine, typeof suspensionEvents> = {
  kind: 'suspension',
  version: 1,
  // Opened by the rules, with the duties they found.
  openedBy: [],
  machine: suspensionMachine,
  input: suspensionInput,
  events: suspensionEvents,
  explainRefusal(snapshot, event) {
    const c = (snapshot as unknown as { context: SuspensionContext }).context;
    const e = event as { type: string; recipient?: Recipient };
    if (e.type === 'CANCEL' && c.review) return 'an exclusion can be cancelled only before the governing board has reviewed it';
    if (e.type === 'RECORD_NOTICE' && e.recipient) {
      if (!c.notices[e.recipient]) return `no notice to ${e.recipient} is due for this exclusion; due: ${Object.keys(c.notices).join(', ')}`;
      if (c.notices[e.recipient]?.sent) return `the notice to ${e.recipient} was already recorded as sent on ${c.notices[e.recipient]!.sent!.sentOn}`;
    }
    if (e.type === 'RECORD_CANCELLATION_NOTICE' && e.recipient) {
      if (!c.cancellationNotices) return 'the exclusion is not cancelled';
      if (!c.cancellationNotices[e.recipient]) return `no cancellation notice to ${e.recipient} is due; due: ${Object.keys(c.cancellationNotices).join(', ')}`;
      if (c.cancellationNotices[e.recipient]?.sent) return `the cancellation notice to ${e.recipient} was already recorded as sent on ${c.cancellationNotices[e.recipient]!.sent!.sentOn}`;
    }
    return undefined;
  },
};
