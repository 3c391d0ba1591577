/**
 * The service's store, as the suites read it: a SQLite file in the service's folder or a fresh
 * PostgreSQL database, and the case store's façade to look at what the service stored (the
 * same typed API the service uses — never SQL). Tampering goes through attacker.ts instead.
 *
 *   const db = await serviceDatabase(backend, dir);
 *   const service = await startService(dir, db.env);
 *   const views = await withStore(db, (store) => store.cases.list(SYSTEM, { pupilId: 'DEMO-003' }));
 */
import { join } from 'node:path';
import { CaseStore } from '../../packages/workflows/dist/index.js';
import { freshDatabase, type Backend } from './postgres.js';
import { SERVICE_ANCHOR_KEY } from './serviceProcess.js';

/** Where a store is, and the key its anchor is signed with. */
export interface StoreAt {
  readonly backend: Backend;
  /** `postgres://…`, or the SQLite file. */
  readonly url: string;
  readonly anchorPath: string;
  readonly anchorKey: string;
}

/** A service's database: where it is, and the environment that points the service at it. */
export interface ServiceDatabase extends StoreAt {
  readonly env: Record<string, string>;
}

/**
 * The database for a service working in `dir`: SQLite at `dir/cases.db` (the anchor beside it,
 * the service's default), or a fresh PostgreSQL database with the anchor at `dir/audit.anchor`.
 */
export async function serviceDatabase(backend: Backend, dir: string, prefix = 'bot'): Promise<ServiceDatabase> {
  if (backend === 'postgres') {
    const url = await freshDatabase(prefix);
    const anchorPath = join(dir, 'audit.anchor');
    return { backend, url, anchorPath, anchorKey: SERVICE_ANCHOR_KEY, env: { DATABASE_URL: url, AUDIT_ANCHOR_FILE: anchorPath } };
  }
  const url = join(dir, 'cases.db');
  return { backend, url, anchorPath: `${url}.anchor`, anchorKey: SERVICE_ANCHOR_KEY, env: { CASES_DB: url } };
}

/** Opens the store at `at` through the façade. Close it when done (or use `withStore`). */
export function openStore(at: StoreAt): Promise<CaseStore> {
  return CaseStore.open({ url: at.url, anchorPath: at.anchorPath, anchorKey: at.anchorKey });
}

/** Opens the store at `at`, runs `read` on it, and closes it. */
export async function withStore<T>(at: StoreAt, read: (store: CaseStore) => Promise<T>): Promise<T> {
  const store = await openStore(at);
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/**
 * Resolves once the running service has sent everything its outbox holds — each delivery is an
 * audited row (case-sent), so a test counting rows "written by this request" starts after them.
 */
export async function outboxSent(at: StoreAt, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const unsent = (await withStore(at, (s) => s.outbox.entries())).filter((e) => e.sentAt === null);
    if (unsent.length === 0) return;
    if (Date.now() > until) throw new Error(`the outbox still holds ${unsent.length} unsent message(s) after ${timeoutMs} ms: ${unsent.map((e) => e.lastError ?? e.kind).join('; ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * How many rows the audit log holds (verified: a count of a broken chain fails), leaving out
 * `case-sent` rows — the outbox's deliveries, made in the background whenever someone becomes
 * reachable, not by the request a test counts the writes of.
 */
export async function auditRowsBesideDeliveries(at: StoreAt): Promise<number> {
  return withStore(at, async (store) => {
    const deliveries = async () => (await store.audit.entriesOf('case-sent')).length;
    // Deliveries go on meanwhile: counted before and after the verification, until none came between.
    for (;;) {
      const before = await deliveries();
      const verified = await store.audit.verify();
      if (!verified.ok) throw new Error(`the audit trail does not verify: ${verified.problem?.message ?? 'unknown problem'}`);
      if ((await deliveries()) === before) return verified.rows - before;
    }
  });
}
