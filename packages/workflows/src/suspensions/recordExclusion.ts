/**
 * A head recording the exclusion they decided on — a suspension, a lunchtime suspension or a
 * permanent exclusion — and cancelling one. The exclusion joins the pupil's record, the rules
 * re-run for that pupil at once, and the suspension case opens with the duties and dates they
 * found: the same path as an imported exclusion, so a case never depends on the channel.
 *
 * The product informs, the head decides: a suspension past the annual limit is refused (that is
 * the law), but a permanent exclusion without a completed PEAP is recorded once the head has seen
 * what the PEAP gate lacks and confirmed — and the confirmation is in the audit trail.
 */
import { assessProposedSuspension, exclusionSchema, InputError, RulesEvaluator, type Exclusion, type IsoDate, type PupilRecord } from '@before-exclusion/rules';
import { AccessDenied, SYSTEM, type Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { EventRefused } from '../errors.js';
import { DECIDING } from '../machines/caseDefinition.js';
import { peapGateMissing } from '../machines/peapCase.js';
import { openCasesFor, suspensionKey } from '../cases/openCases.js';
import type { CaseStore } from '../store/caseStore.js';

/** What the head chose on the form; the id is given by the product. */
export interface ExclusionDecision {
  readonly category: 'FIXD' | 'LNCH' | 'PERM';
  readonly startDate: IsoDate;
  readonly startSession?: 'AM' | 'PM';
  /** Registration sessions (two a school day), for a suspension; none for a permanent exclusion. */
  readonly sessions?: number;
  readonly lunchtimes?: number;
  /** One to three CBDS reason codes, equally weighted. */
  readonly reasons: readonly string[];
  readonly missesPublicExam?: boolean;
}

export type RecordedExclusion =
  | { readonly recorded: true; readonly exclusion: Exclusion; readonly case: CaseView<'suspension'> | undefined; readonly peap: CaseView<'peap'> | undefined }
  /** A permanent exclusion without a completed PEAP: what its gate lacks, for the head to confirm. */
  | { readonly recorded: false; readonly peapLacks: readonly string[] };

export interface RecordOptions {
  /** The school date (England) it is recorded on. */
  readonly today: IsoDate;
  readonly evaluator?: RulesEvaluator;
  /** The head has seen what the PEAP gate lacks and records the permanent exclusion anyway. */
  readonly confirmWithoutPeap?: boolean;
}

/**
 * Records an exclusion the head decided on, re-runs the rules for the pupil and opens its case.
 * @throws InputError naming each field that is not valid; EventRefused when the law refuses it
 *   (past the annual limit); AccessDenied for someone who does not decide exclusions.
 */
export async function recordExclusion(store: CaseStore, actor: Actor, pupilId: string, decision: ExclusionDecision, options: RecordOptions): Promise<RecordedExclusion> {
  assertDecides(actor);
  const record = await store.pupils.record(actor, pupilId);
  const id = nextExclusionId(record, decision.startDate);
  const parsed = exclusionSchema.safeParse({ id, ...decision, reasons: [...decision.reasons] });
  if (!parsed.success) throw new InputError('the exclusion is not valid', parsed.error.issues.map((i) => ({ location: 'exclusion', field: i.path.join('.'), message: i.message })));
  const exclusion = parsed.data;
  const calendar = await store.pupils.calendarFor(record.schoolId, exclusion.startDate);
  if (!calendar?.covers(exclusion.startDate)) throw new EventRefused(`school ${record.schoolId} has no calendar covering ${exclusion.startDate}; import its calendar first`);
  const evaluator = options.evaluator ?? new RulesEvaluator();

  let lacks: string[] = [];
  if (exclusion.category === 'PERM') {
    lacks = await peapLacks(store, actor, record);
    if (lacks.length && !options.confirmWithoutPeap) return { recorded: false, peapLacks: lacks };
  } else {
    const proposal = {
      category: exclusion.category,
      startDate: exclusion.startDate,
      startSession: exclusion.startSession,
      reasons: exclusion.reasons,
      missesPublicExam: exclusion.missesPublicExam,
      ...(exclusion.sessions !== undefined ? { sessions: exclusion.sessions } : {}),
      ...(exclusion.lunchtimes !== undefined ? { lunchtimes: exclusion.lunchtimes } : {}),
    };
    const assessment = await assessProposedSuspension(record, proposal, calendar, { evaluator });
    if (!assessment.allowed) throw new EventRefused(assessment.refusal ?? 'the suspension would break the annual limit');
  }

  const amended = await store.pupils.amend(
    actor,
    pupilId,
    {
      action: 'exclusion-recorded',
      data: {
        exclusionId: exclusion.id,
        category: exclusion.category,
        startDate: exclusion.startDate,
        startSession: exclusion.startSession,
        ...(exclusion.sessions !== undefined ? { sessions: exclusion.sessions } : {}),
        ...(exclusion.lunchtimes !== undefined ? { lunchtimes: exclusion.lunchtimes } : {}),
        reasons: exclusion.reasons,
        missesPublicExam: exclusion.missesPublicExam,
        ...(lacks.length ? { confirmedWithoutCompletedPeap: lacks } : {}),
      },
    },
    (r) => ({ ...r, exclusions: [...r.exclusions, exclusion] }),
  );

  // The rules as of the first day (an exclusion starting later is not yet a fact today), for this exclusion only.
  const asOf = options.today > exclusion.startDate ? options.today : exclusion.startDate;
  const triggers = (await evaluator.evaluate(amended, calendar, asOf)).filter((t) => t.period === exclusion.id || t.exclusionIds?.includes(exclusion.id));
  // Recorded as it happens: the notices are reminded of on the first day if not yet sent.
  await openCasesFor(store, triggers, { remindNoticesFrom: exclusion.startDate, recordedBy: actor.id });
  const opened = await store.cases.openedWith(actor, suspensionKey(pupilId, exclusion.id));
  const peap = (await store.cases.list(actor, { schoolId: record.schoolId, pupilId, status: 'active' })).find((c): c is CaseView<'peap'> => c.kind === 'peap');
  return { recorded: true, exclusion, case: opened?.kind === 'suspension' ? (opened as CaseView<'suspension'>) : undefined, peap };
}

/**
 * Cancels an exclusion before the board has reviewed it: the case's CANCEL (which sets the
 * cancellation notices to everyone told running, due that day) and the record's `cancelled`, so the rules stop counting it.
 * @throws EventRefused once the board has reviewed it.
 */
export async function cancelExclusion(store: CaseStore, actor: Actor, caseId: string, reason: string, options: { today: IsoDate; expectedRevision?: number }): Promise<CaseView<'suspension'>> {
  const view = await store.cases.get(actor, caseId);
  if (view.kind !== 'suspension') throw new EventRefused(`case ${caseId} is a ${view.kind} case, not an exclusion`);
  const cancelled = await store.cases.send(actor, { id: view.id, kind: 'suspension' }, { type: 'CANCEL', reason, cancelledOn: options.today }, options.expectedRevision !== undefined ? { expectedRevision: options.expectedRevision } : {});
  const exclusionId = view.context.exclusion.id;
  await store.pupils.amend(SYSTEM, view.pupilId, { action: 'exclusion-cancelled', data: { exclusionId, caseId, by: actor.id } }, (r) => ({
    ...r,
    exclusions: r.exclusions.map((e) => (e.id === exclusionId ? { ...e, cancelled: true } : e)),
  }));
  return cancelled;
}

/** Recording or cancelling an exclusion is the head's decision (or a deputy's acting for them). */
function assertDecides(actor: Actor): void {
  if (actor.role !== 'system' && !DECIDING.includes(actor.role)) throw new AccessDenied('only the headteacher, or a deputy acting for them, records an exclusion');
}

/** What stands between this pupil and a completed PEAP, in words; empty when the latest PEAP decided a permanent exclusion. */
async function peapLacks(store: CaseStore, actor: Actor, record: PupilRecord): Promise<string[]> {
  const peaps = (await store.cases.list(actor, { schoolId: record.schoolId, pupilId: record.id })).filter((c): c is CaseView<'peap'> => c.kind === 'peap');
  const latest = peaps.sort((a, b) => a.openedAt.localeCompare(b.openedAt)).at(-1);
  if (!latest) return ['a pre-exclusion assessment (PEAP) for this pupil — none has been started'];
  if (latest.context.decision?.decision === 'permanent-exclusion') return [];
  return [...peapGateMissing(latest.context), `the PEAP's decision (case ${latest.id}) — ${latest.context.decision ? 'it decided otherwise' : 'not yet made'}`];
}

/** The next free id for an exclusion starting on `date`: "2026-03-23", then "2026-03-23-2"… */
function nextExclusionId(record: PupilRecord, date: IsoDate): string {
  const taken = new Set(record.exclusions.map((e) => e.id));
  for (let n = 1; ; n++) {
    const id = n === 1 ? date : `${date}-${n}`;
    if (!taken.has(id)) return id;
  }
}
