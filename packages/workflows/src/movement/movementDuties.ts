/**
 * The duties of a pupil-movement case a person can record now, each as one action — what a case
 * card and its reminder offer as buttons, as suspensionDuties.ts does for an exclusion: the
 * parents' written notice of an off-site direction, the local authority told of a safeguarding
 * separation, the council told of a part-time timetable. Each is a date (today by default); which
 * are offered follows the machine's state and the policy (`can`), so a button is never refused.
 * Recorded, it joins the pupil's record too (as an exclusion recorded in the product does), so the
 * rules stop asking for what the case already holds.
 */
import type { IsoDate, PupilRecord } from '@before-exclusion/rules';
import type { Actor } from '../access.js';
import type { CaseEvent, CaseView, SendOptions } from '../cases/caseService.js';
import type { CaseStore } from '../store/caseStore.js';

export const MOVEMENT_DUTIES = ['direction-notice', 'la-told', 'council-told'] as const;
export type MovementDutyKind = (typeof MOVEMENT_DUTIES)[number];

interface DutySpec {
  /** The kind of case it is a duty of. */
  readonly kind: CaseView['kind'];
  readonly event: string;
  /** The event's date field. */
  readonly dateField: string;
  /** The button's words, and the form's title. */
  readonly title: string;
  /** The date field's label on the form. */
  readonly label: string;
  /** Still owed, by the case's context (the machine may accept it again, e.g. telling the council twice). */
  owed(view: CaseView): boolean;
}

const SPECS: Readonly<Record<MovementDutyKind, DutySpec>> = {
  'direction-notice': { kind: 'off-site-direction', event: 'RECORD_NOTICE', dateField: 'sentOn', title: "Parents' written notice given", label: 'Given on', owed: (v) => v.kind === 'off-site-direction' && v.context.notice === undefined },
  'la-told': { kind: 'safeguarding-separation', event: 'RECORD_LA_NOTICE', dateField: 'sentOn', title: 'Local authority told', label: 'Told on', owed: (v) => v.kind === 'safeguarding-separation' && v.context.laNotice === undefined },
  'council-told': { kind: 'part-time-timetable', event: 'TELL_COUNCIL', dateField: 'toldOn', title: 'Council told', label: 'Told on', owed: (v) => v.kind === 'part-time-timetable' && v.context.councilToldBy !== undefined && v.context.councilTold === undefined },
};

export interface MovementDutyAction {
  readonly duty: MovementDutyKind;
  readonly title: string;
  /** The date field's label on the form. */
  readonly label: string;
}

/** What `actor` can record on this movement case now (none for other kinds). */
export function movementDutyActions(store: CaseStore, actor: Actor, view: CaseView): MovementDutyAction[] {
  return MOVEMENT_DUTIES.filter((duty) => {
    const spec = SPECS[duty];
    return spec.owed(view) && store.cases.can(actor, view, spec.event).allowed;
  }).map((duty) => ({ duty, title: SPECS[duty].title, label: SPECS[duty].label }));
}

/** The words for a duty: its title and its date's label. */
export function movementDutyWords(duty: MovementDutyKind): { readonly title: string; readonly label: string } {
  return { title: SPECS[duty].title, label: SPECS[duty].label };
}

/** The event that records `duty` as done on `on`. */
export function movementDutyEvent(duty: MovementDutyKind, on: IsoDate): CaseEvent {
  return { type: SPECS[duty].event, [SPECS[duty].dateField]: on };
}

/**
 * Records `duty` as done on `on`: the case's event, then the same date on the pupil's record
 * (the direction's notice, the separation's LA told, the timetable's report). The case first: a
 * refusal leaves the record as it was.
 * @throws EventRefused when the case does not accept it now; RevisionConflict when it changed since `options.expectedRevision`.
 */
export async function recordMovementDuty(store: CaseStore, actor: Actor, view: CaseView, duty: MovementDutyKind, on: IsoDate, options: SendOptions = {}): Promise<CaseView> {
  const event = movementDutyEvent(duty, on);
  const done = await store.cases.sendUnchecked(actor, view.id, [event], options);
  await dutiesOnRecord(store, actor, done, [event]);
  return done;
}

/**
 * Puts on the pupil's record the movement duties among `events` just recorded on the case `done`
 * (however they were sent: a button, a form, `cases act`), so the record, the rules and the case
 * agree. Nothing for other events, other kinds, or a case that names no movement on the record.
 */
export async function dutiesOnRecord(store: CaseStore, actor: Actor, done: CaseView, events: readonly CaseEvent[]): Promise<void> {
  for (const event of events) {
    const duty = MOVEMENT_DUTIES.find((d) => SPECS[d].event === event.type && SPECS[d].kind === done.kind);
    const on = duty ? event[SPECS[duty].dateField] : undefined;
    if (!duty || typeof on !== 'string') continue;
    const amend = recordChange(done, on);
    if (amend) await store.pupils.amend(actor, done.pupilId, { action: 'movement-duty-recorded', data: { caseId: done.id, duty, on } }, amend);
  }
}

/** The change to the pupil's record a duty done on `on` makes, for a case opened from it. */
function recordChange(view: CaseView, on: IsoDate): ((r: PupilRecord) => PupilRecord) | undefined {
  switch (view.kind) {
    case 'off-site-direction': {
      const id = view.context.directionId;
      return id ? (r) => ({ ...r, offSiteDirections: r.offSiteDirections?.map((d) => (d.id === id ? { ...d, noticeGivenOn: on } : d)) }) : undefined;
    }
    case 'safeguarding-separation': {
      const id = view.context.separationId;
      return id ? (r) => ({ ...r, safeguardingSeparations: r.safeguardingSeparations?.map((x) => (x.id === id ? { ...x, localAuthorityToldOn: on } : x)) }) : undefined;
    }
    case 'part-time-timetable': {
      const id = view.context.timetableId;
      return id ? (r) => ({ ...r, partTimeTimetables: r.partTimeTimetables?.map((t) => (t.id === id ? { ...t, reportedToLocalAuthorityOn: on } : t)) }) : undefined;
    }
    default:
      return undefined;
  }
}
