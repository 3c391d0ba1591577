/**
 * The support a pupil has had, in date order, read from their support plan and nurture outreach
 * cases: what, with whom, from when, how it ended and what the measures say it changed. It is what
 * an officer auditing a decision looks for beside it, and what the PEAP's "support tried" answers
 * should rest on — data, not a sentence typed during the interview.
 */
import type { Actor } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { interventionWords } from '../cases/caseWords.js';
import { topState } from '../machines/caseDefinition.js';
import { CASELOAD_STATUS_WORDS, CLOSURE_REASON_WORDS, ESCALATION_WORDS, REFERRAL_ROUTE_WORDS } from '../machines/index.js';
import type { CaseStore } from '../store/caseStore.js';
import { measureChangeWords, measureChanges } from './supportMeasures.js';

export interface SupportLine {
  readonly caseId: string;
  readonly kind: 'support-plan' | 'nurture-outreach';
  /** "a nurture group", "nurture outreach (open at panel a year or more)". */
  readonly what: string;
  readonly provider?: string;
  /** The first day of the support (or the referral, while waiting). */
  readonly from: string;
  /** How it stands or ended: "running, review due 12 Nov 2025", "needs met (10 Dec 2025)". */
  readonly outcome: string;
  /** Before → after, per measure taken both ways. */
  readonly measures: readonly string[];
  /** Whether it is school-based (a plan the school provides) or external (a service). */
  readonly external: boolean;
  /** Still in hand: a plan running (not revised, ended or escalated), or an outreach referral not closed. */
  readonly inHand: boolean;
}

const isSupport = (v: CaseView): v is CaseView<'support-plan'> | CaseView<'nurture-outreach'> => v.kind === 'support-plan' || v.kind === 'nurture-outreach';

/**
 * The lines of support in a pupil's cases, oldest first (a support plan's every agreed plan is a line).
 * @example supportLines(await store.cases.list(officer, { pupilId: 'P2' }))
 */
export function supportLines(views: readonly CaseView[]): SupportLine[] {
  const lines: SupportLine[] = [];
  for (const v of views.filter(isSupport)) {
    if (v.kind === 'support-plan') {
      const c = v.context;
      const measures = measureChanges(c.measures).map(measureChangeWords);
      c.plans.forEach((p, i) => {
        const last = i === c.plans.length - 1;
        const review = [...c.reviews].reverse().find((r) => r.heldOn >= p.startDate);
        const state = topState(v.state);
        const outcome = !last
          ? 'revised at review'
          : state === 'needs-met'
            ? `needs met (${review?.heldOn ?? ''})`
            : state === 'escalated'
              ? `escalated to ${ESCALATION_WORDS[review?.escalatedTo ?? 'other']} (${review?.heldOn ?? ''})`
              : state === 'stopped'
                ? `stopped: ${(c.stopped?.reason ?? '').replace(/-/g, ' ')} (${c.stopped?.on ?? ''})`
                : `running, review ${c.overdue.includes('review') ? 'overdue since' : 'due'} ${c.nextReviewDue ?? p.reviewDue}`;
        const inHand = last && (state === 'do' || state === 'plan');
        lines.push({ caseId: v.id, kind: v.kind, what: interventionWords(p.intervention), provider: p.provider, from: p.startDate, outcome, measures: last ? measures : [], external: p.external, inHand });
      });
    } else {
      const c = v.context;
      const state = topState(v.state);
      const outcome = c.closed
        ? `closed: ${CLOSURE_REASON_WORDS[c.closed.reason]} (${c.closed.on})`
        : state === 'referred'
          ? "referred; parents' consent to seek"
          : state === 'waiting'
            ? 'waiting for a place'
            : c.status
              ? CASELOAD_STATUS_WORDS[c.status.status]
              : 'baseline to take';
      lines.push({ caseId: v.id, kind: v.kind, what: `nurture outreach (${REFERRAL_ROUTE_WORDS[c.route]})`, from: c.startedOn ?? c.referredOn, outcome, measures: measureChanges(c.measures).map(measureChangeWords), external: true, inHand: !c.closed });
    }
  }
  return lines.sort((a, b) => a.from.localeCompare(b.from) || a.caseId.localeCompare(b.caseId));
}

/** What is said of a pupil with no support on record (beside a decision: inform, never decide). */
export const NO_SUPPORT_ON_RECORD = 'None recorded: no support plan or outreach place is on the record for this pupil.';

/** A pupil's support, as `actor` may see it (the list of their cases is an audited read). */
export async function pupilSupport(store: CaseStore, actor: Actor, pupilId: string): Promise<SupportLine[]> {
  return supportLines(await store.cases.list(actor, { pupilId }));
}

/** One line in words: "from 2025-10-08: a nurture group with School nurture group — running, review due 2025-11-12; SDQ … 22 → 15 (improved)". */
export function supportLineWords(l: SupportLine): string {
  return `from ${l.from}: ${l.what}${l.provider ? ` with ${l.provider}` : ''} — ${l.outcome}${l.measures.length ? `; ${l.measures.join('; ')}` : ''}`;
}
