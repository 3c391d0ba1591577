/**
 * The figures of support tried, for an inclusion officer or a school: interventions by type and
 * how they ended, the average change in each measure (baseline to latest follow-up), the nurture
 * outreach service's caseload, waiting list, closures by reason and time from referral to a place,
 * and EHC needs assessments — requested, decided within 6 weeks, plans issued within 20 weeks, and
 * within the council's local target for children in care or on a child-protection plan (see
 * ehcTimescales.ts). Counts, never pupils.
 *
 * For publication (`publishedSupportFigures`), counts of 1 or 2 are withheld as DfE statistics do,
 * and so is every figure that would give one back through the sums the figures make (suppression.ts);
 * an average, a median or a share over a withheld count, or over fewer than 3, is withheld too.
 */
import { assertCanRead, type Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { EHC_STATUTORY_WEEKS, weeksBetween } from '../support/ehcTimescales.js';
import { interventionWords } from '../cases/caseWords.js';
import { CLOSURE_REASON_WORDS, CLOSURE_REASONS, type ClosureReason, type Intervention } from '../machines/index.js';
// The nurture case's own word on which states hold a place, so the figures count as the caseload does.
import { topState } from '../machines/caseDefinition.js';
import { HOLDS_PLACE } from '../machines/nurtureOutreachCase.js';
import type { CaseStore } from '../store/caseStore.js';
import { SMALLEST_SHOWN, suppressFigures, type Figure, type Sum } from './suppression.js';
import { MEASURE_WORDS, MEASURES, measureChanges, type Measure } from '../support/supportMeasures.js';

export const SUPPORT_OUTCOMES = ['running', 'needs-met', 'escalated', 'stopped', 'revised'] as const;
export type SupportOutcome = (typeof SUPPORT_OUTCOMES)[number];

export interface SupportFigures {
  /** Every plan agreed, by intervention and how it ended ("revised": replaced at a review). */
  readonly interventions: readonly { readonly intervention: Intervention; readonly outcomes: Readonly<Record<SupportOutcome, number>>; readonly total: number }[];
  /** Pupils with a baseline and a follow-up, and the average change (in the measure's units). */
  readonly measures: readonly { readonly measure: Measure; readonly pupils: number; readonly averageChange: number; readonly improved: number }[];
  readonly outreach: {
    readonly referred: number;
    readonly waiting: number;
    readonly placesTaken: number;
    /** The service's places (NURTURE_OUTREACH_CAPACITY), when the reader gives it: a setting, not a count of children. */
    readonly capacity?: number;
    readonly closed: number;
    readonly closedByReason: Readonly<Record<ClosureReason, number>>;
    /** Children given a place, now or before: the median wait counts over them. */
    readonly givenAPlace: number;
    readonly medianDaysReferralToPlace?: number;
  };
  readonly ehc: EhcFigures;
}

/** EHC needs assessments requested, where each stands, and how many were on time. */
export interface EhcFigures {
  readonly requested: number;
  /** Where the requests stand: these six add up to `requested`. */
  readonly awaitingDecision: number;
  readonly notAssessed: number;
  /** Being assessed, or a draft plan sent. */
  readonly beingAssessed: number;
  readonly plansIssued: number;
  readonly notIssued: number;
  readonly withdrawn: number;
  /** The council's decisions whether to assess, and those within 6 weeks of the request (reg. 5(1)). */
  readonly decisionsMade: number;
  readonly decisionsWithin6Weeks: number;
  /** Final plans issued within 20 weeks of the request (reg. 13(2)), and their share (%) of plans issued. */
  readonly issuedWithin20Weeks: number;
  readonly shareIssuedWithin20Weeks?: number;
  /** Still open with the 20 weeks passed (a deadline reached, the plan not issued). */
  readonly openPast20Weeks: number;
  /** Children in care or on a child-protection plan: the council's local target (EHC_LOCAL_TARGET_WEEKS_CIC). */
  readonly localTarget: { readonly requested: number; readonly plansIssued: number; readonly issuedWithinTarget: number; readonly shareIssuedWithinTarget?: number };
  /** Weeks from the request to the council's decision whether to assess, and to the final plan (medians). */
  readonly medianWeeksToDecision?: number;
  readonly medianWeeksToPlan?: number;
}

const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
const median = (values: number[]): number | undefined => {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? (v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2) : undefined;
};
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : undefined);

