/**
 * What every case machine declares, so the case store can run any of them the same way:
 * its kind and version, the machine, and zod schemas for its input and events.
 *
 * Machines are pure. Their side effects are named actions with params — `scheduleDeadline`,
 * `cancelDeadline`, `enqueue` — that do nothing when run; the store reads them from
 * xstate's `transition()` and writes deadline and outbox rows in the same SQLite transaction.
 * Time never passes inside a machine: deadlines arrive as `DEADLINE_REACHED` events.
 */
import type { AnyStateMachine } from 'xstate';
import type { z } from 'zod';
import type { StaffRole } from '../access.js';

export type CaseKind = 'peap' | 'suspension' | 'ebsna' | 'reintegration' | 'off-site-direction' | 'part-time-timetable' | 'safeguarding-separation' | 'support-plan' | 'nurture-outreach' | 'tats-action' | 'ehc-needs-assessment';
export const CASE_KINDS: readonly CaseKind[] = ['peap', 'suspension', 'ebsna', 'reintegration', 'off-site-direction', 'part-time-timetable', 'safeguarding-separation', 'support-plan', 'nurture-outreach', 'tats-action', 'ehc-needs-assessment'];

/** Every event the service sends carries who sent it and when (ISO date-time, UTC). */
/** The top-level state of a case's state value (`{ active: 'working' }` → `active`). */
export const topState = (state: unknown): string => (typeof state === 'string' ? state : Object.keys((state ?? {}) as object)[0] ?? '');

export interface Stamp {
  readonly by: string;
  readonly at: string;
}

/** Sent by the scheduler when a deadline the machine scheduled falls due. */
export interface DeadlineReached extends Stamp {
  readonly type: 'DEADLINE_REACHED';
  readonly key: string;
}

export interface ScheduleDeadline {
  /** Unique within the case: scheduling the same key again moves that deadline. */
  readonly key: string;
  /** The school-calendar date it falls due (computed by the rules library, passed in events). */
  readonly dueDate: string;
  /** For people: "governing board review", "sixth-day provision". */
  readonly label: string;
  /** True: nothing is scheduled — for a deadline only the context knows is needed. */
  readonly skip?: boolean;
}

export interface CancelDeadline {
  readonly key: string;
}

export interface Enqueue {
  /** What the outbox sender should do, e.g. `prompt-headteacher`, `remind-deadline`. */
  readonly kind: string;
  /** Unique within the case, so a retried transition never queues the same message twice. */
  readonly key: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** True: nothing is queued — for a message whose need only the context knows (a PEAP its own head started). */
  readonly skip?: boolean;
}

/** The effect actions, for `setup({ actions: { ...effectActions } })`. They run as no-ops. */
export const effectActions = {
  scheduleDeadline: (_: unknown, _params: ScheduleDeadline) => {},
  cancelDeadline: (_: unknown, _params: CancelDeadline) => {},
  enqueue: (_: unknown, _params: Enqueue) => {},
};

export type Effect =
  | { readonly type: 'scheduleDeadline'; readonly params: ScheduleDeadline }
  | { readonly type: 'cancelDeadline'; readonly params: CancelDeadline }
  | { readonly type: 'enqueue'; readonly params: Enqueue };

/**
 * One event people may send: its payload (without `type` and the stamp) and who may send it.
 * The machine's event type is inferred from these, so each event is declared once.
 */
export interface EventSpec<S extends z.ZodType = z.ZodType> {
  readonly payload: S;
  /** The roles that may send it (the system — scheduler, rules, imports — always may). */
  readonly by: readonly StaffRole[];
  /** What sending it does, in words, for a refusal: "records the decision". */
  readonly does?: string;
  /**
   * Payload fields written in words about the pupil (an answer, a rationale, notes): the store
   * seals them with the pupil's key before anything keeps them, so erasing the pupil erases them.
   */
  readonly freeText?: readonly string[];
  /**
   * Payload fields naming a day something is to happen in school (a review): the store refuses a
   * day the pupil's school is closed on its stored calendar, naming the next school day.
   */
  readonly onSchoolDays?: readonly string[];
  /**
   * Payload fields naming the day something was done (a notice sent, a review held): the store
   * refuses a day after today, so the record never shows a duty done before it was.
   */
  readonly happened?: readonly string[];
}
export type EventSpecs = Readonly<Record<string, EventSpec>>;

