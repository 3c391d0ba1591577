/**
 * Opening a case by hand (a head starting a PEAP for a pupil at risk, a school referring to the
 * EBSNA pathway, a reintegration starting): what the request needs beyond the person's own data —
 * the pupil's school, the half-term, and for reintegration the week-10 warning and week-12 return
 * dates, counted in school weeks on the school's calendar. Every channel (CLI, Teams, Slack) opens
 * cases through here.
 */
import { isIsoDate } from '@before-exclusion/rules';
import { SYSTEM, type Actor } from '../access.js';
import type { CaseView, OpenCase } from './caseService.js';
import { EventRefused } from '../errors.js';
import type { CaseKind } from '../machines/caseDefinition.js';
import { movementEntry, namedMovement, refuseLikelySame, samePlacement } from '../movement/movementOnRecord.js';
import { isMovementKind, movementKey, openFromRecord } from '../movement/openMovementCases.js';
import { resolvePupilId } from './pupilLookup.js';
import { offSiteFirstReviewDefault, offSiteNoticeBy, partTimeFirstReviewDefault } from '../suspensions/statutoryDates.js';
import type { CaseStore } from '../store/caseStore.js';

/**
 * Opens a case of `kind` for a pupil, or returns the one already opened for the same thing (`created`
 * false), so asking twice never makes a second case: a PEAP still in progress; a reintegration
 * starting the same day; a movement's own case — the off-site direction, part-time timetable or
 * safeguarding separation on the pupil's record that `data` names by its id, or the same placement
 * (see `samePlacement`), keyed as the rules key it so they find it too. A new movement goes on the
 * record as well (validated before anything is written).
 * @param typedPupilId — the pupil's id as typed: in any case (`demo-004` for `DEMO-004`), see `resolvePupilId`.
 * @param today — the school date (England) the request is made on.
 * @throws CaseNotFound when the actor cannot see the pupil; EventRefused when the request is not
 * valid, or `data` sets a field worked out here (the pupil's school, the half-term, the dates).
 */
export async function openByHand(store: CaseStore, actor: Actor, kind: CaseKind, typedPupilId: string, today: string, given: Record<string, unknown> = {}): Promise<{ case: CaseView; created: boolean }> {
  // Said of a direction from the same day as one on the record: another placement, not that one typed again.
  const { anotherPlacement, ...data } = given;
  const overridden = Object.keys(data).filter((key) => COMPUTED[kind].includes(key));
  if (overridden.length > 0) {
    throw new EventRefused(`the case's data cannot set ${overridden.join(', ')}: ${overridden.length > 1 ? 'they are' : 'it is'} worked out from the pupil's record and the school calendar`);
  }
  const pupilId = await resolvePupilId(store, actor, typedPupilId);
  const record = await store.pupils.record(actor, pupilId);
  const base = { pupilId, schoolId: record.schoolId };
  if (kind === 'peap') {
    const open = (await store.cases.list(actor, { schoolId: record.schoolId, status: 'active', pupilId })).find((c) => c.kind === 'peap');
    // Read again through get(): what is shown of the case is an audited read (the list records only that a list was read).
    if (open) return { case: await store.cases.get(actor, open.id), created: false };
  }
  if (isMovementKind(kind)) {
    const named = namedMovement(kind, record, data);
    if (named !== undefined) return (await openFromRecord(store, actor, kind, record, named))!;
  }
  const request = await openingRequest(store, kind, base, actor.id, today, data);
  if (kind === 'reintegration') {
    const opened = await store.cases.open(actor, { ...request, openKey: `${pupilId}/reintegration/${String(request.input.startDate)}` });
    // The one already open, read again through get(): a person's read of it is audited.
    return opened.created ? opened : { case: await store.cases.get(actor, opened.case.id), created: false };
  }
  if (!isMovementKind(kind)) return store.cases.open(actor, request);
  const same = samePlacement(kind, record, request.input);
  if (same !== undefined) return (await openFromRecord(store, actor, kind, record, same))!;
  if (anotherPlacement !== true) refuseLikelySame(kind, record, request.input);
  const entry = movementEntry(kind, record, request.input);
  const opened = await store.cases.open(actor, { ...request, openKey: movementKey(pupilId, kind, entry.id), input: { ...request.input, [entry.idField]: entry.id } });
  if (opened.created) await store.pupils.amend(actor, pupilId, { action: 'movement-recorded', data: { kind, movementId: entry.id, caseId: opened.case.id } }, entry.change);
  return opened;
}

