/**
 * Helpers for this package's tests: a store in a temporary folder — SQLite, or a fresh
 * PostgreSQL database when TEST_DATABASE_URL names a server — a school with staff, and a small machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, assign } from 'xstate';
import { z } from 'zod';
import { SYSTEM } from './access.js';
import { ACTING, CASE_KINDS, DECIDING, effectActions, type CaseDefinition, type CaseKind } from './machines/caseDefinition.js';
import { AuditAnchor, AuditLog } from './store/auditLog.js';
import { auditedWriter, type AuditedWrite } from './store/auditedWrite.js';
import { CaseStore } from './store/caseStore.js';
import { createPostgresDatabase, openDatabase, type Dialect } from './store/database.js';

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
  openedBy: ACTING,
  input: z.strictObject({ pupilId: z.string(), reviewBy: z.string() }),
  events: {
    ANSWER: { payload: z.strictObject({ questionId: z.string(), answer: z.string().min(1) }), by: ACTING },
    DECIDE: { payload: z.strictObject({ decision: z.string().min(1) }), by: DECIDING },
  },
  explainRefusal: (snapshot, event) => (event.type === 'DECIDE' && snapshot.value === 'open' ? 'answer at least one question before deciding' : undefined),
};

export function toyDefinitions(): Record<CaseKind, CaseDefinition> {
  // Every kind, so a kind added later needs nothing here.
  return Object.fromEntries(CASE_KINDS.map((kind) => [kind, toyDefinition])) as Record<CaseKind, CaseDefinition>;
}

/** The backends the store's suites run on: SQLite always, PostgreSQL when TEST_DATABASE_URL names a server. */
export const BACKENDS: readonly Dialect[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Where a fresh, empty store goes on `backend`: a file in a new folder, or a new PostgreSQL database. */
export async function freshStoreUrl(backend: Dialect = 'sqlite'): Promise<{ url: string; dir: string; anchorPath: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cases-'));
  if (backend === 'sqlite') return { url: join(dir, 'cases.db'), dir, anchorPath: join(dir, 'cases.db.anchor') };
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('TEST_DATABASE_URL is not set: no PostgreSQL server to test on');
  return { url: await createPostgresDatabase(server, `cases_${randomBytes(6).toString('hex')}`), dir, anchorPath: join(dir, 'audit.anchor') };
}

export const TEST_ANCHOR_KEY = 'test-anchor-key-0123456789';

const require = createRequire(import.meta.url);
/** The rules package's fictional demo school (DEMO-SCH): 30 pupils, some of them suspended, and its calendar. */
export const DEMO_FILES = {
  pupils: require.resolve('@before-exclusion/rules/data/demo/pupils.ndjson'),
  calendar: require.resolve('@before-exclusion/rules/data/calendars/england-2025-26.example.json'),
};

/** Every store the helpers opened, to close after each test (`afterEach(closeTestStores)`). */
const openStores = new Set<CaseStore>();

/** Closes the stores the helpers opened (one already closed by its test is fine). */
export async function closeTestStores(): Promise<void> {
  const stores = [...openStores];
  openStores.clear();
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
}

/** Where a test store is, to open it again. */
export interface StoreLocation {
  readonly url: string;
  readonly anchorPath: string;
}

/**
 * Another CaseStore on the same database and anchor: a second service instance, or the same
 * one after a restart.
 */
export async function openAgain(at: StoreLocation, options: { definitions?: Record<CaseKind, CaseDefinition>; now?: () => Date; anchorKey?: string; witness?: string } = {}): Promise<CaseStore> {
  const store = await CaseStore.open({
    url: at.url,
    anchorPath: at.anchorPath,
    anchorKey: options.anchorKey ?? TEST_ANCHOR_KEY,
    ...(options.witness ? { witness: options.witness } : {}),
    ...(options.now ? { clock: options.now } : {}),
    ...(options.definitions ? { definitions: options.definitions } : {}),
  });
  openStores.add(store);
  return store;
}

/**
 * An audited write transaction on the store at `at`, through a connection of its own: for
 * driving `cases.transitionInTransaction` as the scheduler does, with any event.
 */
export async function auditedWriteTo(at: StoreLocation): Promise<{ write: AuditedWrite; close(): Promise<void> }> {
  const db = await openDatabase(at.url);
  return { write: auditedWriter(db, new AuditLog(db, AuditAnchor.at(at.anchorPath, TEST_ANCHOR_KEY))), close: () => db.close() };
}

/** A fresh store (SQLite by default), with two schools, their heads and an inclusion officer. */
export async function testStore(options: { definitions?: Record<CaseKind, CaseDefinition>; now?: () => Date; backend?: Dialect; ehcLocalTargetWeeks?: number } = {}) {
  const { url, dir, anchorPath } = await freshStoreUrl(options.backend);
  let clock = options.now ?? (() => new Date('2025-10-06T09:00:00Z'));
  const store = await CaseStore.open({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY, clock: () => clock(), ...(options.definitions ? { definitions: options.definitions } : {}), ...(options.ehcLocalTargetWeeks ? { ehcLocalTargetWeeks: options.ehcLocalTargetWeeks } : {}) });
  openStores.add(store);
  await store.staff.upsertSchool({ id: 'SCH-A', name: 'School A' }, SYSTEM);
  await store.staff.upsertSchool({ id: 'SCH-B', name: 'School B' }, SYSTEM);
  await store.staff.upsert({ id: 'head-a', displayName: 'Head A', role: 'headteacher', schoolIds: ['SCH-A'] }, SYSTEM);
  await store.staff.upsert({ id: 'head-b', displayName: 'Head B', role: 'headteacher', schoolIds: ['SCH-B'] }, SYSTEM);
  await store.staff.upsert({ id: 'officer', displayName: 'Inclusion Officer', role: 'inclusion-officer', schoolIds: ['SCH-A', 'SCH-B'] }, SYSTEM);
  return {
    store,
    url,
    /** The SQLite file (for SQLite stores). */
    path: url,
    dir,
    anchorPath,
    setNow(now: string) {
      clock = () => new Date(now);
    },
  };
}
