/**
 * Opening pupil-movement cases from the rules (issue 12): a trigger about an off-site direction, a
 * part-time timetable or a safeguarding separation opens one case for it — keyed by the pupil, the
 * kind and the movement's id on the record, so evaluating again opens nothing new. The case starts
 * from what the record already says: a notice given, the council told, the LA told, a separation
 * ended are recorded on it at once (by the system, audited), so it asks only for what is missing.
 *
 * Which trigger opens which kind: every rule whose id starts `off-site-direction.`,
 * `part-time-timetable.` or `safeguarding-separation.` (its trigger's `period` is the movement's
 * id). A managed move opens no case of its own: it is the end of an off-site direction's case, or
 * a fact on the record that the figures count.
 */
import type { IsoDate, OffSiteDirection, PartTimeTimetable, PupilRecord, SafeguardingSeparation, Trigger } from '@before-exclusion/rules';
import { SYSTEM, type Actor } from '../access.js';
import type { CaseEvent, CaseView, OpenCase } from '../cases/caseService.js';
import type { CaseKind } from '../machines/caseDefinition.js';
import { offSiteFirstReviewDefault, offSiteNoticeBy, partTimeFirstReviewDefault } from '../suspensions/statutoryDates.js';
import type { CaseStore } from '../store/caseStore.js';
import { onRecord } from './movementOnRecord.js';

export type MovementKind = Extract<CaseKind, 'off-site-direction' | 'part-time-timetable' | 'safeguarding-separation'>;
const MOVEMENT_KINDS: readonly MovementKind[] = ['off-site-direction', 'part-time-timetable', 'safeguarding-separation'];

/** Whether a case of `kind` is about a movement on the pupil's record. */
export function isMovementKind(kind: CaseKind): kind is MovementKind {
  return (MOVEMENT_KINDS as readonly CaseKind[]).includes(kind);
}

/** The kind of case a trigger opens, by its rule's id, if any. */
export function movementKindOf(trigger: Pick<Trigger, 'ruleId'>): MovementKind | undefined {
  return MOVEMENT_KINDS.find((kind) => trigger.ruleId.startsWith(`${kind}.`));
}

/** The key a movement case is opened with: one case per direction, timetable or separation. */
export function movementKey(pupilId: string, kind: MovementKind, movementId: string): string {
  return `${pupilId}/${kind}/${movementId}`;
}

type Outcome = 'opened' | 'unchanged' | 'notOpened';

/**
 * Opens the movement cases one pupil's triggers call for.
 * @param options.openNew — false for a pupil who has left: none is opened (`notOpened`).
 */
export async function openMovementCasesFor(store: CaseStore, triggers: readonly Trigger[], options: { readonly openNew: boolean }): Promise<Outcome[]> {
  const groups = new Map<string, { kind: MovementKind; triggers: Trigger[] }>();
  for (const t of triggers) {
    const kind = movementKindOf(t);
    if (!kind) continue;
    const key = movementKey(t.pupilId, kind, t.period);
    groups.set(key, { kind, triggers: [...(groups.get(key)?.triggers ?? []), t] });
  }
  const outcomes: Outcome[] = [];
  for (const [key, { kind, triggers: found }] of groups) {
    if (!options.openNew && (await store.cases.openedWith(SYSTEM, key)) === undefined) {
      outcomes.push('notOpened');
      continue;
    }
    outcomes.push(await openOne(store, kind, found));
  }
  return outcomes;
}

async function openOne(store: CaseStore, kind: MovementKind, triggers: readonly Trigger[]): Promise<Outcome> {
  const first = triggers[0]!;
  const record = await store.pupils.record(SYSTEM, first.pupilId).catch(() => undefined);
  if (!record) return 'unchanged';
  const due = (suffix: string) => triggers.find((t) => t.ruleId === `${kind}.${suffix}`)?.dueDate;
  const opened = await openFromRecord(store, SYSTEM, kind, record, first.period, { rule: { id: first.ruleId, version: first.ruleVersion }, due });
  return opened?.created ? 'opened' : 'unchanged';
}

/**
 * Opens the case for the movement `movementId` on the pupil's record — or returns the one already
 * opened for it, whoever opened it (the rules or a person): one case per movement. A new case starts
 * from what the record says happened (recorded by the system, as the school's record speaks for it).
 * @param options.rule — the rule whose trigger opens it; none when a person opens it.
 * @param options.due — a trigger's due date for a duty, by the rule id's suffix, when the rules found one.
 * @returns undefined when the record holds no such movement.
 */
export async function openFromRecord(
  store: CaseStore,
  actor: Actor,
  kind: MovementKind,
  record: PupilRecord,
  movementId: string,
  options: { readonly rule?: OpenCase['rule']; readonly due?: (suffix: string) => string | undefined } = {},
): Promise<{ case: CaseView; created: boolean } | undefined> {
  const opening = await openingFor(store, kind, record, movementId, options.due ?? (() => undefined));
  if (!opening) return undefined;
  const openKey = movementKey(record.id, kind, movementId);
  const existing = (await store.cases.openedWith(actor, openKey)) ?? (await openedUnkeyed(store, actor, kind, record, movementId));
  if (existing) return { case: existing, created: false };
  const request: OpenCase = { kind, schoolId: record.schoolId, pupilId: record.id, openKey, ...(options.rule ? { rule: options.rule } : {}), input: { pupilId: record.id, schoolId: record.schoolId, ...opening.input } };
  const opened = await store.cases.open(actor, request);
  if (!opened.created || opening.already.length === 0) return opened;
  // What the record already says happened, so the case asks only for what is missing.
  return { case: await store.cases.sendUnchecked(SYSTEM, opened.case.id, opening.already, { expectedRevision: opened.case.revision }), created: true };
}

