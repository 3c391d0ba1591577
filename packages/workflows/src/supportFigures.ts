/**
 * The figures of support tried, for an inclusion officer or a school: interventions by type and
 * how they ended, the average change in each measure (baseline to latest follow-up), and the nurture
 * outreach service's caseload, waiting list and time from referral to a place. Counts, never pupils;
 * counts of 1 or 2 are the reader's to suppress before a figure leaves the council (see suppression.ts).
 */
import type { Actor } from './access.js';
import type { CaseView } from './caseService.js';
import type { Intervention } from './machines/index.js';
import type { CaseStore } from './store/caseStore.js';
import { MEASURES, measureChanges, type Measure } from './supportMeasures.js';

export const SUPPORT_OUTCOMES = ['running', 'needs-met', 'escalated', 'stopped', 'revised'] as const;
export type SupportOutcome = (typeof SUPPORT_OUTCOMES)[number];

export interface SupportFigures {
  /** Every plan agreed, by intervention and how it ended ("revised": replaced at a review). */
  readonly interventions: readonly { readonly intervention: Intervention; readonly outcomes: Readonly<Record<SupportOutcome, number>>; readonly total: number }[];
  /** Pupils with a baseline and a follow-up, and the average change (in the measure's units). */
  readonly measures: readonly { readonly measure: Measure; readonly pupils: number; readonly averageChange: number; readonly improved: number }[];
  readonly outreach: { readonly referred: number; readonly waiting: number; readonly placesTaken: number; readonly closed: number; readonly medianDaysReferralToPlace?: number };
}

const stateName = (v: CaseView) => (typeof v.state === 'string' ? v.state : Object.keys(v.state as object)[0] ?? '');
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * The figures over a set of cases (any kinds: the support ones are counted).
 * @example supportFigures(await store.cases.list(officer))
 */
export function supportFigures(views: readonly CaseView[]): SupportFigures {
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
  const waits: number[] = [];
  for (const v of views) {
    if (v.kind === 'support-plan') {
      const ended = stateName(v);
      v.context.plans.forEach((p, i) => {
        const outcome: SupportOutcome = i < v.context.plans.length - 1 ? 'revised' : ended === 'needs-met' || ended === 'escalated' || ended === 'stopped' ? ended : 'running';
        const row = byIntervention.get(p.intervention) ?? { running: 0, 'needs-met': 0, escalated: 0, stopped: 0, revised: 0 };
        row[outcome]++;
        byIntervention.set(p.intervention, row);
      });
      countChanges(v.context.measures);
    } else if (v.kind === 'nurture-outreach') {
      referred++;
      const s = stateName(v);
      if (s === 'waiting') waiting++;
      if (s === 'baseline' || s === 'active' || s === 'followed-up') placesTaken++;
      if (s === 'closed') closed++;
      if (v.context.startedOn) waits.push(days(v.context.referredOn, v.context.startedOn));
      countChanges(v.context.measures);
    }
  }
  waits.sort((a, b) => a - b);
  const median = waits.length ? (waits.length % 2 ? waits[(waits.length - 1) / 2]! : (waits[waits.length / 2 - 1]! + waits[waits.length / 2]!) / 2) : undefined;
  return {
    interventions: [...byIntervention].map(([intervention, outcomes]) => ({ intervention, outcomes, total: Object.values(outcomes).reduce((a, b) => a + b, 0) })).sort((a, b) => b.total - a.total || a.intervention.localeCompare(b.intervention)),
    measures: MEASURES.filter((m) => changes.has(m)).map((measure) => {
      const c = changes.get(measure) ?? [];
      return { measure, pupils: c.length, averageChange: Math.round((c.reduce((a, b) => a + b, 0) / c.length) * 10) / 10, improved: improved.get(measure) ?? 0 };
    }),
    outreach: { referred, waiting, placesTaken, closed, ...(median !== undefined ? { medianDaysReferralToPlace: median } : {}) },
  };
}

/** The figures for the cases `actor` may see (one school, or all theirs); the list read is audited. */
export async function supportFiguresFor(store: CaseStore, actor: Actor, schoolId?: string): Promise<SupportFigures> {
  return supportFigures(await store.cases.list(actor, schoolId ? { schoolId } : {}));
}