/**
 * The figures over a set of cases (any kinds: the support ones are counted).
 * @example supportFigures(await store.cases.list(officer))
 * @param capacity — the nurture outreach service's places, to show beside the places taken.
 */
export function supportFigures(views: readonly CaseView[], capacity?: number): SupportFigures {
  const byIntervention = new Map<Intervention, Record<SupportOutcome, number>>();
  const changes = new Map<Measure, number[]>();
  const improved = new Map<Measure, number>();
  const countChanges = (measures: Parameters<typeof measureChanges>[0]) => {
    for (const c of measureChanges(measures)) {
      changes.set(c.measure, [...(changes.get(c.measure) ?? []), c.change]);
      if (c.improved) improved.set(c.measure, (improved.get(c.measure) ?? 0) + 1);
    }
  };
  let referred = 0, waiting = 0, placesTaken = 0, closed = 0;
  const closedByReason = Object.fromEntries(CLOSURE_REASONS.map((r) => [r, 0])) as Record<ClosureReason, number>;
  const waits: number[] = [];
  const ehc = { requested: 0, awaitingDecision: 0, notAssessed: 0, beingAssessed: 0, plansIssued: 0, notIssued: 0, withdrawn: 0, decisionsMade: 0, decisionsWithin6Weeks: 0, issuedWithin20Weeks: 0, openPast20Weeks: 0 };
  const local = { requested: 0, plansIssued: 0, issuedWithinTarget: 0 };
  const toDecision: number[] = [];
  const toPlan: number[] = [];
  for (const v of views) {
    if (v.kind === 'support-plan') {
      const ended = topState(v.state);
      v.context.plans.forEach((p, i) => {
        const outcome: SupportOutcome = i < v.context.plans.length - 1 ? 'revised' : ended === 'needs-met' || ended === 'escalated' || ended === 'stopped' ? ended : 'running';
        const row = byIntervention.get(p.intervention) ?? { running: 0, 'needs-met': 0, escalated: 0, stopped: 0, revised: 0 };
        row[outcome]++;
        byIntervention.set(p.intervention, row);
      });
      countChanges(v.context.measures);
    } else if (v.kind === 'nurture-outreach') {
      referred++;
      const s = topState(v.state);
      if (s === 'waiting') waiting++;
      if (HOLDS_PLACE.has(s)) placesTaken++;
      if (s === 'closed') {
        closed++;
        if (v.context.closed) closedByReason[v.context.closed.reason]++;
      }
      if (v.context.startedOn) waits.push(days(v.context.referredOn, v.context.startedOn));
      countChanges(v.context.measures);
    } else if (v.kind === 'ehc-needs-assessment') {
      const c = v.context;
      const s = topState(v.state);
      ehc.requested++;
      if (s === 'requested') ehc.awaitingDecision++;
      else if (s === 'not-assessed') ehc.notAssessed++;
      else if (s === 'assessing' || s === 'draft-issued') ehc.beingAssessed++;
      else if (s === 'plan-issued') ehc.plansIssued++;
      else if (s === 'not-issued') ehc.notIssued++;
      else if (s === 'withdrawn') ehc.withdrawn++;
      if (c.assessDecision) {
        ehc.decisionsMade++;
        if (c.assessDecision.on <= c.decisionDue) ehc.decisionsWithin6Weeks++;
        toDecision.push(weeksBetween(c.requestedOn, c.assessDecision.on));
      }
      if (c.planIssued) {
        if (c.planIssued.on <= c.planDue) ehc.issuedWithin20Weeks++;
        toPlan.push(weeksBetween(c.requestedOn, c.planIssued.on));
      }
      if ((s === 'requested' || s === 'assessing' || s === 'draft-issued') && c.overdue.includes('plan')) ehc.openPast20Weeks++;
      if (c.localTargetDue !== undefined) {
        local.requested++;
        if (c.planIssued) {
          local.plansIssued++;
          if (c.planIssued.on <= c.localTargetDue) local.issuedWithinTarget++;
        }
      }
    }
  }
  const medianWait = median(waits);
  const [weeksToDecision, weeksToPlan] = [median(toDecision), median(toPlan)];
  const share20 = percent(ehc.issuedWithin20Weeks, ehc.plansIssued);
  const shareLocal = percent(local.issuedWithinTarget, local.plansIssued);
  return {
    interventions: [...byIntervention].map(([intervention, outcomes]) => ({ intervention, outcomes, total: Object.values(outcomes).reduce((a, b) => a + b, 0) })).sort((a, b) => b.total - a.total || a.intervention.localeCompare(b.intervention)),
    measures: MEASURES.filter((m) => changes.has(m)).map((measure) => {
      const c = changes.get(measure) ?? [];
      return { measure, pupils: c.length, averageChange: Math.round((c.reduce((a, b) => a + b, 0) / c.length) * 10) / 10, improved: improved.get(measure) ?? 0 };
    }),
    outreach: { referred, waiting, placesTaken, ...(capacity !== undefined ? { capacity } : {}), closed, closedByReason, givenAPlace: waits.length, ...(medianWait !== undefined ? { medianDaysReferralToPlace: medianWait } : {}) },
    ehc: {
      ...ehc,
      ...(share20 !== undefined ? { shareIssuedWithin20Weeks: share20 } : {}),
      localTarget: { ...local, ...(shareLocal !== undefined ? { shareIssuedWithinTarget: shareLocal } : {}) },
      ...(weeksToDecision !== undefined ? { medianWeeksToDecision: weeksToDecision } : {}),
      ...(weeksToPlan !== undefined ? { medianWeeksToPlan: weeksToPlan } : {}),
    },
  };
}

