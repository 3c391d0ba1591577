/**
 * One school's pull from its MIS, start to finish: the cursor saved with the last committed pull,
 * the adapter's pull (read-only), the records checked on the school's calendar, then one commit
 * of the records that changed with the next cursor — all of it or nothing — and, when anything
 * changed, the rules run so that a new suspension opens its case (and its prompt to the head) in
 * this same pull. A pull that fails anywhere leaves the store and the cursor as they were.
 */
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { checkRecordOnCalendar, type IsoDate, type Problem } from '@before-exclusion/rules';
import { SYSTEM } from '../access.js';
import { evaluateStoredPupils, type EvaluationOptions, type EvaluationResult } from '../cases/openCases.js';
import type { CaseStore } from '../store/caseStore.js';
import { MisRefused, type MisAdapter } from './misAdapter.js';

export interface SchoolPullResult {
  readonly schoolId: string;
  readonly system: string;
  /** Pupils the MIS gave. */
  readonly pupils: number;
  /** Of those, records that changed in the store. */
  readonly changed: number;
  readonly requests: number;
  /** The rules' run after a pull that changed something; undefined when nothing changed (or another instance was evaluating). */
  readonly evaluation: EvaluationResult | undefined;
  /** Why the rules' run after the committed pull failed (the records are in; run the rules again). */
  readonly evaluationFailed?: string;
}

/**
 * Pulls one school and commits it.
 * @example await pullSchool(store, new AssemblyAdapter({ baseUrl, token, pupilIdKey }), { schoolId: 'URN-100001', today: '2026-03-20' })
 * @param options.today the school date: marks up to it, and the date the rules evaluate on
 * @param options.evaluateAnyway run the rules even when nothing changed (the last run after a pull failed)
 * @throws MisRefused (nothing committed) for data the product cannot take, or a school with no calendar yet
 * @throws MisUnavailable (nothing committed) when the MIS cannot be reached within the adapter's bounds
 */
export async function pullSchool(store: CaseStore, adapter: MisAdapter, options: { readonly schoolId: string; readonly today: IsoDate; readonly signal?: AbortSignal; readonly rulesFile?: string; readonly evaluateAnyway?: boolean }): Promise<SchoolPullResult> {
  const { schoolId, today } = options;
  const calendar = await store.pupils.calendarFor(schoolId, today);
  if (!calendar) {
    throw new MisRefused(`school ${schoolId} has no calendar in the store for ${today}; nothing was pulled`, [
      { location: `school ${schoolId}`, message: 'import the school\'s calendar first (cases import --pupils FILE --calendar FILE, or the CSV import): dates are counted on it' },
    ]);
  }
  const stored = new Map((await store.pupils.inSchools([schoolId])).map((r) => [r.id, r]));
  const cursor = await store.pupils.misCursor(schoolId, adapter.system);
  const pull = await adapter.pull({ schoolId, cursor, yearStart: calendar.firstDay, today, stored, ...(options.signal ? { signal: options.signal } : {}) });
  const problems: Problem[] = [];
  for (const [i, r] of pull.records.entries()) {
    if (i % 100 === 99) await setImmediate(); // a large school: let the service's other work in between
    for (const p of checkRecordOnCalendar(r, calendar)) problems.push({ file: `${adapter.system} pull`, location: `pupil ${r.id}`, ...p });
  }
  if (problems.length > 0) throw new MisRefused(`${adapter.system}'s data for school ${schoolId} does not fit its ${calendar.academicYear} calendar; nothing was imported`, problems);
  const { changed, changedIds, pupils } = await store.pupils.importPull(SYSTEM, { schoolId, system: adapter.system, records: pull.records, cursor: pull.cursor });
  if (changed === 0 && !options.evaluateAnyway) return { schoolId, system: adapter.system, pupils, changed, requests: pull.requests, evaluation: undefined };
  // The pull is committed whatever the rules do next: a failure here is the rules', said as such, and the next run opens the cases.
  try {
    // The pupils this pull changed (all the school's, when the rules owe it a run): not every school's, every pull.
    const pupilIds = options.evaluateAnyway ? pull.records.map((r) => r.id) : changedIds;
    const evaluation = await evaluateAfterPull(store, { asOf: today, pupilIds, ...(options.rulesFile ? { rulesFile: options.rulesFile } : {}) }, options.signal);
    return { schoolId, system: adapter.system, pupils, changed, requests: pull.requests, evaluation };
  } catch (error) {
    return { schoolId, system: adapter.system, pupils, changed, requests: pull.requests, evaluation: undefined, evaluationFailed: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** How long a pull waits for another run of the rules to end before leaving its data to the next scheduled run. */
const EVALUATION_WAIT_MS = 60_000;

/**
 * Runs the rules over the stored pupils. A run already going (another instance's, or the
 * service's hourly one) may have read the pupils before this pull committed, so this waits for it
 * to end and runs them again: the new suspension opens its case in this pull, not an hour later.
 */
async function evaluateAfterPull(store: CaseStore, options: EvaluationOptions, signal: AbortSignal | undefined): Promise<EvaluationResult | undefined> {
  for (const until = Date.now() + EVALUATION_WAIT_MS; ; ) {
    const result = await evaluateStoredPupils(store, options);
    // Stopping (the service closing) leaves the rules to the next run rather than waiting on.
    if (result || Date.now() > until || signal?.aborted) return result;
    await sleep(500);
  }
}
