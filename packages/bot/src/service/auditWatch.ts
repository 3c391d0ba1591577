/**
 * The service's watch on its audit trail: the chain verified at start and every
 * AUDIT_VERIFY_EVERY_MINUTES. On a break every audited write is refused (the store stops writing,
 * so nothing more is built on a record that cannot be trusted), `/healthz` says so, and the log
 * carries an alert for the operator; a later verification that passes (after an audited
 * re-anchor, say) lets writes run again. After each one that passes, the anchor goes to the
 * witness (AUDIT_WITNESS), beside the send that follows every anchor.
 */
import type { CaseStore } from '@before-exclusion/workflows';
import { errorText, type Logger } from './log.js';

/** What `/healthz` says of the audit trail: no paths, no case or pupil — the log has the detail. */
export interface AuditHealth {
  readonly status: 'verified' | 'broken' | 'unchecked';
  readonly checkedAt?: string;
  /** The row where the break was found, when it is a row. */
  readonly row?: number;
  readonly action?: string;
  /** The witness's last send failed (writes go on; the operator should look). */
  readonly witness?: 'failing';
}

export interface AuditWatch {
  /** Verifies now; resolves once done (writes stopped or resumed accordingly). */
  check(): Promise<void>;
  health(): AuditHealth;
  /** Whether writes are stopped because the trail did not verify. */
  readonly broken: boolean;
  stop(): Promise<void>;
}

export function watchAuditTrail(store: CaseStore, log: Logger, everyMinutes: number): AuditWatch {
  let health: AuditHealth = { status: 'unchecked' };
  let running: Promise<void> | undefined;
  const check = (): Promise<void> =>
    (running ??= (async () => {
      const checkedAt = new Date().toISOString();
      try {
        const result = await store.audit.verify();
        if (result.ok) {
          if (store.audit.stoppedBecause) log.warn('audit: the trail verifies again; writes resume', { count: result.rows });
          store.audit.stopWrites(undefined);
          await store.audit.witness();
          const failing = store.audit.witnessError;
          if (failing) log.error(`audit: ${failing}`);
          health = { status: 'verified', checkedAt, ...(failing ? { witness: 'failing' as const } : {}) };
          return;
        }
        const message = result.problem?.message ?? 'unknown problem';
        if (!store.audit.stoppedBecause) log.error(`audit: ALERT the audit trail does not verify, writes are stopped: ${message}. Run "cases audit verify" and investigate; after a real loss of the anchor, "cases audit re-anchor --as STAFF --reason TEXT"`, { ...(result.problem?.caseId ? { caseId: result.problem.caseId } : {}) });
        store.audit.stopWrites(`the audit trail did not verify at ${checkedAt} (${message})`);
        health = { status: 'broken', checkedAt, ...(result.problem?.seq !== undefined ? { row: result.problem.seq } : {}), action: 'run "cases audit verify" on the server' };
      } catch (error) {
        // A database that cannot be read is /healthz's database check; the trail stays as last seen.
        log.error('audit: verification could not run', { error: errorText(error) });
      }
    })().finally(() => (running = undefined)));
  const timer = setInterval(() => void check(), everyMinutes * 60_000);
  timer.unref();
  return {
    check,
    health: () => health,
    get broken() {
      return health.status === 'broken';
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
