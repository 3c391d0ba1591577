/**
 * Where a step down or an escalation leads: the one home for which case a team-around-the-school
 * action, or a support plan review that escalates, opens for the pupil. Halton's Team Around the
 * School steps pupils down or escalates them "to PEAP, EBSNA panel, EHC needs assessment, social
 * care" (seed 003 lines 82-92); a support plan's review may escalate the same way (the graduated
 * approach, seeds 002 and 004).
 *
 * The case service reads this table whenever such an action is opened or such a review is held —
 * from the command line, the library or the bot — and opens the case in the same write, linked
 * both ways in the audit trail (`follow-on` on the action, `openedFrom` or `linked-from` on the
 * case). Where the product has no case for the destination (social care, the virtual school) the
 * action stays an action for its owner, and says so.
 */
import { defaultRulePack, derivePupilFacts } from '@before-exclusion/rules';
import { SYSTEM, type Actor } from '../access.js';
import type { CaseEvent, CaseView, OpenCase } from './caseService.js';
import { CASE_KIND_WORDS } from './caseWords.js';
import { EventRefused } from '../errors.js';
import type { CaseKind } from '../machines/caseDefinition.js';
import { REFERRAL_ROUTES, type ReferralRoute, type TatsAction } from '../machines/index.js';
import type { ESCALATIONS } from '../machines/supportPlanCase.js';
import { openingRequest } from './openByHand.js';
import type { CaseStore } from '../store/caseStore.js';
import { openAtPanelAYear } from '../support/teamAroundTheSchool.js';

export type SupportEscalation = (typeof ESCALATIONS)[number];

/** What an action or an escalation leads to: a case of a kind (the pupil's open one, when `reuseOpen`), or it stays an action, with why. */
export type EscalationLeads = { readonly opens: CaseKind; readonly reuseOpen: boolean } | { readonly staysAnAction: string };

const NO_CASE_SOCIAL_CARE = "no case for social care here: the owner makes the referral (the council's children's social care front door) and marks the action done";
const NO_CASE_VIRTUAL_SCHOOL = 'no case for the virtual school here: the owner arranges the discussion and marks the action done';

/**
 * Each team-around-the-school action. A PEAP, an EBSNA referral, an EHC needs assessment and a
 * nurture outreach referral are one at a time per pupil: an escalation links to the open one rather
 * than opening a second. A support plan is one intervention, so each action opens its own. An EHC
 * needs assessment opens dated the meeting's (or the review's) day, as received that day: its
 * timescales count from the council's receipt, so a request sent later is opened by hand with its date.
 */
export const TATS_ACTION_LEADS: Readonly<Record<TatsAction, EscalationLeads>> = {
  'step-down': { staysAnAction: 'the pupil leaves the weekly list until a reason not there at the step down appears' },
  'school-support-plan': { opens: 'support-plan', reuseOpen: false },
  'attendance-meeting': { staysAnAction: 'no case for an attendance meeting: the owner holds it and marks the action done' },
  'escalate-peap': { opens: 'peap', reuseOpen: true },
  'escalate-ebsna-panel': { opens: 'ebsna', reuseOpen: true },
  'ehc-needs-assessment': { opens: 'ehc-needs-assessment', reuseOpen: true },
  'nurture-outreach-referral': { opens: 'nurture-outreach', reuseOpen: true },
  'social-care-referral': { staysAnAction: NO_CASE_SOCIAL_CARE },
  'virtual-school-risk-discussion': { staysAnAction: NO_CASE_VIRTUAL_SCHOOL },
  other: { staysAnAction: 'another action: the owner does it and marks it done' },
};

/** Each place a support plan review may escalate to. */
export const SUPPORT_ESCALATION_LEADS: Readonly<Record<SupportEscalation, EscalationLeads>> = {
  peap: { opens: 'peap', reuseOpen: true },
  'ehc-needs-assessment': { opens: 'ehc-needs-assessment', reuseOpen: true },
  ebsna: { opens: 'ebsna', reuseOpen: true },
  'nurture-outreach': { opens: 'nurture-outreach', reuseOpen: true },
  'social-care': { staysAnAction: NO_CASE_SOCIAL_CARE },
  other: { staysAnAction: 'another service: no case here' },
};

