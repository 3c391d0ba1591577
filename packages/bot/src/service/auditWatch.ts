/**
 * The service's watch on its audit trail: the chain verified at start and every
 * AUDIT_VERIFY_EVERY_MINUTES. On a break every audited write is refused (the store stops writing,
 * so nothing more is built on a record that cannot be trusted), `/healthz` says so, the log
 * carries an alert for the operator and `alert` tells the people who rely on the record (the
 * service: the inclusion officers and administrators, in their chat) — once per break, not at
 * every check while it lasts; a later verification that passes (after an audited
 * re-anchor, say) lets writes run again. After each one that passes, the anchor goes to the
 * witness (AUDIT_WITNESS), beside the send that follows every anchor.
 */
import type { CaseStore, StaffRole } from '@before-exclusion/workflows';
import type { Channel } from '../conversation/channel.js';
import type { ChannelQueue } from './channelQueue.js';
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

/** What an alert of a break carries: when, and the row — nothing about a case or a pupil. */
export interface AuditBreak {
  readonly checkedAt: string;
  readonly row?: number;
}

export function watchAuditTrail(store: CaseStore, log: Logger, everyMinutes: number, alert: (found: AuditBreak) => Promise<void> = async () => {}): AuditWatch {
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
        const newBreak = health.status !== 'broken';
        store.audit.stopWrites(`the audit trail did not verify at ${checkedAt} (${message})`);
        const row = result.problem?.seq;
        health = { status: 'broken', checkedAt, ...(row !== undefined ? { row } : {}), action: 'run "cases audit verify" on the server' };
        // Not awaited: the channels may not be up yet (the check at start runs first), and a slow one must not hold the watch.
        if (newBreak) void alert({ checkedAt, ...(row !== undefined ? { row } : {}) }).catch((error: unknown) => log.error('audit: the alert could not be sent', { error: errorText(error) }));
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

/** Who is told of a break in their chat: those who rely on the record and those who run the service. */
const ALERTED: readonly StaffRole[] = ['inclusion-officer', 'admin'];

/**
 * The alert to staff: each inclusion officer and administrator, in every channel they can be
 * reached in, through that channel's own queue (bounded, and never holding up another channel).
 * It goes straight out, not through the outbox — the outbox is a write, and writes are stopped.
 * `channels` resolves once the service's channels are up.
 */
export function alertStaffOfBreak(store: CaseStore, channels: Promise<readonly { channel: Channel; queue: ChannelQueue }[]>, log: Logger) {
  return async (found: AuditBreak): Promise<void> => {
    const staff = [...new Set((await Promise.all(ALERTED.map((role) => store.staff.allInRole(role)))).flat())];
    const at = new Date(found.checkedAt).toLocaleString('en-GB', { timeZone: 'Europe/London', dateStyle: 'long', timeStyle: 'short' });
    const text =
      `The case store's audit trail failed its integrity check at ${at}${found.row !== undefined ? ` (at row ${found.row})` : ''}. ` +
      'Recording is paused: nothing more is saved until the trail verifies again, so decisions can still be read but not recorded. ' +
      'The service\'s operator should run "cases audit verify" on the server and investigate.';
    let told = 0;
    await Promise.all(
      (await channels).map(({ channel, queue }) =>
        queue.run(async () => {
          for (const id of staff) {
            if (!(await channel.canReach(id))) continue;
            await queue.send(() => channel.send(id, [{ type: 'message', tone: 'error', text }])).then(
              () => told++,
              (error: unknown) => log.error(`audit: the alert did not reach someone in ${channel.name}`, { channel: channel.name, error: errorText(error) }),
            );
          }
        }),
      ),
    );
    log.warn('audit: staff alerted of the break', { count: told });
  };
}
