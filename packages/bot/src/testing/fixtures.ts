/**
 * For this package's tests: the demo school in a real store (a SQLite file in a temporary folder,
 * or a fresh PostgreSQL database with `backend: 'postgres'`), as of
 * the demo's school date, with the rules already run over its pupils — the state a head meets
 * on the first morning. Excluded from the build.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore, SYSTEM, createPostgresDatabase, evaluateStoredPupils, type Actor } from '@before-exclusion/workflows';

import { Assistant } from '../conversation/assistant.js';
import type { Reply } from '../conversation/replies.js';
import { DEMO_SCHOOL_DATE, loadDemo } from '../service/demo.js';
import type { Logger } from '../service/log.js';

export const TODAY = DEMO_SCHOOL_DATE;

/** The backends the bot's suites run on: SQLite always, PostgreSQL when TEST_DATABASE_URL names a server. */
export const BACKENDS: readonly ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** Where a store is: its URL (a file or postgres://…) and its anchor. */
export interface StoreAt {
  readonly url: string;
  readonly anchorPath: string;
}

/** A fresh store holding the demo school, its pupils evaluated as of the demo date. */
export async function demoStore(options: { evaluate?: boolean; backend?: 'sqlite' | 'postgres' } = {}): Promise<{ store: CaseStore; at: StoreAt }> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-'));
  const server = process.env.TEST_DATABASE_URL;
  if (options.backend === 'postgres' && !server) throw new Error('TEST_DATABASE_URL is not set: no PostgreSQL server to test on');
  const at: StoreAt =
    options.backend === 'postgres' ? { url: await createPostgresDatabase(server!, `bot_${randomBytes(6).toString('hex')}`), anchorPath: join(dir, 'audit.anchor') } : { url: join(dir, 'cases.db'), anchorPath: join(dir, 'cases.db.anchor') };
  const store = await openStore(at);
  await loadDemo(store);
  if (options.evaluate ?? true) await evaluateStoredPupils(store, { asOf: TODAY });
  return { store, at };
}

/** Opens the store at `at` (again): another process, or another device's request, on the same data. */
export function openStore(at: StoreAt): Promise<CaseStore> {
  return CaseStore.open({ url: at.url, anchorPath: at.anchorPath, anchorKey: 'test-anchor-key-0123456789', clock: () => new Date(`${TODAY}T09:00:00Z`) });
}

/** The assistant as the service runs it on the demo date. */
export function demoAssistant(store: CaseStore): Assistant {
  return new Assistant(store, { today: () => TODAY });
}

/** A second school with its own head, to check that one school's cases stay its own. */
export async function addOtherSchool(store: CaseStore): Promise<Actor> {
  await store.staff.upsertSchool({ id: 'OTHER', name: 'Other School (fictional)' }, SYSTEM);
  await store.staff.upsert({ id: 'other-head', displayName: 'Other Head (fictional)', role: 'headteacher', schoolIds: ['OTHER'], teamsAadId: 'other-head-aad' }, SYSTEM);
  return store.staff.actorFor('other-head');
}

/** The replies of one type, asserting there is exactly one. */
export function only<T extends Reply['type']>(replies: readonly Reply[], type: T): Extract<Reply, { type: T }> {
  const found = replies.filter((r): r is Extract<Reply, { type: T }> => r.type === type);
  if (found.length !== 1) throw new Error(`expected one ${type} reply, got: ${replies.map((r) => r.type).join(', ') || 'none'}`);
  return found[0]!;
}

/** The messages among replies, as text. */
export function messages(replies: readonly Reply[]): string[] {
  return replies.flatMap((r) => (r.type === 'message' ? [r.text] : []));
}

/** A logger that drops every line. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
