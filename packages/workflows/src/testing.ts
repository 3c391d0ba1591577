/** Helpers for this package's tests: a store in a temporary folder, a school with staff, and a small machine. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, assign } from 'xstate';
import { z } from 'zod';
import { SYSTEM } from './access.js';
import { CaseStore } from './caseStore.js';
import { effectActions, type CaseDefinition, type CaseKind } from './machines/caseDefinition.js';

/** A tiny case machine: open → answered → decided, with a deadline and a prompt. */
export const toyMachine = setup({
  types: {
    context: {} as { pupilId: string; answers: Record<string, string>; decision?: string },
    input: {} as { pupilId: string; reviewBy: string },
    events: {} as
      | { type: 'ANSWER'; questionId: string; answer: string; by: string; at: string }
      | { type: 'DECIDE'; decision: string; by: string; at: string }
      | { type: 'DEADLINE_REACHED'; key: string; by: string; at: string },
  },
  actions: { ...effectActions },
  guards: { answered: ({ context }) => Object.keys(context.answers).length > 0 },
}).createMachine({
  id: 'toy-case',
  context: ({ input }) => ({ pupilId: input.pupilId, answers: {} }),
  initial: 'open',
  entry: [
    { type: 'enqueue', params: ({ context }) => ({ kind: 'prompt-headteacher', key: 'opened', payload: { pupilId: context.pupilId } }) },
    { type: 'scheduleDeadline', params: ({ event }) => ({ key: 'review', dueDate: (event as unknown as { input: { reviewBy: string } }).input.reviewBy, label: 'review' }) },
  ],
  states: {
    open: {
      on: {
        ANSWER: { actions: assign({ answers: ({ context, event }) => ({ ...context.answers, [event.questionId]: event.answer }) }) },
        DECIDE: { guard: 'answered', target: 'decided', actions: [assign({ decision: ({ event }) => event.decision }), { type: 'cancelDeadline', params: { key: 'review' } }] },
        DEADLINE_REACHED: { target: 'overdue' },
      },
    },
    overdue: { on: { DECIDE: { target: 'decided', actions: assign({ decision: ({ event }) => event.decision }) } } },
    decided: { type: 'final' },
  },
});

export const toyDefinition: CaseDefinition = {
  kind: 'peap',
  version: 1,
  machine: toyMachine,
  input: z.strictObject({ pupilId: z.string(), reviewBy: z.string() }),
  events: {
    ANSWER: z.strictObject({ questionId: z.string(), answer: z.string().min(1) }),
    DECIDE: z.strictObject({ decision: z.string().min(1) }),
  },
  explainRefusal: (snapshot, event) => (event.type === 'DECIDE' && snapshot.value === 'open' ? 'answer at least one question before deciding' : undefined),
};

export function toyDefinitions(): Record<CaseKind, CaseDefinition> {
  return { peap: toyDefinition, suspension: toyDefinition, ebsna: toyDefinition, reintegration: toyDefinition };
}

/** A fresh store in a temporary folder, with two schools, their heads and an inclusion officer. */
export function testStore(options: { definitions?: Record<CaseKind, CaseDefinition>; now?: () => Date } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cases-'));
  const path = join(dir, 'cases.db');
  let clock = options.now ?? (() => new Date('2025-10-06T09:00:00Z'));
  const store = CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', clock: () => clock(), ...(options.definitions ? { definitions: options.definitions } : {}) });
  store.staff.upsertSchool({ id: 'SCH-A', name: 'School A' }, SYSTEM);
  store.staff.upsertSchool({ id: 'SCH-B', name: 'School B' }, SYSTEM);
  store.staff.upsert({ id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] }, SYSTEM);
  store.staff.upsert({ id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] }, SYSTEM);
  store.staff.upsert({ id: 'officer', displayName: 'Inclusion Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] }, SYSTEM);
  return {
    store,
    path,
    dir,
    setNow(now: string) {
      clock = () => new Date(now);
    },
  };
}
