/**
 * Opening cases from the rules: every stored pupil is evaluated on their school's calendar,
 * and each trigger opens (or updates) its case — idempotently, by the trigger's stable key, so
 * evaluating the same data twice opens nothing new.
 *
 * - `peap.required` opens a PEAP case per pupil and half-term; a further suspension in that
 *   half-term is sent to the same case (FURTHER_SUSPENSION), which reopens its review.
 * - The statutory duties of an exclusion open one suspension case for it, with the notices,
 *   sixth-day date and board review the rules found.
 * - An off-site direction's, a part-time timetable's or a safeguarding separation's triggers open
 *   one case for it (openMovementCases.ts).
 *
 * A pupil who left before the evaluation date (`leftOn`) is still evaluated — what happened while
 * they were on roll keeps its duties — but no new case is opened for them; a case opened before
 * stays, and is updated as any other.
 */
import { defaultRulePack, InputError, leftBefore, RulesEvaluator, type IsoDate, type Trigger } from '@before-exclusion/rules';
import { loadRulePackFile } from '@before-exclusion/rules/node';
import { SYSTEM } from '../access.js';
import { openMovementCasesFor } from '../movement/openMovementCases.js';
import type { CaseStore } from '../store/caseStore.js';

export interface EvaluationResult {
  /** Pupils evaluated (leavers included). */
  readonly pupils: number;
  /** Pupils not evaluated: no calendar for their school on the date. */
  readonly skipped: number;
  /** Pupils evaluated who had left before the date: cases opened before are updated, none is opened. */
  readonly leavers: number;
  readonly triggers: number;
  readonly opened: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Cases a trigger called for but not opened, because the pupil had left before the date. */
  readonly notOpened: number;
  /**
   * Pupils not evaluated because their stored record no longer passes the checks (stored before a
   * check was added, or edited behind the store's back): their school's file needs importing again.
   */
  readonly refused: number;
}

export interface EvaluationOptions {
  readonly asOf: IsoDate;
  readonly rulesFile?: string;
  /** Only these pupils (those an import changed); every stored pupil when absent. */
  readonly pupilIds?: readonly string[];
}

const NOTICE_OF: Readonly<Record<string, string>> = {
  'statutory.notify-parents': 'parents',
  'statutory.notify-local-authority': 'local-authority',
  'statutory.notify-social-worker': 'social-worker',
  'statutory.notify-virtual-school-head': 'virtual-school-head',
  'statutory.notify-governing-board': 'governing-board',
};

/**
 * Evaluates every stored pupil as of `asOf` and opens or updates their cases — on one instance at
 * a time (another instance already evaluating: this returns undefined at once).
 */
export async function evaluateStoredPupils(store: CaseStore, options: EvaluationOptions): Promise<EvaluationResult | undefined> {
  // Ten minutes covers a council's evaluation; an instance killed mid-run holds it no longer than that.
  return store.leases.runExclusive('rules-evaluation', 10 * 60_000, () => evaluate(store, options));
}

async function evaluate(store: CaseStore, options: EvaluationOptions): Promise<EvaluationResult> {
  const evaluator = new RulesEvaluator(options.rulesFile ? await loadRulePackFile(options.rulesFile) : defaultRulePack());
  const tally = { pupils: 0, skipped: 0, leavers: 0, triggers: 0, opened: 0, updated: 0, unchanged: 0, notOpened: 0, refused: 0 };
  const only = options.pupilIds ? new Set(options.pupilIds) : undefined;
  for await (const record of store.pupils.all()) {
    if (only && !only.has(record.id)) continue;
    const calendar = await store.pupils.calendarFor(record.schoolId, options.asOf);
    if (!calendar) {
      tally.skipped++;
      continue;
    }
    let triggers: Trigger[];
    try {
      triggers = await evaluator.evaluate(record, calendar, options.asOf);
    } catch (error) {
      // One pupil's nonsense stops nobody else's duties.
      if (!(error instanceof InputError)) throw error;
      tally.refused++;
      continue;
    }
    tally.pupils++;
    // On their last day on roll a pupil is still on roll: only a day after it do they count as gone.
    const left = leftBefore(record, options.asOf);
    if (left) tally.leavers++;
    tally.triggers += triggers.length;
    for (const outcome of await openCasesFor(store, triggers, { openNew: !left, remindNoticesFrom: options.asOf })) tally[outcome]++;
  }
  return tally;
}

type Outcome = 'opened' | 'updated' | 'unchanged' | 'notOpened';

/**
 * Opens or updates the cases one pupil's triggers call for.
 * @param options.openNew — false for a pupil who has left: cases opened before are updated, none is opened (`notOpened`).
 * @param options.remindNoticesFrom — an exclusion starting on or after this date is reminded of notices not sent by its
 *   first day; one that started before (imported long after, its notices sent outside the product) is not.
 * @param options.recordedBy — the head who recorded the exclusion in the product (no prompt for them: they are in the case).
 */