/**
 * A case for the movement opened by hand before hand-opened cases were keyed (a store from before
 * this release): it names the movement in its context, and stays the movement's one case.
 */
async function openedUnkeyed(store: CaseStore, actor: Actor, kind: MovementKind, record: PupilRecord, movementId: string): Promise<CaseView | undefined> {
  const cases = (await store.cases.list(actor, { schoolId: record.schoolId, pupilId: record.id })).filter((c) => c.kind === kind);
  // A case opened by hand whose movement the school's own record replaced (an import or a pull gives
  // it the school system's id): the same placement — same first day — keeps its one case.
  const held = onRecord(kind, record);
  const ids = new Set(held.map((m) => m.id));
  const startDate = held.find((m) => m.id === movementId)?.startDate;
  const replaced = (c: CaseView) => c.status === 'active' && movementOf(c) !== undefined && !ids.has(movementOf(c)!) && startOf(c) === startDate;
  const found = cases.find((c) => movementOf(c) === movementId) ?? cases.find(replaced);
  // A person's read of the case is audited (the list records only that a list was read).
  return found && actor.role !== 'system' ? store.cases.get(actor, found.id) : found;
}

/** The first day of the movement a case is about. */
function startOf(view: CaseView): string | undefined {
  switch (view.kind) {
    case 'off-site-direction':
    case 'part-time-timetable':
    case 'safeguarding-separation':
      return view.context.startDate;
    default:
      return undefined;
  }
}

/** The id of the movement on the record a case is about, if it names one. */
function movementOf(view: CaseView): string | undefined {
  switch (view.kind) {
    case 'off-site-direction':
      return view.context.directionId;
    case 'part-time-timetable':
      return view.context.timetableId;
    case 'safeguarding-separation':
      return view.context.separationId;
    default:
      return undefined;
  }
}

interface Opening {
  readonly input: Record<string, unknown>;
  readonly already: CaseEvent[];
}

async function openingFor(store: CaseStore, kind: MovementKind, record: PupilRecord, id: string, due: (suffix: string) => string | undefined): Promise<Opening | undefined> {
  const calendarOn = (date: IsoDate) => store.pupils.calendarFor(record.schoolId, date);
  switch (kind) {
    case 'off-site-direction': {
      const d: OffSiteDirection | undefined = record.offSiteDirections?.find((x) => x.id === id);
      if (!d) return undefined;
      const calendar = await calendarOn(d.startDate);
      const noticeBy = due('notice-to-parents') ?? (calendar ? offSiteNoticeBy(calendar, d.startDate) : d.startDate);
      const reviewAfter = (from: IsoDate) => (calendar ? offSiteFirstReviewDefault(calendar, from, d.plannedEndDate) : from);
      const lastReview = d.reviews.map((r) => r.heldOn).sort().at(-1);
      return {
        input: {
          directionId: d.id,
          startDate: d.startDate,
          ...(d.plannedEndDate ? { plannedEnd: d.plannedEndDate } : {}),
          provider: d.provider,
          noticeBy,
          firstReviewDue: due('review-due') ?? reviewAfter(d.startDate),
          ehcp: record.send === 'E',
          precedesManagedMove: d.precedesManagedMove,
        },
        already: [
          ...(d.noticeGivenOn ? [{ type: 'RECORD_NOTICE', sentOn: d.noticeGivenOn }] : []),
          ...(d.noticeGivenOn && lastReview ? [{ type: 'HOLD_REVIEW', heldOn: lastReview, nextReviewDue: due('review-due') ?? reviewAfter(lastReview) }] : []),
        ],
      };
    }
    case 'part-time-timetable': {
      const t: PartTimeTimetable | undefined = record.partTimeTimetables?.find((x) => x.id === id);
      if (!t) return undefined;
      const calendar = await calendarOn(t.startDate);
      const reportDue = due('report-to-local-authority');
      return {
        input: {
          timetableId: t.id,
          startDate: t.startDate,
          ...(t.plannedEndDate ? { plannedEnd: t.plannedEndDate } : {}),
          ...(t.hoursPerWeek !== undefined ? { hoursPerWeek: t.hoursPerWeek } : {}),
          ...(t.parentsConsentedOn ? { parentsAgreedOn: t.parentsConsentedOn } : {}),
          firstReviewDue: due('review-due') ?? (calendar ? partTimeFirstReviewDefault(calendar, t.startDate) : t.startDate),
          ...(reportDue ? { councilToldBy: reportDue } : {}),
        },
        already: t.reportedToLocalAuthorityOn ? [{ type: 'TELL_COUNCIL', toldOn: t.reportedToLocalAuthorityOn }] : [],
      };
    }
    case 'safeguarding-separation': {
      const s: SafeguardingSeparation | undefined = record.safeguardingSeparations?.find((x) => x.id === id);
      if (!s) return undefined;
      return {
        input: { separationId: s.id, startDate: s.startDate, ...(s.endDate ? { plannedEnd: s.endDate } : {}), dslDecidedOn: s.dslDecidedOn },
        already: s.localAuthorityToldOn ? [{ type: 'RECORD_LA_NOTICE', sentOn: s.localAuthorityToldOn }] : [],
      };
    }
  }
}
