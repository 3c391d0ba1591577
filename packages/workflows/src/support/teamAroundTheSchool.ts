/**
 * The weekly list for the team around the school (TATS): Halton's weekly professional meeting in
 * which "pupils at risk of exclusion are identified both by settings and other Halton LA data sets"
 * (seed 003 lines 82-92). The list is the rules' answer, not a hand-kept spreadsheet: every pupil
 * the meeting's triggers select on the week's date — a PEAP required, approaching the 45-day limit,
 * an EBSNA referral suggested, persistent absence, a child in care below their attendance target —
 * a child in care with no Boxall Profile and plan on the record (seed 000 line 255), every open
 * support plan whose review falls due by the end of the week, and every case open at the
 * panel a year or more (a nurture outreach referral suggested), with what changed
 * since last week (the same evaluation seven days earlier): who is new, who has left the list, and
 * whose reasons changed. Actions agreed at earlier meetings (tats-action cases: what, who, by
 * when) are listed under their pupil.
 *
 * A pupil the meeting stepped down (a `step-down` action, not dropped) leaves the list from the
 * meeting's date until a reason not there at the step down appears; then they are back, and the list
 * says so: "stepped down on D; back because …".
 *
 * Last week's list is recomputed as of that date: the rules over today's pupil records (a record
 * corrected since shows as it is now), and the cases as they stood then — the plans agreed and reviews
 * held by that date, the measures taken, the referrals made, the panel cases open. Nothing is stored for
 * it. The reasons at a step down are recomputed the same way.
 */