/** The fields of each kind's opening input that are worked out here, never taken from the request's data. */
const COMPUTED: Readonly<Record<CaseKind, readonly string[]>> = {
  peap: ['pupilId', 'schoolId', 'openedBy', 'halfTerm', 'exclusionIds'],
  ebsna: ['pupilId', 'schoolId', 'referredBy'],
  reintegration: ['pupilId', 'schoolId', 'warnOn', 'returnBy'],
  suspension: [],
  'off-site-direction': ['pupilId', 'schoolId', 'noticeBy'],
  'part-time-timetable': ['pupilId', 'schoolId'],
  'safeguarding-separation': ['pupilId', 'schoolId'],
  'support-plan': ['pupilId', 'schoolId'],
  'nurture-outreach': ['pupilId', 'schoolId'],
  'tats-action': ['pupilId', 'schoolId'],
  'ehc-needs-assessment': ['pupilId', 'schoolId', 'lookedAfter', 'localTargetWeeks'],
};

/**
 * The request that opens a case of `kind` for a pupil, as asked on `today`: the input the kind
 * needs beyond `data`, worked out from the school calendar (also what an escalation opens, see escalations.ts).
 * @throws EventRefused when the school has no calendar for the date, or the kind opens only from the rules.
 */
export async function openingRequest(store: CaseStore, kind: CaseKind, base: { pupilId: string; schoolId: string }, staffId: string, today: string, data: Record<string, unknown>): Promise<OpenCase> {
  const calendarOn = async (date: string) => {
    const calendar = await store.pupils.calendarFor(base.schoolId, date);
    if (!calendar) throw new EventRefused(`school ${base.schoolId} has no calendar covering ${date}; import its calendar first`);
    return calendar;
  };
  switch (kind) {
    case 'peap': {
      const calendar = await calendarOn(today);
      const period = `${calendar.academicYear} ${calendar.latestHalfTermBy(today)?.name ?? 'before term'}`;
      return { kind, ...base, input: { ...base, openedBy: 'headteacher', halfTerm: period, exclusionIds: [], ...data } };
    }
    case 'ebsna':
      return { kind, ...base, input: { ...base, referredBy: staffId, ...data } };
    case 'reintegration': {
      const startDate = String(data.startDate ?? today);
      const calendar = await calendarOn(startDate);
      // Ten and twelve school weeks of five school days each.
      return { kind, ...base, input: { ...base, startDate, warnOn: calendar.addSchoolDays(startDate, 50), returnBy: calendar.addSchoolDays(startDate, 60), ...data } };
    }
    case 'suspension':
      throw new EventRefused('suspension cases open from the rules (cases evaluate), with the duties they found');
    case 'off-site-direction': {
      const startDate = String(data.startDate ?? '');
      if (!isIsoDate(startDate)) throw new EventRefused('an off-site direction needs its first day: startDate, written YYYY-MM-DD');
      const plannedEnd = typeof data.plannedEnd === 'string' ? data.plannedEnd : undefined;
      const calendar = await calendarOn(startDate);
      return { kind, ...base, input: { ...base, noticeBy: offSiteNoticeBy(calendar, startDate), firstReviewDue: offSiteFirstReviewDefault(calendar, startDate, plannedEnd), ...data } };
    }
    case 'part-time-timetable': {
      const startDate = String(data.startDate ?? today);
      const firstReviewDue = isIsoDate(startDate) ? partTimeFirstReviewDefault(await calendarOn(startDate), startDate) : today;
      return { kind, ...base, input: { ...base, startDate, firstReviewDue, ...data } };
    }
    case 'safeguarding-separation': {
      const startDate = String(data.startDate ?? today);
      return { kind, ...base, input: { ...base, startDate, dslDecidedOn: startDate, ...data } };
    }
    case 'support-plan':
      return { kind, ...base, input: { ...base, ...data } };
    case 'nurture-outreach':
      // Referred today unless the referral's own date is given: the waiting list runs in this order.
      return { kind, ...base, input: { ...base, referredOn: today, ...data } };
    case 'tats-action':
      // Agreed at today's meeting unless its date is given.
      return { kind, ...base, input: { ...base, agreedOn: today, ...data } };
    case 'ehc-needs-assessment': {
      // Received today unless the council's date of receipt is given: every timescale counts from it.
      const requestedOn = data.requestedOn ?? today;
      if (typeof requestedOn === 'string' && requestedOn > today) throw new EventRefused(`requestedOn ${requestedOn} is after today (${today}): give the day the council received the request`);
      // The council's local target applies to a child in care (the pupil record) or on a child-protection plan (the request).
      const { lookedAfter } = await store.pupils.record(SYSTEM, base.pupilId);
      const localTarget = lookedAfter || data.childProtectionPlan === true;
      return { kind, ...base, input: { ...base, requestedOn, ...data, lookedAfter, ...(localTarget ? { localTargetWeeks: store.settings.ehcLocalTargetWeeks } : {}) } };
    }
  }
}