/**
 * Why `day` cannot be the day something was done, seen on `today` (both YYYY-MM-DD): a day still
 * to come. The one wording for every done-date (an event's `happened` fields, a managed move agreed).
 */
export function doneDateRefusal(day: string, today: string): string | undefined {
  return day > today ? `${day} is after today (${today}): record it on the day it was done, or after` : undefined;
}

/** Those who act on their school's cases: answer, record, schedule. */
export const ACTING: readonly StaffRole[] = ['headteacher', 'deputy', 'senco', 'admin'];
/** Those who decide and cancel: the headteacher, or a deputy acting for them. */
export const DECIDING: readonly StaffRole[] = ['headteacher', 'deputy'];

/** An object type without its index signature (zod types an empty strict object as `Record<string, never>`). */
type Fields<T> = { [P in keyof T as string extends P ? never : P]: T[P] };
/** The events a machine receives, as its specs declare them, stamped. */
export type EventsOf<E extends EventSpecs> = { [K in keyof E & string]: { readonly type: K } & Fields<z.output<E[K]['payload']>> & Stamp }[keyof E & string];
/** The events a caller sends, as its specs accept them (before defaults apply, without the stamp). */
export type EventInputsOf<E extends EventSpecs> = { [K in keyof E & string]: { readonly type: K } & Fields<z.input<E[K]['payload']>> }[keyof E & string];

export interface CaseDefinition<M extends AnyStateMachine = AnyStateMachine, E extends EventSpecs = EventSpecs> {
  readonly kind: CaseKind;
  /** Bump when a stored snapshot of the previous version could no longer be read. */
  readonly version: number;
  readonly machine: M;
  /** Who may open one by hand (the system always may: the rules open cases from triggers). */
  readonly openedBy: readonly StaffRole[];
  /** The input a case opens with (without the stamp). */
  readonly input: z.ZodType;
  /** Each event a person may send: its payload and who may send it. */
  readonly events: E;
  /** Why an event is refused in the current state, in words, when a guard says no. */
  explainRefusal?(snapshot: ReturnType<M['resolveState']>, event: { type: string }): string | undefined;
  /**
   * A rule across cases checked inside the write that applies `event` (after the machine accepts
   * it, before anything is written): a caseload's capacity, say, which a read before the write
   * could race. Resolves to why the event is refused, in words, or undefined to let it through.
   */
  checkInWrite?(check: InWriteCheck): Promise<string | undefined>;
}

/** The settings an in-write check reads: the store's options, each a documented setting. */
export interface CaseSettings {
  /** Places on the nurture outreach caseload at any one time (NURTURE_OUTREACH_CAPACITY; seed 001 line 44). */
  readonly nurtureCapacity: number;
  /** The council's EHC target, in weeks, for a child in care or on a child-protection plan (EHC_LOCAL_TARGET_WEEKS_CIC; seed 002 lines 3199–3201). */
  readonly ehcLocalTargetWeeks: number;
}

/** An open case as an in-write check reads it: its persisted state and context, nothing opened. */
export interface CaseInWrite {
  readonly id: string;
  readonly pupilId: string;
  readonly schoolId: string;
  readonly state: unknown;
  readonly context: Readonly<Record<string, unknown>>;
  readonly openedAt: string;
}

/** What a `checkInWrite` is given: the event, its case, the open cases of a kind read in the same transaction, the settings. */
export interface InWriteCheck {
  readonly caseId: string;
  readonly event: { readonly type: string; readonly [field: string]: unknown };
  readonly settings: CaseSettings;
  openCases(kind: CaseKind): Promise<readonly CaseInWrite[]>;
}

/**
 * The spec of an event a case of this kind declares, or undefined: only its own events, so a
 * name from Object's prototype (`constructor`, `__proto__`, `toString`) is no event, not a crash.
 */
export function eventSpec(definition: Pick<CaseDefinition, 'events'>, type: string): EventSpec | undefined {
  return Object.hasOwn(definition.events, type) ? definition.events[type] : undefined;
}