import { addDays, defaultRulePack, InputError, leftBefore, RulesEvaluator, type IsoDate, type PupilRecord, type RulePack } from '@before-exclusion/rules';
import { assertCanRead, type Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { interventionWords } from '../cases/caseWords.js';
import { englishDate } from '../clock.js';
import { TATS_ACTION_WORDS, type SupportPlanContext, type SupportPlanStep } from '../machines/index.js';
import type { CaseStore } from '../store/caseStore.js';

/** The triggers that put a pupil on the list (the issue's and seed 003's "at risk" signals). */
export const TATS_TRIGGERS: readonly string[] = [
  'peap.required',
  'statutory.annual-limit-approaching',
  'ebsna.referral-suggested',
  'attendance.persistent-absence',
  'looked-after.attendance-below-target',
  'looked-after.multi-agency-risk-discussion',
];

/**
 * A case open at the panel a year suggests a nurture outreach referral: B&NES's first referral route,
 * "the Behaviour & Attendance Panels have had the cases open for a year or more and a new strategy is
 * needed" (seed 001 line 44). The product's panel case is the EBSNA case (the S19 / Education
 * Inclusion Panel's referral).
 *
 * Whether a case opened at `openedAt` (an instant; its day taken in England) has been open at the
 * panel "a year or more" on `on`: from its anniversary, counted on the calendar — a year across a
 * 29 February is 366 days, so 365 days on is still short of it (1 March for a case opened on 29 February).
 * @example openAtPanelAYear('2027-03-10T09:00:00Z', '2028-03-09') // false: the anniversary is 10 Mar 2028
 */
export function openAtPanelAYear(openedAt: string, on: IsoDate): boolean {
  const sameDayLastYear = `${Number(on.slice(0, 4)) - 1}${on.slice(4) === '-02-29' ? '-02-28' : on.slice(4)}`;
  return englishDate(new Date(openedAt)) <= sameDayLastYear;
}

/** The list's own reasons (worked out from cases, not rules), with their titles. */
const OWN_REASON_TITLES = {
  'looked-after.boxall-and-plan': 'A child in care without a Boxall Profile and plan',
  'support-plan.review-due': 'Support plan review due',
  'nurture-outreach.referral-suggested': 'Consider a nurture outreach referral',
} as const;

/**
 * A reason in words, including one that has gone from the list (which carries only its id): its
 * title this week, else the rule's in the pack, else the list's own, else the id.
 */
export function tatsReasonTitle(list: TatsList, reason: string, rules: RulePack = defaultRulePack()): string {
  return (
    list.entries.flatMap((e) => e.reasons).find((r) => r.reason === reason)?.title ??
    rules.rules.find((r) => r.trigger === reason)?.title ??
    (OWN_REASON_TITLES as Readonly<Record<string, string>>)[reason] ??
    reason
  );
}

/** One reason a pupil is on the list: a trigger, or a support plan's review falling due. */
export interface TatsReason {
  /** The trigger id, or `support-plan.review-due`. */
  readonly reason: string;
  readonly title: string;
  /** The facts, in words (the rule's explanation; the plan and its review date). */
  readonly detail: string;
  readonly caseId?: string;
}

export interface TatsEntry {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly reasons: readonly TatsReason[];
  /** new: not on last week's list; still: on both; `reasonsAdded` / `reasonsGone` list reasons that came or went. */
  readonly since: 'new' | 'still';
  /** What the meeting is told: new to the list, on it with reasons changed, or still there as last week. */
  readonly change: 'new' | 'changed' | 'still';
  readonly reasonsAdded: readonly string[];
  readonly reasonsGone: readonly string[];
  /** Actions agreed at earlier meetings and still open: what, who, by when. */
  readonly actions: readonly TatsActionLine[];
  /** Back on the list after a step down: when, by which action, and the reasons not there then. */
  readonly steppedDown?: { readonly on: IsoDate; readonly caseId: string; readonly backBecause: readonly string[] };
}

/** A pupil the triggers select but the meeting stepped down, with no reason new since: off the list. */
export interface TatsHeldOff {
  readonly pupilId: string;
  readonly schoolId: string;
  readonly on: IsoDate;
  readonly caseId: string;
}

export interface TatsActionLine {
  readonly caseId: string;
  readonly action: string;
  readonly owner: string;
  readonly dueDate: string;
  readonly overdue: boolean;
}

export interface TatsList {
  readonly week: IsoDate;
  readonly lastWeek: IsoDate;
  readonly schools: readonly string[];
  readonly entries: readonly TatsEntry[];
  /** On last week's list, not this week's: with last week's reasons (and the step down that took them off, if one did). */
  readonly steppedOff: readonly { readonly pupilId: string; readonly schoolId: string; readonly reasons: readonly string[]; readonly steppedDownOn?: IsoDate }[];
  /**
   * Stepped down and held off this week's list: no reason has appeared that was not there at the
   * step down. Not those who came off the list this week: they are in `steppedOff`, with the date.
   */
  readonly heldOff?: readonly TatsHeldOff[];
  /** Schools with pupils but no stored calendar covering the week: the rules' reasons are missing for their pupils. */
  readonly uncovered?: readonly string[];
}

export interface TatsOptions {
  /** The meeting's date: the rules run as of it; support plans due up to six days after it count. */
  readonly week: IsoDate;
  /** One school; else every school the actor covers (an officer: the council's). */
  readonly schoolId?: string;
  readonly rules?: RulePack;
}

/**
 * The week's list for a school or the council. Reading it is audited: the open cases it reads
 * are a person's list of cases (`case-list-read`), naming every case returned.
 * @example const list = await teamAroundTheSchool(store, officer, { week: '2026-03-16' });
 */
export async function teamAroundTheSchool(store: CaseStore, actor: Actor, options: TatsOptions): Promise<TatsList> {
  if (options.schoolId) assertCanRead(actor, options.schoolId);
  const schools = options.schoolId ? [options.schoolId] : [...actor.schoolIds];
  const lastWeek = addDays(options.week, -7);
  const evaluator = new RulesEvaluator(options.rules ?? defaultRulePack());
  const records = await store.pupils.inSchools(schools);
  const allCases = await store.cases.list(actor, options.schoolId ? { schoolId: options.schoolId } : {});
  const openCases = allCases.filter((v) => v.status === 'active');
  // Every support plan, open or closed since: the list on an earlier date reads each as it stood then.
  const plans = allCases.filter((v): v is CaseView<'support-plan'> => v.kind === 'support-plan');
  const referrals = allCases.filter((v): v is CaseView<'nurture-outreach'> => v.kind === 'nurture-outreach');
  const panels = allCases.filter((v): v is CaseView<'ebsna'> => v.kind === 'ebsna');
  const actionsOf = (pupilId: string): TatsActionLine[] =>
    openCases
      .filter((v): v is CaseView<'tats-action'> => v.kind === 'tats-action' && v.pupilId === pupilId)
      .map((v) => ({ caseId: v.id, action: TATS_ACTION_WORDS[v.context.action], owner: v.context.owner, dueDate: v.context.dueDate, overdue: v.context.dueDate < options.week }))
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate));

  const listOn = async (asOf: IsoDate, only?: ReadonlySet<string>) => {
    const reasons = new Map<string, TatsReason[]>();
    // Seed 000 line 255: every child in care has a Boxall Profile with an individual plan (as part of the PEP).
    const boxallAndPlan = new Set(plans.filter((v) => boxallAndPlanBy(v.context, asOf)).map((v) => v.pupilId));
    const add = (pupilId: string, r: TatsReason) => {
      if (!only || only.has(pupilId)) reasons.set(pupilId, [...(reasons.get(pupilId) ?? []), r]);
    };
    for (const record of records) {
      if (only && !only.has(record.id)) continue;
      for (const r of await triggersOf(store, evaluator, record, asOf)) add(record.id, r);
      if (record.lookedAfter && !leftBefore(record, asOf) && !boxallAndPlan.has(record.id)) {
        add(record.id, { reason: 'looked-after.boxall-and-plan', title: OWN_REASON_TITLES['looked-after.boxall-and-plan'], detail: 'every child in care should have a Boxall Profile with an individual plan, as part of the PEP (Halton nurture strategy); none is on the record' });
      }
    }
    const weekEnd = addDays(asOf, 6);
    for (const plan of plans) {
      const stood = planAsOf(plan.context, asOf);
      if (!stood?.due || stood.due > weekEnd) continue;
      const { current, due } = stood;
      add(plan.pupilId, {
        reason: 'support-plan.review-due',
        title: OWN_REASON_TITLES['support-plan.review-due'],
        detail: `${interventionWords(current.intervention)} with ${current.provider} since ${current.startDate}: review ${due < asOf ? `overdue since ${due}` : `due ${due}`}`,
        caseId: plan.id,
      });
    }
    // Open at the panel a year or more on the date, and not referred to the outreach service by then (or that referral closed).
    const referred = new Set(referrals.filter((v) => v.context.referredOn <= asOf && !(v.context.closed && v.context.closed.on <= asOf)).map((v) => v.pupilId));
    for (const panel of panels.filter((v) => !referred.has(v.pupilId) && !panelClosedBy(v, asOf))) {
      const openedOn = englishDate(new Date(panel.openedAt));
      if (!openAtPanelAYear(panel.openedAt, asOf)) continue;
      add(panel.pupilId, {
        reason: 'nurture-outreach.referral-suggested',
        title: OWN_REASON_TITLES['nurture-outreach.referral-suggested'],
        detail: `open at the panel since ${openedOn}, a year or more: a new strategy is needed (referral route: panel-open-a-year)`,
        caseId: panel.id,
      });
    }
    return reasons;
  };

  // Step downs (not dropped), latest first, each with the reasons the pupil had on its date.
  const stepDowns = allCases
    .filter((v): v is CaseView<'tats-action'> => v.kind === 'tats-action' && v.context.action === 'step-down' && v.context.dropped === undefined)
    .sort((a, b) => b.context.agreedOn.localeCompare(a.context.agreedOn) || b.openedAt.localeCompare(a.openedAt));
  const reasonsAtStepDown = new Map<string, ReadonlySet<string>>();
  for (const on of new Set(stepDowns.map((v) => v.context.agreedOn))) {
    const stepped = stepDowns.filter((v) => v.context.agreedOn === on);
    const then = await listOn(on, new Set(stepped.map((v) => v.pupilId)));
    for (const v of stepped) reasonsAtStepDown.set(v.id, new Set((then.get(v.pupilId) ?? []).map(reasonKey)));
  }
  /** The pupil's latest step down by `asOf`, and the reasons they have now that were not there at it. */
  const stepDownOf = (pupilId: string, asOf: IsoDate, reasons: readonly TatsReason[]) => {
    const latest = stepDowns.find((v) => v.pupilId === pupilId && v.context.agreedOn <= asOf);
    if (!latest) return undefined;
    const then = reasonsAtStepDown.get(latest.id) ?? new Set<string>();
    return { on: latest.context.agreedOn, caseId: latest.id, back: reasons.filter((r) => !then.has(reasonKey(r))) };
  };
  /** The list on `asOf` with the pupils stepped down and nothing new since left off. */
  const afterStepDowns = (list: Map<string, TatsReason[]>, asOf: IsoDate) => {
    const held = new Map<string, { on: IsoDate; caseId: string }>();
    for (const [pupilId, reasons] of list) {
      const stepped = stepDownOf(pupilId, asOf, reasons);
      if (stepped && stepped.back.length === 0) {
        list.delete(pupilId);
        held.set(pupilId, stepped);
      }
    }
    return held;
  };

  const now = await listOn(options.week);
  const before = await listOn(lastWeek);
  const heldNow = afterStepDowns(now, options.week);
  afterStepDowns(before, lastWeek);
  const schoolOf = new Map(records.map((r) => [r.id, r.schoolId]));
  for (const c of allCases) if (!schoolOf.has(c.pupilId)) schoolOf.set(c.pupilId, c.schoolId);
  const ids = (rs: readonly TatsReason[] | undefined) => [...new Set((rs ?? []).map((r) => r.reason))];
  const entries: TatsEntry[] = [...now]
    .map(([pupilId, reasons]) => {
      const was = ids(before.get(pupilId));
      const is = ids(reasons);
      return {
        pupilId,
        schoolId: schoolOf.get(pupilId) ?? '',
        reasons,
        since: before.has(pupilId) ? ('still' as const) : ('new' as const),
        change: !before.has(pupilId) ? ('new' as const) : is.some((r) => !was.includes(r)) || was.some((r) => !is.includes(r)) ? ('changed' as const) : ('still' as const),
        reasonsAdded: before.has(pupilId) ? is.filter((r) => !was.includes(r)) : [],
        reasonsGone: was.filter((r) => !is.includes(r)),
        actions: actionsOf(pupilId),
        ...backAfter(stepDownOf(pupilId, options.week, reasons)),
      };
    })
    .sort((a, b) => a.schoolId.localeCompare(b.schoolId) || (a.since === b.since ? 0 : a.since === 'new' ? -1 : 1) || a.pupilId.localeCompare(b.pupilId));
  const steppedOff = [...before]
    .filter(([pupilId]) => !now.has(pupilId))
    .map(([pupilId, reasons]) => {
      const held = heldNow.get(pupilId);
      return { pupilId, schoolId: schoolOf.get(pupilId) ?? '', reasons: ids(reasons), ...(held ? { steppedDownOn: held.on } : {}) };
    })
    .sort((a, b) => a.schoolId.localeCompare(b.schoolId) || a.pupilId.localeCompare(b.pupilId));
  // Those who came off the list this week by a step down are said once, in steppedOff.
  const cameOff = new Set(steppedOff.map((s) => s.pupilId));
  const heldOff = [...heldNow]
    .filter(([pupilId]) => !cameOff.has(pupilId))
    .map(([pupilId, held]) => ({ pupilId, schoolId: schoolOf.get(pupilId) ?? '', on: held.on, caseId: held.caseId }))
    .sort((a, b) => a.schoolId.localeCompare(b.schoolId) || a.pupilId.localeCompare(b.pupilId));
  const uncovered: string[] = [];
  // Only schools with pupils on record: a school not yet imported has nothing to miss.
  for (const school of new Set(records.map((r) => r.schoolId))) if (!(await store.pupils.calendarFor(school, options.week))?.covers(options.week)) uncovered.push(school);
  return { week: options.week, lastWeek, schools, entries, steppedOff, heldOff, ...(uncovered.length ? { uncovered } : {}) };
}