/** The figures for the cases `actor` may see (one school, or all theirs), beside the store's nurture outreach capacity; the list read is audited. */
export async function supportFiguresFor(store: CaseStore, actor: Actor, schoolId?: string, capacity: number = store.settings.nurtureCapacity): Promise<SupportFigures> {
  return supportFigures(await store.cases.list(actor, schoolId ? { schoolId } : {}), capacity);
}

/** A figure as published: `null` where withheld. */
type Withheld<T> = T extends number ? number | null : T extends readonly (infer U)[] ? readonly Withheld<U>[] : T extends object ? { readonly [K in keyof T]: Withheld<T[K]> } : T;

/** The support figures for publication: each withheld figure `null`, and how many were withheld. */
export type PublishedSupportFigures = Withheld<SupportFigures> & { readonly withheld: number; readonly note: string };

export const WITHHELD_NOTE = 'Counts of 1 or 2, and any figure from which one could be worked out (here or from another school’s figures), are withheld (c in text, null in JSON), as DfE statistics do; so is an average, median or share over fewer than 3 or over a withheld count.';

/** The figures of every school a reader covers, and of them all together: the linked table published from. */
export interface SupportFigureTables {
  readonly all: SupportFigures;
  readonly schools: ReadonlyMap<string, SupportFigures>;
}

/** An array element's name in a figure's key (an intervention, a measure), so each school's rows line up. */
const rowName = (row: unknown, i: number) => (row && typeof row === 'object' ? String((row as { intervention?: string; measure?: string }).intervention ?? (row as { measure?: string }).measure ?? i) : String(i));

/**
 * The figures ready to leave the council: counts of 1 or 2 withheld, and every figure that would give
 * one back through the sums the figures make — the parts of a total, a count and its complement
 * (pupils improved and not, plans on time and late), and each school's figure beside all the schools'
 * — which count as published even where not printed, since a reader can subtract.
 * @example publishedSupportFigures(figures).ehc.plansIssued // null when 1 or 2 plans were issued
 * @param of — which table to return: `all` (the default), or a school's id in `tables.schools`.
 */
