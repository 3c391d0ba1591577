/**
 * For this package's tests: the demo school in a real SQLite store in a temporary folder, as of
 * the demo's school date, with the rules already run over its pupils — the state a head meets
 * on the first morning. Excluded from the build.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaseStore, SYSTEM, evaluateStoredPupils, type Actor } from '@before-exclusion/workflows';
import { Assistant } from '../conversation/assistant.js';
import type { Reply } from '../conversation/replies.js';
import { DEMO_SCHOOL_DATE, loadDemo } from '../service/demo.js';
import type { Logger } from '../service/log.js';

export const TODAY = DEMO_SCHOOL_DATE;

/** A fresh store holding the demo school, its pupils evaluated as of the demo date. */
export async function demoStore(options: { evaluate?: boolean } = {}): Promise<{ store: CaseStore; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-'));
  const path = join(dir, 'cases.db');
  const store = openStore(path);
  await loadDemo(store, () => new Date(`${TODAY}T09:00:00Z`));
  if (options.evaluate ?? true) await evaluateStoredPupils(store, { asOf: TODAY });
  return { store, path };
}

/** Opens the store at `path` (again): another process, or another device's request, on the same data. */
export function openStore(path: string): CaseStore {
  return CaseStore.open({ path, anchorKey: 'test-anchor-key-0123456789', clock: () => new Date(`${TODAY}T09:00:00Z`) });
}

/** The assistant as the service runs it on the demo date. */
export function demoAssistant(store: CaseStore): Assistant {
  return new Assistant(store, { today: () => TODAY });
}

/** A second school with its own head, to check that one school's cases stay its own. */
export function addOtherSchool(store: CaseStore): Actor {
  store.staff.upsertSchool({ id: 'OTHER', name: 'Other School (fictional)' }, SYSTEM);
  store.staff.upsert({ id: 'other-head', displayName: 'Other Head (fictional)', role: 'headteacher', schoolIds: ['OTHER'], teamsAadId: 'other-head-aad' }, SYSTEM);
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