const dayOf = (instant: string): IsoDate => englishDate(new Date(instant));

/**
 * The day a plan step counts from: the day it was recorded, or its start if that is earlier (a plan
 * entered on the record after it began was in place from its start).
 */
const agreedOn = (step: SupportPlanStep): IsoDate => {
  const recorded = dayOf(step.at);
  return step.startDate < recorded ? step.startDate : recorded;
};

/**
 * A support plan as it stood on `on`: the plan step then current and the review then next due (none
 * while a revised plan is awaited); undefined before a plan was agreed or once the plan had closed —
 * stopped, or a review that met the need or escalated. Plans and reviews are taken in the order recorded.
 */
function planAsOf(plan: SupportPlanContext, on: IsoDate): { current: SupportPlanStep; due: IsoDate | undefined } | undefined {
  if (plan.stopped && plan.stopped.on <= on) return undefined;
  const steps = plan.plans.filter((p) => agreedOn(p) <= on);
  const current = steps.at(-1);
  if (!current) return undefined;
  const history = [
    ...steps.map((p) => ({ at: p.at, due: p.reviewDue as IsoDate | undefined, closes: false })),
    ...plan.reviews.filter((r) => r.heldOn <= on).map((r) => ({ at: r.at, due: r.outcome === 'continue' ? r.nextReviewDue : undefined, closes: r.outcome === 'needs-met' || r.outcome === 'escalate' })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const last = history.at(-1)!;
  return last.closes ? undefined : { current, due: last.due };
}

/** A Boxall Profile taken and a plan agreed by `on` (a plan closed since still counts: it is on the record). */
const boxallAndPlanBy = (plan: SupportPlanContext, on: IsoDate): boolean =>
  plan.plans.some((p) => agreedOn(p) <= on) && plan.measures.some((m) => m.measure === 'boxall' && m.takenOn <= on);

/** Whether a panel (EBSNA) case had closed by `on`: declined or redirected at the panel, or closed at its last review. */
function panelClosedBy(panel: CaseView<'ebsna'>, on: IsoDate): boolean {
  if (panel.status !== 'done') return false;
  const closing = panel.context.reviews.at(-1)?.heldAt ?? panel.context.panel?.at ?? panel.updatedAt;
  return dayOf(closing) <= on;
}

/** A reason as a step down remembers it: the trigger, or the support plan whose review falls due (another plan's review is a new reason). */
const reasonKey = (r: TatsReason): string => (r.caseId ? `${r.reason}:${r.caseId}` : r.reason);

/** The entry's step-down field, when the pupil is back after one. */
function backAfter(stepped: { on: IsoDate; caseId: string; back: readonly TatsReason[] } | undefined): Pick<TatsEntry, 'steppedDown'> {
  return stepped ? { steppedDown: { on: stepped.on, caseId: stepped.caseId, backBecause: stepped.back.map((r) => r.title) } } : {};
}

/** The list's triggers for one pupil on one date; none for a pupil gone by then or with no calendar. */
async function triggersOf(store: CaseStore, evaluator: RulesEvaluator, record: PupilRecord, asOf: IsoDate): Promise<TatsReason[]> {
  if (leftBefore(record, asOf)) return [];
  const calendar = await store.pupils.calendarFor(record.schoolId, asOf);
  // No stored calendar reaches the date: the rules cannot say (never a later year's list from this year's record).
  if (!calendar?.covers(asOf)) return [];
  try {
    const triggers = await evaluator.evaluate(record, calendar, asOf);
    // One reason per trigger: a PEAP required in two half-terms is one line, its latest explanation.
    const byTrigger = new Map(triggers.filter((t) => TATS_TRIGGERS.includes(t.trigger)).map((t) => [t.trigger, t]));
    return [...byTrigger.values()].map((t) => ({ reason: t.trigger, title: t.title, detail: t.explanation }));
  } catch (error) {
    // A record that no longer passes today's checks is left off, as the evaluation leaves it.
    if (error instanceof InputError) return [];
    throw error;
  }
}

/** The list as lines of text, for the command line and a message. */
export function tatsListLines(list: TatsList): string[] {
  const lines = [`Team around the school — week of ${list.week} (${list.schools.join(', ') || 'no schools'}); changes since ${list.lastWeek}`];
  if (list.uncovered?.length) lines.push(`  no stored calendar covers ${list.week} for ${list.uncovered.join(', ')}: the rules' reasons are not listed there (import the school's calendar for that year)`);
  if (list.entries.length === 0) lines.push('  nobody on the list this week');
  for (const e of list.entries) {
    lines.push(`${e.schoolId} ${e.pupilId} [${e.change === 'still' ? 'still' : e.change.toUpperCase()}]${e.reasonsGone.length ? ` — no longer: ${e.reasonsGone.join(', ')}` : ''}`);
    if (e.steppedDown) lines.push(`    stepped down on ${e.steppedDown.on}; back because: ${e.steppedDown.backBecause.join('; ')}`);
    for (const r of e.reasons) lines.push(`    ${r.title}${e.reasonsAdded.includes(r.reason) ? ' (new this week)' : ''}: ${r.detail}${r.caseId ? ` [${r.caseId}]` : ''}`);
    for (const a of e.actions) lines.push(`    action: ${a.action} — ${a.owner}, ${a.overdue ? `OVERDUE since ${a.dueDate}` : `due ${a.dueDate}`} [${a.caseId}]`);
  }
  for (const s of list.steppedOff) lines.push(`${s.schoolId} ${s.pupilId} [OFF THE LIST]${s.steppedDownOn ? ` stepped down on ${s.steppedDownOn}` : ''} — last week: ${s.reasons.join(', ')}`);
  for (const h of list.heldOff ?? []) lines.push(`${h.schoolId} ${h.pupilId} [STEPPED DOWN on ${h.on}] — off the list until a new reason appears [${h.caseId}]`);
  return lines;
}