/** A case another case opens (or finds open) in the same write. */
export interface FollowOn {
  readonly kind: CaseKind;
  /** Link to the pupil's open case of this kind instead of opening a second. */
  readonly reuseOpen: boolean;
  /** The date of the meeting or the review: the new case's dates count from it. */
  readonly on: string;
  /** Opening data the action gives (a referral's route). */
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The case that opening a case of `kind` with `input`, or sending it `event`, leads to — or
 * undefined when it leads to none (most cases, most events).
 * @example followOnOf('tats-action', { input: { action: 'escalate-peap', agreedOn: '2026-03-16', … } }) // { kind: 'peap', reuseOpen: true, … }
 */
export function followOnOf(kind: CaseKind, opening: { readonly input: Readonly<Record<string, unknown>> } | { readonly event: CaseEvent }): FollowOn | undefined {
  if (kind === 'tats-action' && 'input' in opening) {
    const leads = TATS_ACTION_LEADS[opening.input.action as TatsAction];
    if (!leads || !('opens' in leads)) return undefined;
    const route = opening.input.route;
    const data = leads.opens === 'ehc-needs-assessment' ? { requestedBy: 'team-around-the-school' } : leads.opens === 'nurture-outreach' && route !== undefined ? { route } : {};
    return { kind: leads.opens, reuseOpen: leads.reuseOpen, on: String(opening.input.agreedOn ?? ''), data };
  }
  if (kind === 'support-plan' && 'event' in opening && opening.event.type === 'HOLD_REVIEW' && opening.event.outcome === 'escalate') {
    const leads = SUPPORT_ESCALATION_LEADS[opening.event.escalatedTo as SupportEscalation];
    if (!leads || !('opens' in leads)) return undefined;
    return { kind: leads.opens, reuseOpen: leads.reuseOpen, on: String(opening.event.heldOn ?? ''), data: leads.opens === 'ehc-needs-assessment' ? { requestedBy: 'school' } : {} };
  }
  return undefined;
}

/** Whether `event` may lead to a case (a review that escalates): the service asks the rest only then. */
export function leadsSomewhere(event: CaseEvent): boolean {
  return event.type === 'HOLD_REVIEW' && event.outcome === 'escalate';
}

/** What an action or escalation leads to, in words, for a reply or a list: "opens a PEAP case (or links to the one open)". */
export function leadsWords(leads: EscalationLeads): string {
  if ('staysAnAction' in leads) return leads.staysAnAction;
  return `opens a ${CASE_KIND_WORDS[leads.opens]} case${leads.reuseOpen ? ' (or links to the one open)' : ''}`;
}

/** A case another led to: the `follow-on` row on the one that led there. */
export interface LedTo {
  readonly caseId: string;
  readonly kind: CaseKind;
  /** False: the pupil's open case of that kind was linked, not a second opened. */
  readonly created: boolean;
  /** What led there: `case-opened` (an action) or the event (`HOLD_REVIEW`). */
  readonly by: string;
}

/** The cases `caseId` opened or linked to, read from its audit trail (an audited read of the case). */
export async function ledTo(store: CaseStore, actor: Actor, caseId: string): Promise<LedTo[]> {
  return (await store.cases.timeline(actor, caseId)).filter((r) => r.action === 'follow-on').map((r) => r.data as LedTo);
}

/** Where a case led, in lines for the command line: each case opened or linked, or — for an action that opens none — what it leaves to its owner. */
export async function ledToLines(store: CaseStore, actor: Actor, view: CaseView): Promise<string[]> {
  // Only an action or a support plan's review leads anywhere: another case's trail is not read (each read is audited).
  if (view.kind !== 'tats-action' && view.kind !== 'support-plan') return [];
  const links = await ledTo(store, actor, view.id);
  const lines = links.map((l) => `  ${ledToWords(l)}`);
  if (links.length === 0 && view.kind === 'tats-action') lines.push(`  ${leadsWords(TATS_ACTION_LEADS[view.context.action])}`);
  return lines;
}

/**
 * The request that opens `followOn` for the pupil of `from`: the same input a person opening it by
 * hand would give (`openingRequest`: the PEAP's half-term from the school calendar, the referrer),
 * dated the meeting's or the review's day. A nurture outreach referral takes the action's route,
 * else "open at the panel a year or more" when the pupil's EBSNA case has been (seed 001 line 44's
 * first route), else "a school new to this complexity, needing support to include the child" — the
 * route for a school whose own support has not been enough.
 * @throws EventRefused when the case cannot be opened (no calendar for the date, say), naming it.
 */
export async function followOnRequest(store: CaseStore, actor: Actor, from: { readonly pupilId: string; readonly schoolId: string }, followOn: FollowOn): Promise<OpenCase> {
  const base = { pupilId: from.pupilId, schoolId: from.schoolId };
  const data: Record<string, unknown> = { ...followOn.data };
  if (followOn.kind === 'nurture-outreach') {
    data.referredOn = followOn.on;
    if (data.route === undefined) data.route = await defaultRoute(store, from, followOn.on);
    if (!REFERRAL_ROUTES.includes(data.route as ReferralRoute)) throw new EventRefused(`route ${JSON.stringify(data.route)} is not a referral route: expected ${REFERRAL_ROUTES.join(', ')}`);
  }
  try {
    if (followOn.kind === 'ebsna' && data.attendanceAtReferral === undefined) Object.assign(data, await attendanceAtReferral(store, from, followOn.on));
    return await openingRequest(store, followOn.kind, base, actor.id, followOn.on, data);
  } catch (error) {
    if (error instanceof EventRefused) throw new EventRefused(`cannot open the ${CASE_KIND_WORDS[followOn.kind]} case this leads to: ${error.message}`);
    throw error;
  }
}

/**
 * What an EBSNA referral records of the pupil on `on`: their attendance over the EBSNA rule's
 * window (its `windowSchoolDays`, 6 school weeks by default: seed 003 lines 94-103) and the
 * emotional indicators staff have recorded — read from the pupil's record, as the rule reads them.
 */
async function attendanceAtReferral(store: CaseStore, from: { readonly pupilId: string; readonly schoolId: string }, on: string): Promise<{ attendanceAtReferral: number; indicators: string[] }> {
  const window = defaultRulePack().inForce(on).find((r) => r.id === 'ebsna.referral-suggested')?.values.windowSchoolDays;
  const calendar = await store.pupils.calendarFor(from.schoolId, on);
  if (typeof window !== 'number' || !calendar?.covers(on)) throw new EventRefused(`the EBSNA referral records the pupil's attendance, and no school calendar or EBSNA rule covers ${on} to read it: import the school's calendar for that year, then record this again (nothing was saved)`);
  const record = await store.pupils.record(SYSTEM, from.pupilId);
  const { rate } = derivePupilFacts(record, calendar, on).attendance.overLastSchoolDays(window);
  if (rate === undefined) throw new EventRefused(`the EBSNA referral records the pupil's attendance, and none is recorded for ${from.pupilId} over the ${window} school days to ${on}: import the school's attendance marks, then record this again (nothing was saved; from a terminal, cases open ebsna takes attendanceAtReferral)`);
  return { attendanceAtReferral: rate, indicators: [...record.ebsnaIndicators] };
}

/** Seed 001 line 44's first route when the pupil's panel (EBSNA) case has been open a year or more by `on`. */
async function defaultRoute(store: CaseStore, from: { readonly pupilId: string; readonly schoolId: string }, on: string): Promise<ReferralRoute> {
  const panels = (await store.cases.list(SYSTEM, { schoolId: from.schoolId, pupilId: from.pupilId, status: 'active' })).filter((v) => v.kind === 'ebsna');
  return panels.some((v) => openAtPanelAYear(v.openedAt, on)) ? 'panel-open-a-year' : 'school-new-to-complexity';
}

/** "opened case peap-… (Pre-exclusion assessment)", or "linked to the open case …" when one was open. */
function ledToWords(l: Pick<LedTo, 'caseId' | 'kind' | 'created'>): string {
  return `${l.created ? 'opened' : 'linked to the open'} case ${l.caseId} (${CASE_KIND_WORDS[l.kind]})`;
}

/** What led from one case to another, in words: "a team-around-the-school action" / "a support plan review". */
function causeWords(kind: CaseKind, by: string): string {
  if (kind === 'tats-action') return 'a team-around-the-school action';
  if (kind === 'support-plan' && by === 'HOLD_REVIEW') return 'a support plan review';
  return `a ${CASE_KIND_WORDS[kind]} case`;
}

/**
 * A link row of a case's timeline in words, or undefined for another row: on the case that led,
 * "opened the PEAP case peap-… (escalation)"; on the case it led to, "opened from a team-around-the-school action tats-action-…".
 */
export function linkWords(action: string, data: unknown): string | undefined {
  const d = (data ?? {}) as { caseId?: string; kind?: CaseKind; by?: string; created?: boolean; openedFrom?: { caseId: string; kind: CaseKind; by: string } };
  if (action === 'follow-on' && d.kind && d.caseId) return ledToWords({ caseId: d.caseId, kind: d.kind, created: d.created === true });
  if (action === 'linked-from' && d.kind && d.caseId) return `linked from ${causeWords(d.kind, d.by ?? '')} ${d.caseId}`;
  if (action === 'case-opened' && d.openedFrom) return `opened from ${causeWords(d.openedFrom.kind, d.openedFrom.by)} ${d.openedFrom.caseId}`;
  return undefined;
}