export function publishedSupportFigures(tables: SupportFigures | SupportFigureTables, of = 'all'): PublishedSupportFigures {
  const linked: SupportFigureTables = 'schools' in tables ? tables : { all: tables, schools: new Map() };
  const figures = new Map<string, Figure>();
  const sums: Sum[] = [];
  const sum = (whole: string, parts: string[]) => sums.push({ whole, parts, counts: true });
  const countKeys = new Set<string>();
  for (const [table, f] of [['all', linked.all] as const, ...linked.schools]) {
    const count = (key: string, value: number) => {
      figures.set(`${table}:${key}`, { value, primary: value > 0 && value < SMALLEST_SHOWN });
      countKeys.add(key);
      return `${table}:${key}`;
    };
    const k = (key: string) => `${table}:${key}`;
    for (const row of f.interventions) {
      sum(count(`interventions.${row.intervention}.total`, row.total), SUPPORT_OUTCOMES.map((o) => count(`interventions.${row.intervention}.outcomes.${o}`, row.outcomes[o])));
    }
    for (const m of f.measures) sum(count(`measures.${m.measure}.pupils`, m.pupils), [count(`measures.${m.measure}.improved`, m.improved), count(`measures.${m.measure}.notImproved`, m.pupils - m.improved)]);
    const o = f.outreach;
    sum(count('outreach.referred', o.referred), [count('outreach.waiting', o.waiting), count('outreach.placesTaken', o.placesTaken), count('outreach.closed', o.closed), count('outreach.awaitingConsent', o.referred - o.waiting - o.placesTaken - o.closed)]);
    sum(k('outreach.closed'), CLOSURE_REASONS.map((r) => count(`outreach.closedByReason.${r}`, o.closedByReason[r])));
    count('outreach.givenAPlace', o.givenAPlace);
    const e = f.ehc;
    const withdrawnAfterDecision = e.decisionsMade - (e.notAssessed + e.beingAssessed + e.plansIssued + e.notIssued);
    const states = ['awaitingDecision', 'notAssessed', 'beingAssessed', 'plansIssued', 'notIssued', 'withdrawn'] as const;
    sum(count('ehc.requested', e.requested), states.map((s) => count(`ehc.${s}`, e[s])));
    sum(count('ehc.decisionsMade', e.decisionsMade), [k('ehc.notAssessed'), k('ehc.beingAssessed'), k('ehc.plansIssued'), k('ehc.notIssued'), count('ehc.withdrawnAfterDecision', withdrawnAfterDecision)]);
    sum(k('ehc.withdrawn'), [count('ehc.withdrawnBeforeDecision', e.withdrawn - withdrawnAfterDecision), k('ehc.withdrawnAfterDecision')]);
    sum(k('ehc.requested'), [k('ehc.awaitingDecision'), k('ehc.withdrawnBeforeDecision'), k('ehc.decisionsMade')]);
    sum(k('ehc.decisionsMade'), [count('ehc.decisionsWithin6Weeks', e.decisionsWithin6Weeks), count('ehc.decisionsLate', e.decisionsMade - e.decisionsWithin6Weeks)]);
    sum(k('ehc.plansIssued'), [count('ehc.issuedWithin20Weeks', e.issuedWithin20Weeks), count('ehc.issuedLate', e.plansIssued - e.issuedWithin20Weeks)]);
    sum(count('ehc.open', e.awaitingDecision + e.beingAssessed), [k('ehc.awaitingDecision'), k('ehc.beingAssessed')]);
    sum(k('ehc.open'), [count('ehc.openPast20Weeks', e.openPast20Weeks), count('ehc.openWithin20Weeks', e.awaitingDecision + e.beingAssessed - e.openPast20Weeks)]);
    const l = e.localTarget;
    sum(k('ehc.requested'), [count('ehc.localTarget.requested', l.requested), count('ehc.otherRequested', e.requested - l.requested)]);
    sum(k('ehc.plansIssued'), [count('ehc.localTarget.plansIssued', l.plansIssued), count('ehc.otherPlansIssued', e.plansIssued - l.plansIssued)]);
    sum(k('ehc.localTarget.plansIssued'), [count('ehc.localTarget.issuedWithinTarget', l.issuedWithinTarget), count('ehc.localTarget.issuedLate', l.plansIssued - l.issuedWithinTarget)]);
  }
  // All the schools together is the sum of each school's figure (a school without the row counts 0).
  if (linked.schools.size > 0) for (const key of countKeys) sum(`all:${key}`, [...linked.schools.keys()].map((school) => `${school}:${key}`));

  const hidden = suppressFigures(figures, sums);
  const f = of === 'all' ? linked.all : linked.schools.get(of);
  if (!f) throw new RangeError(`no support figures for school ${of}`);
  const shownAs = new Set([...hidden].filter((key) => key.startsWith(`${of}:`)).map((key) => key.slice(of.length + 1)));
  // An average, a median or a share speaks for the children counted under it.
  const over = (...counts: string[]) => counts.some((key) => shownAs.has(key) || (figures.get(`${of}:${key}`)?.value ?? 0) < SMALLEST_SHOWN);
  for (const m of f.measures) if (over(`measures.${m.measure}.pupils`)) shownAs.add(`measures.${m.measure}.averageChange`);
  if (over('outreach.givenAPlace')) shownAs.add('outreach.medianDaysReferralToPlace');
  if (over('ehc.decisionsMade')) shownAs.add('ehc.medianWeeksToDecision');
  if (over('ehc.plansIssued')) shownAs.add('ehc.medianWeeksToPlan');
  if (over('ehc.plansIssued', 'ehc.issuedWithin20Weeks')) shownAs.add('ehc.shareIssuedWithin20Weeks');
  if (over('ehc.localTarget.plansIssued', 'ehc.localTarget.issuedWithinTarget')) shownAs.add('ehc.localTarget.shareIssuedWithinTarget');

  const withhold = (value: unknown, path: string): unknown => {
    if (typeof value === 'number') return shownAs.has(path) ? null : value;
    if (Array.isArray(value)) return value.map((v, i) => withhold(v, `${path}.${rowName(v, i)}`));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, withhold(v, path ? `${path}.${key}` : key)]));
    return value;
  };
  const published = withhold(f, '') as Withheld<SupportFigures>;
  const nulls = (value: unknown): number => (value === null ? 1 : value && typeof value === 'object' ? Object.values(value).reduce((n: number, v) => n + nulls(v), 0) : 0);
  return { ...published, withheld: nulls(published), note: WITHHELD_NOTE };
}

