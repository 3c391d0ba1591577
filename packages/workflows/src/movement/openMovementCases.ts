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
import { SYSTEM } from '../access.js';
import type { CaseEvent, OpenCase } from '../cases/caseService.js';
import type { CaseKind } from '../machines/caseDefinition.js';
import { offSiteFirstReviewDefault, offSiteNoticeBy, partTimeFirstReviewDefault } from '../suspensions/statutoryDates.js';
import type { CaseStore } from '../store/caseStore.js';

type MovementKind = Extract<CaseKind, 'off-site-direction' | 'part-time-timetable' | 'safeguarding-separation'>;
const MOVEMENT_KINDS: readonly MovementKind[] = ['off-site-direction', 'part-time-timetable', 'safeguarding-separation'];

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
    outcomes.push(await openOne(store, kind, key, found));
  }
  return outcomes;
}

async function openOne(store: CaseStore, kind: MovementKind, openKey: string, triggers: readonly Trigger[]): Promise<Outcome> {
  const first = triggers[0]!;
  const record = await store.pupils.record(SYSTEM, first.pupilId).catch(() => undefined);
  if (!record) return 'unchanged';
  const due = (suffix: string) => triggers.find((t) => t.ruleId === `${kind}.${suffix}`)?.dueDate;
  const base = { kind, schoolId: first.schoolId, pupilId: first.pupilId, openKey, rule: { id: first.ruleId, version: first.ruleVersion } } as const;
  const opening = await openingFor(store, kind, record, first.period, due);
  if (!opening) return 'unchanged';
  const { case: view, created } = await store.cases.open(SYSTEM, { ...base, input: { pupilId: record.id, schoolId: record.schoolId, ...opening.input } } as OpenCase);
  // What the record already says happened, so the case asks only for what is missing.
  if (created && opening.already.length > 0) await store.cases.sendUnchecked(SYSTEM, view.id, opening.already, { expectedRevision: view.revision });
  return created ? 'opened' : 'unchanged';
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
