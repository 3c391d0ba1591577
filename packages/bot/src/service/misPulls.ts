/**
 * The service's pulls from schools' MIS (MIS_SCHOOLS_FILE), every MIS_PULL_EVERY_MINUTES: each
 * school in turn, in a lane of its own — a pull that hangs or keeps failing holds up only the
 * next school's pull, never a deadline, the outbox or a chat. Every request inside a pull has its
 * timeout and a whole pull has a bound; a school whose MIS keeps failing is skipped for a while
 * by its own circuit breaker (see circuitBreaker.ts), so a dead connection costs a few timeouts,
 * not one per interval. A pull that changed something runs the rules (cases open) and then
 * `onChanged` sends their prompts at once. Logs carry the school's id, counts and timings: never
 * a token, a pupil or a record.
 */
import { DEMO_PUPIL_ID_KEY, loadMisConnections, MisRefused, misAdapterFor, pullSchool, pupilIdKey, type MisConnection, type PupilIdKey } from '@before-exclusion/workflows';
import type { CaseStore } from '@before-exclusion/workflows';
import { formatProblem, InputError } from '@before-exclusion/rules';
import { CircuitBreaker, type BreakerHealth } from './circuitBreaker.js';
import { errorText, type Logger } from './log.js';

/** The longest one school's pull may take, all its pages and retries together. */
const PULL_BOUND_MS = 10 * 60_000;

export interface MisPullsOptions {
  readonly file: string;
  readonly everyMinutes: number;
  readonly pupilIdKey: PupilIdKey;
  /** Today on the school calendar (the service's `today`). */
  readonly today: () => string;
  readonly rulesFile?: string | undefined;
  /** After a pull that changed records: send what the rules queued (the service's tick). */
  readonly onChanged: () => Promise<void>;
}

export interface MisPulls {
  /** Pulls every school now, one after another; resolves when the round is done. */
  pullAll(): Promise<void>;
  health(): { readonly schools: number; readonly failing: readonly (BreakerHealth & { readonly schoolId: string })[] };
  stop(): Promise<void>;
}

/** Starts the schedule (the first round at once, in the background). */
export function scheduleMisPulls(store: CaseStore, log: Logger, options: MisPullsOptions): MisPulls {
  let connections: MisConnection[];
  try {
    connections = loadMisConnections(options.file);
  } catch (error) {
    // Each problem names the file, the school and the field (never a token's value).
    if (error instanceof InputError) for (const p of error.problems) log.error(`mis: ${formatProblem(p)}`.slice(0, 300), { channel: 'mis' });
    throw error;
  }
  const breakers = new Map(connections.map((c) => [c.schoolId, new CircuitBreaker({ failuresToOpen: 2, firstBackoffMs: options.everyMinutes * 60_000, longestBackoffMs: 24 * 60 * 60_000 })]));
  const stopping = new AbortController();
  /** Schools whose last committed pull the rules did not run over. */
  const rulesOwed = new Set<string>();
  let round: Promise<void> = Promise.resolve();
  log.info(`mis: pulling ${connections.length} school(s) every ${options.everyMinutes} minute(s)`, { count: connections.length });

  const pullOne = async (connection: MisConnection) => {
    const breaker = breakers.get(connection.schoolId)!;
    if (!breaker.allows()) return;
    const started = Date.now();
    try {
      const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(PULL_BOUND_MS)]);
      const evaluateAnyway = rulesOwed.has(connection.schoolId);
      // One instance pulls a school at a time (several share a PostgreSQL store); the others skip this round.
      const result = await store.leases.runExclusive(`mis-pull:${connection.schoolId}`, PULL_BOUND_MS + 60_000, () =>
        pullSchool(store, misAdapterFor(connection, options.pupilIdKey), { schoolId: connection.schoolId, today: options.today(), signal, evaluateAnyway, ...(options.rulesFile ? { rulesFile: options.rulesFile } : {}) }),
      );
      if (!result) return log.debug(`mis: school ${connection.schoolId} is being pulled by another instance`, { channel: 'mis' });
      breaker.succeeded();
      log.info(`mis: pulled school ${connection.schoolId}`, { channel: 'mis', count: result.pupils, nChanged: result.changed, nRequests: result.requests, nOpened: result.evaluation?.opened ?? 0, ms: Date.now() - started });
      // The records are in, but the rules did not run over them: the next pull runs them again.
      if (result.evaluationFailed) {
        rulesOwed.add(connection.schoolId);
        log.error(`mis: school ${connection.schoolId} pulled and saved, but the rules failed to run over it; they run again at the next pull`, { channel: 'mis', error: result.evaluationFailed.split('\n')[0]!.slice(0, 200) });
      } else if (result.evaluation) rulesOwed.delete(connection.schoolId);
      if (result.changed > 0 || evaluateAnyway) await options.onChanged();
    } catch (error) {
      if (stopping.signal.aborted) return;
      breaker.failed();
      // A refused pull lists its problems (endpoint, record id, field): ids and codes, never a name.
      const problems = error instanceof MisRefused ? error.problems.length : undefined;
      log.error(`mis: pull of school ${connection.schoolId} failed; nothing imported`, { channel: 'mis', error: errorText(error), ms: Date.now() - started, ...(problems !== undefined ? { nProblems: problems } : {}) });
      if (error instanceof MisRefused) for (const p of error.problems.slice(0, 20)) log.warn(`mis: ${p.file ?? ''} ${p.location ?? ''} ${p.field ?? ''}: ${p.message}`.slice(0, 300), { channel: 'mis' });
    }
  };
  const pullAll = () =>
    (round = round.then(async () => {
      for (const c of connections) {
        if (stopping.signal.aborted) return;
        await pullOne(c);
      }
    }));
  void pullAll();
  const timer = setInterval(() => void pullAll(), options.everyMinutes * 60_000);
  timer.unref();
  return {
    pullAll,
    health: () => ({
      schools: connections.length,
      failing: [...breakers].flatMap(([schoolId, b]) => {
        const h = b.health();
        return h.failures > 0 ? [{ schoolId, ...h }] : [];
      }),
    }),
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await round;
    },
  };
}

/**
 * The key pupil ids are derived with: PUPIL_ID_KEY, or outside production without it the public
 * demo key (said in the log: such ids protect nothing). Production without it is refused by config.ts.
 */
export function misPupilIdKey(config: { readonly PUPIL_ID_KEY?: string | undefined }, log: Logger): PupilIdKey {
  if (config.PUPIL_ID_KEY) return pupilIdKey(config.PUPIL_ID_KEY, 'PUPIL_ID_KEY');
  log.warn('mis: PUPIL_ID_KEY is not set; pupil ids are derived with the public demo key (for a trial only: set PUPIL_ID_KEY before real pupils are pulled)', { channel: 'mis' });
  return DEMO_PUPIL_ID_KEY;
}
