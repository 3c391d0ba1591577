/**
 * A managed move recorded on the pupil: a permanent transfer to another school agreed as an
 * alternative to exclusion — with no trial period (2026 suspension and permanent exclusion
 * guidance, "including pupil movement"), so nothing here records one. It joins the pupil's record
 * (`managedMoves`, which the figures count and the rules check), and when it ends an off-site
 * direction, that direction's case closes as a managed move and the record's direction ends too:
 * one act, so the case and the record never disagree.
 */
import { InputError, isIsoDate, managedMoveSchema, type IsoDate, type ManagedMove, type PupilRecord } from '@before-exclusion/rules';
import { AccessDenied, type Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { EventRefused } from '../errors.js';
import { DECIDING, doneDateRefusal } from '../machines/caseDefinition.js';
import type { CaseStore } from '../store/caseStore.js';

export interface ManagedMoveDecision {
  readonly agreedOn: IsoDate;
  /** The receiving school's name or id, as the school names it. */
  readonly receivingSchool: string;
  /** The day the pupil comes off this school's roll, when known. */
  readonly offRollOn?: IsoDate;
  /** The off-site direction case it ends (the direction that came first, pupil dual-registered meanwhile). */
  readonly directionCaseId?: string;
}

/**
 * Records a managed move on the pupil's record, ending the off-site direction case it follows.
 * @throws InputError naming each field that is not valid; EventRefused when the direction's case
 *   cannot end as a managed move (another pupil's, not a direction, already ended); AccessDenied
 *   for someone who does not decide exclusions and moves.
 */
export async function recordManagedMove(store: CaseStore, actor: Actor, pupilId: string, decision: ManagedMoveDecision): Promise<{ readonly move: ManagedMove; readonly case: CaseView | undefined }> {
  if (actor.role !== 'system' && !DECIDING.includes(actor.role)) throw new AccessDenied('only the headteacher, or a deputy acting for them, records a managed move');
  // A person's word that the move was agreed, so on the day or after (as the case store refuses any
  // done-date still to come); the day off roll may be planned.
  const notYet = actor.role !== 'system' && isIsoDate(decision.agreedOn) ? doneDateRefusal(decision.agreedOn, store.today()) : undefined;
  if (notYet) throw new InputError('the managed move is not valid', [{ location: 'managed move', field: 'agreedOn', message: notYet }]);
  const record = await store.pupils.record(actor, pupilId);
  const parsed = managedMoveSchema.safeParse({
    id: nextMoveId(record, decision.agreedOn),
    agreedOn: decision.agreedOn,
    receivingSchool: decision.receivingSchool,
    ...(decision.offRollOn ? { offRollOn: decision.offRollOn } : {}),
  });
  if (!parsed.success) throw new InputError('the managed move is not valid', parsed.error.issues.map((i) => ({ location: 'managed move', field: i.path.join('.'), message: i.message })));
  const move = parsed.data;

  let ended: CaseView | undefined;
  let directionId: string | undefined;
  if (decision.directionCaseId) {
    const view = await store.cases.get(actor, decision.directionCaseId);
    if (view.kind !== 'off-site-direction') throw new EventRefused(`case ${view.id} is a ${view.kind} case, not an off-site direction`);
    if (view.pupilId !== pupilId) throw new EventRefused(`case ${view.id} is about another pupil`);
    // The case first: a refusal leaves the record as it was.
    ended = await store.cases.send(actor, view, {
      type: 'END_DIRECTION',
      outcome: 'managed-move',
      on: move.agreedOn,
      receivingSchool: move.receivingSchool,
      ...(move.offRollOn ? { offRollOn: move.offRollOn } : {}),
    });
    directionId = view.context.directionId;
  }
  await store.pupils.amend(
    actor,
    pupilId,
    { action: 'managed-move-recorded', data: { moveId: move.id, agreedOn: move.agreedOn, ...(move.offRollOn ? { offRollOn: move.offRollOn } : {}), ...(ended ? { caseId: ended.id } : {}) } },
    (r) => ({
      ...r,
      managedMoves: [...(r.managedMoves ?? []), move],
      ...(directionId && r.offSiteDirections ? { offSiteDirections: r.offSiteDirections.map((d) => (d.id === directionId && d.endedOn === undefined ? { ...d, endedOn: move.agreedOn } : d)) } : {}),
    }),
  );
  return { move, case: ended };
}

/** The next free id for a move agreed on `date`: "MM-2026-11-20", then "MM-2026-11-20-2"… */
function nextMoveId(record: PupilRecord, date: string): string {
  const taken = new Set((record.managedMoves ?? []).map((m) => m.id));
  for (let n = 1; ; n++) {
    const id = n === 1 ? `MM-${date}` : `MM-${date}-${n}`;
    if (!taken.has(id)) return id;
  }
}