export async function openCasesFor(
  store: CaseStore,
  triggers: readonly Trigger[],
  options: { readonly openNew?: boolean; readonly remindNoticesFrom?: IsoDate; readonly recordedBy?: string } = {},
): Promise<Outcome[]> {
  const openNew = options.openNew ?? true;
  /** Whether to go on with the case of this key: new ones may be opened, or it was opened before. */
  const mayHave = async (openKey: string) => openNew || (await store.cases.openedWith(SYSTEM, openKey)) !== undefined;
  const outcomes: Outcome[] = [];
  for (const t of triggers.filter((x) => x.trigger === 'peap.required')) outcomes.push((await mayHave(t.key)) ? await openPeap(store, t) : 'notOpened');
  const byExclusion = new Map<string, Trigger[]>();
  for (const t of triggers) {
    // A cancelled exclusion's notices are its own case's (CANCEL), never a new case with no duties.
    if (!t.trigger.startsWith('statutory.') || t.trigger.startsWith('statutory.annual-limit') || t.trigger === 'statutory.notify-cancellation') continue;
    const id = t.period; // exclusion-scope triggers are about one exclusion
    byExclusion.set(id, [...(byExclusion.get(id) ?? []), t]);
  }
  for (const [exclusionId, duties] of byExclusion) {
    outcomes.push((await mayHave(suspensionKey(duties[0]!.pupilId, exclusionId))) ? await openSuspension(store, exclusionId, duties, options) : 'notOpened');
  }
  outcomes.push(...(await openMovementCasesFor(store, triggers, { openNew })));
  return outcomes;
}

/** The key a suspension case is opened with: one case per exclusion. */
export function suspensionKey(pupilId: string, exclusionId: string): string {
  return `${pupilId}/suspension/${exclusionId}`;
}

async function openPeap(store: CaseStore, t: Trigger): Promise<Outcome> {
  const { case: view, created } = await store.cases.open(SYSTEM, {
    kind: 'peap',
    schoolId: t.schoolId,
    pupilId: t.pupilId,
    openKey: t.key,
    rule: { id: t.ruleId, version: t.ruleVersion },
    input: {
      pupilId: t.pupilId,
      schoolId: t.schoolId,
      openedBy: 'trigger',
      trigger: { key: t.key, ruleId: t.ruleId, ruleVersion: t.ruleVersion, explanation: t.explanation },
      halfTerm: t.period,
      exclusionIds: [...(t.exclusionIds ?? [])],
    },
  });
  if (created) return 'opened';
  if (view.kind !== 'peap') return 'unchanged';
  const known = new Set(view.context.exclusionIds);
  const further = (t.exclusionIds ?? []).filter((id) => !known.has(id));
  // Against the revision read: an evaluation overlapping another never reopens a case twice for one exclusion.
  if (further.length) await store.cases.send(SYSTEM, view, further.map((exclusionId) => ({ type: 'FURTHER_SUSPENSION' as const, exclusionId })), { expectedRevision: view.revision });
  return further.length ? 'updated' : 'unchanged';
}

async function openSuspension(store: CaseStore, exclusionId: string, duties: readonly Trigger[], options: { readonly remindNoticesFrom?: IsoDate; readonly recordedBy?: string }): Promise<Outcome> {
  const { remindNoticesFrom, recordedBy } = options;
  const first = duties[0]!;
  const pupil = await store.pupils.record(SYSTEM, first.pupilId).catch(() => undefined);
  const exclusion = pupil?.exclusions.find((e) => e.id === exclusionId);
  if (!exclusion) return 'unchanged';
  const provision = duties.find((d) => d.trigger === 'statutory.alternative-provision-from-day-6');
  const mustReview = duties.find((d) => d.trigger === 'statutory.governors-must-review');
  const onRequest = duties.find((d) => d.trigger === 'statutory.governors-review-on-request');
  const review = mustReview ?? onRequest;
  const { created } = await store.cases.open(SYSTEM, {
    kind: 'suspension',
    schoolId: first.schoolId,
    pupilId: first.pupilId,
    openKey: suspensionKey(first.pupilId, exclusionId),
    rule: { id: first.ruleId, version: first.ruleVersion },
    input: {
      pupilId: first.pupilId,
      schoolId: first.schoolId,
      exclusion: {
        id: exclusion.id,
        category: exclusion.category,
        startDate: exclusion.startDate,
        ...(exclusion.sessions !== undefined ? { sessions: exclusion.sessions } : {}),
        ...(exclusion.lunchtimes !== undefined ? { lunchtimes: exclusion.lunchtimes } : {}),
      },
      notices: duties.map((d) => NOTICE_OF[d.trigger]).filter((n): n is string => n !== undefined),
      ...(provision?.dueDate ? { provisionFrom: provision.dueDate } : {}),
      ...(remindNoticesFrom !== undefined && exclusion.startDate >= remindNoticesFrom ? { noticesDue: exclusion.startDate } : {}),
      ...(recordedBy ? { recordedBy } : {}),
      ...(review?.dueDate ? { boardReview: { kind: mustReview ? 'must' : 'on-request', dueDate: review.dueDate } } : {}),
    },
  });
  return created ? 'opened' : 'unchanged';
}
