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

export type CaseKind = 'peap' | 'suspension' | 'ebsna' | 'reintegration';
export const CASE_KINDS: readonly CaseKind[] = ['peap', 'suspension', 'ebsna', 'reintegration'];

/** Every event the service sends carries who sent it and when (ISO date-time, UTC). */
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

export interface CaseDefinition<M extends AnyStateMachine = AnyStateMachine> {
  readonly kind: CaseKind;
  /** Bump when a stored snapshot of the previous version could no longer be read. */
  readonly version: number;
  readonly machine: M;
  /** The input a case opens with (without the stamp). */
  readonly input: z.ZodType;
  /** The payload of each event a person may send (without `type` and the stamp). */
  readonly events: Readonly<Record<string, z.ZodType>>;
  /** Why an event is refused in the current state, in words, when a guard says no. */
  explainRefusal?(snapshot: ReturnType<M['resolveState']>, event: { type: string }): string | undefined;
}