/**
 * The figures for publication of one school, or of all the schools `actor` covers: read for every
 * school they cover (one audited list read), so a school's figures and all the schools' are
 * withheld together and neither gives the other away.
 */
export async function publishedSupportFiguresFor(store: CaseStore, actor: Actor, schoolId?: string, capacity: number = store.settings.nurtureCapacity): Promise<PublishedSupportFigures> {
  // A school out of the reader's reach is refused as a list of its cases would be.
  if (schoolId !== undefined) assertCanRead(actor, schoolId);
  const views = await store.cases.list(actor, {});
  const bySchool = new Map<string, CaseView[]>();
  for (const v of views) bySchool.set(v.schoolId, [...(bySchool.get(v.schoolId) ?? []), v]);
  // Every school the reader covers has a table, cases or none, so a school's zeros link to the total too.
  const schools = new Map([...new Set([...actor.schoolIds, ...bySchool.keys(), ...(schoolId !== undefined ? [schoolId] : [])])].sort().map((s) => [s, supportFigures(bySchool.get(s) ?? [], capacity)] as const));
  return publishedSupportFigures({ all: supportFigures(views, capacity), schools }, schoolId ?? 'all');
}

/**
 * The figures as lines of text, for the command line: `c` where a figure is withheld, and a first
 * line saying whether they are fit to publish.
 * @param localTargetWeeks — the local target setting in force, to name it.
 */
export function supportFiguresLines(f: SupportFigures | PublishedSupportFigures, localTargetWeeks: number): string[] {
  const n = (x: number | null | undefined) => (x === null ? 'c' : String(x ?? 0));
  const signed = (x: number | null) => (x === null ? 'c' : `${x > 0 ? '+' : ''}${x}`);
  const pct = (x: number | null | undefined) => (x === undefined ? '' : ` (${x === null ? 'c' : `${x}%`})`);
  const lines = ['withheld' in f ? `For publication: ${f.withheld} figure(s) withheld. ${f.note}` : 'Counts as recorded, for use inside the council: add --publication to withhold counts of 1 or 2, and any figure that would give one away, before they leave it.'];
  lines.push('Interventions (plans agreed), by how they ended:');
  if (f.interventions.length === 0) lines.push('  none recorded');
  for (const i of f.interventions) lines.push(`  ${interventionWords(i.intervention)}: ${n(i.total)} — ${Object.entries(i.outcomes).filter(([, x]) => x !== 0).map(([k, x]) => `${n(x)} ${k.replace(/-/g, ' ')}`).join(', ')}`);
  lines.push('Measures, baseline to latest follow-up:');
  if (f.measures.length === 0) lines.push('  none with both');
  for (const m of f.measures) lines.push(`  ${MEASURE_WORDS[m.measure].name} ${MEASURE_WORDS[m.measure].headline}: ${n(m.pupils)} pupil(s), average change ${signed(m.averageChange)}, ${n(m.improved)} improved`);
  const r = f.outreach;
  const wait = r.medianDaysReferralToPlace === undefined ? '' : `; median ${n(r.medianDaysReferralToPlace)} day(s) from referral to a place`;
  lines.push(`Nurture outreach: ${n(r.referred)} referred, ${n(r.placesTaken)} with a place, ${n(r.waiting)} waiting, ${n(r.closed)} closed${wait}${r.capacity !== undefined ? `; ${n(r.capacity)} places in all (NURTURE_OUTREACH_CAPACITY)` : ''}`);
  const closures = CLOSURE_REASONS.filter((c) => r.closedByReason[c] !== 0).map((c) => `${n(r.closedByReason[c])} ${CLOSURE_REASON_WORDS[c]}`);
  if (closures.length) lines.push(`  closed: ${closures.join('; ')}`);
  const e = f.ehc;
  lines.push(
    `EHC needs assessments: ${n(e.requested)} requested — ${n(e.awaitingDecision)} awaiting the council's decision, ${n(e.notAssessed)} not assessed, ${n(e.beingAssessed)} being assessed, ${n(e.plansIssued)} plan(s) issued, ${n(e.notIssued)} not issued, ${n(e.withdrawn)} withdrawn`,
  );
  lines.push(`  decisions whether to assess: ${n(e.decisionsMade)}, ${n(e.decisionsWithin6Weeks)} within ${EHC_STATUTORY_WEEKS.decision.weeks} weeks of the request${e.medianWeeksToDecision === undefined ? '' : `; median ${n(e.medianWeeksToDecision)} weeks to the decision`}`);
  lines.push(`  plans issued within ${EHC_STATUTORY_WEEKS.plan.weeks} weeks of the request: ${n(e.issuedWithin20Weeks)} of ${n(e.plansIssued)}${pct(e.shareIssuedWithin20Weeks)}${e.medianWeeksToPlan === undefined ? '' : `; median ${n(e.medianWeeksToPlan)} weeks to the plan`}; still open past ${EHC_STATUTORY_WEEKS.plan.weeks} weeks: ${n(e.openPast20Weeks)}`);
  const l = e.localTarget;
  lines.push(`  children in care or on a child-protection plan (local target EHC_LOCAL_TARGET_WEEKS_CIC, ${localTargetWeeks} weeks): ${n(l.requested)} requested, ${n(l.issuedWithinTarget)} of ${n(l.plansIssued)} plan(s) issued within the target${pct(l.shareIssuedWithinTarget)}`);
  return lines;
}
