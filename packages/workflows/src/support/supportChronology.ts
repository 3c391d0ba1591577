/**
 * The support a pupil has had, in date order, read from their support plan and nurture outreach
 * cases: what, with whom, from when, how it ended and what the measures say it changed. It is what
 * an officer auditing a decision looks for beside it, and what the PEAP's "support tried" answers
 * should rest on — data, not a sentence typed during the interview.
 */
import type { Actor } from '../access.js';
import { englishDate } from '../clock.js';
import type { CaseView } from '../cases/caseService.js';
import { interventionWords } from '../cases/caseWords.js';
import { topState } from '../machines/caseDefinition.js';
import { CASELOAD_STATUS_WORDS, CLOSURE_REASON_WORDS, ESCALATION_WORDS, REFERRAL_ROUTE_WORDS, type SupportPlanContext } from '../machines/index.js';
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
 * With `asAt` (an instant), as they stood then — what a head had on record when deciding: only what
 * was recorded by then, each plan's standing worked out from its reviews and stop up to then.
 * @example supportLines(await store.cases.list(officer, { pupilId: 'P2' }))
 */
export function supportLines(views: readonly CaseView[], asAt?: string): SupportLine[] {
  const lines: SupportLine[] = [];
  const by = (at: string) => asAt === undefined || at <= asAt;
  const onDay = asAt === undefined ? undefined : englishDate(new Date(asAt));
  for (const v of views.filter(isSupport)) {
    if (!by(v.openedAt)) continue;
    if (v.kind === 'support-plan') {
      const c = asAt === undefined ? v.context : planAsAt(v.context, asAt);
      const state = asAt === undefined ? topState(v.state) : planStandingOf(c);
      const measures = measureChanges(c.measures).map(measureChangeWords);
      c.plans.forEach((p, i) => {
        const last = i === c.plans.length - 1;
        const review = [...c.reviews].reverse().find((r) => r.heldOn >= p.startDate);
        const due = asAt === undefined ? (c.nextReviewDue ?? p.reviewDue) : nextReviewDueOf(c, p);
        const overdue = onDay === undefined ? c.overdue.includes('review') : due < onDay;
        const outcome = !last
          ? 'revised at review'
          : state === 'needs-met'
            ? `needs met (${review?.heldOn ?? ''})`
            : state === 'escalated'
              ? `escalated to ${ESCALATION_WORDS[review?.escalatedTo ?? 'other']} (${review?.heldOn ?? ''})`
              : state === 'stopped'
                ? `stopped: ${(c.stopped?.reason ?? '').replace(/-/g, ' ')} (${c.stopped?.on ?? ''})`
                : `running, review ${overdue ? 'overdue since' : 'due'} ${due}`;
        const inHand = last && (state === 'do' || state === 'plan');
        lines.push({ caseId: v.id, kind: v.kind, what: interventionWords(p.intervention), provider: p.provider, from: p.startDate, outcome, measures: last ? measures : [], external: p.external, inHand });
      });
    } else {
      const c = v.context;
      const closed = c.closed && by(c.closed.at) ? c.closed : undefined;
      const measures = c.measures.filter((m) => by(m.at));
      // Without a time on the start, consent and status, their days say whether they had come by then.
      const onOrBefore = (day: string | undefined) => day !== undefined && (onDay === undefined || day <= onDay);
      const started = onOrBefore(c.startedOn);
      const status = onDay === undefined ? c.status?.status : [...c.statusHistory].reverse().find((h) => h.on <= onDay)?.status;
      const waiting = asAt === undefined ? topState(v.state) === 'waiting' : c.consent?.given === true && onOrBefore(c.consent.on);
      const outcome = closed
        ? `closed: ${CLOSURE_REASON_WORDS[closed.reason]} (${closed.on})`
        : !started
          ? waiting
            ? 'waiting for a place'
            : "referred; parents' consent to seek"
          : status
            ? CASELOAD_STATUS_WORDS[status]
            : 'baseline to take';
      lines.push({ caseId: v.id, kind: v.kind, what: `nurture outreach (${REFERRAL_ROUTE_WORDS[c.route]})`, from: started ? c.startedOn! : c.referredOn, outcome, measures: measureChanges(measures).map(measureChangeWords), external: true, inHand: !closed });
    }
  }
  return lines.sort((a, b) => a.from.localeCompare(b.from) || a.caseId.localeCompare(b.caseId));
}

/** A support plan as recorded by `asAt`: its plans, reviews, measures and stop up to then. */
function planAsAt(c: SupportPlanContext, asAt: string): SupportPlanContext {
  const { stopped, ...rest } = c;
  return {
    ...rest,
    plans: c.plans.filter((p) => p.at <= asAt),
    reviews: c.reviews.filter((r) => r.at <= asAt),
    measures: c.measures.filter((m) => m.at <= asAt),
    ...(stopped && stopped.at <= asAt ? { stopped } : {}),
  };
}

/** A plan's standing from what it records (its machine's top states): stopped, ended at a review, awaiting a plan, or running. */
function planStandingOf(c: SupportPlanContext): string {
  if (c.stopped) return 'stopped';
  const lastPlan = c.plans.at(-1);
  const review = c.reviews.at(-1);
  if (review && lastPlan && review.at >= lastPlan.at) {
    if (review.outcome === 'needs-met') return 'needs-met';
    if (review.outcome === 'escalate') return 'escalated';
    if (review.outcome === 'revise-plan') return 'plan';
  }
  return lastPlan ? 'do' : 'plan';
}

/** The review next due for plan step `p`: a later review's next date (to continue), else the plan's own. */
function nextReviewDueOf(c: SupportPlanContext, p: SupportPlanContext['plans'][number]): string {
  const review = c.reviews.at(-1);
  return review && review.at >= p.at && review.outcome === 'continue' && review.nextReviewDue ? review.nextReviewDue : p.reviewDue;
}

/** What is said of a pupil with no support on record (beside a decision: inform, never decide). */
export const NO_SUPPORT_ON_RECORD = 'None recorded: no support plan or outreach place is on the record for this pupil.';

/** A pupil's support, as `actor` may see it (the list of their cases is an audited read); with `asAt`, as it stood then. */
export async function pupilSupport(store: CaseStore, actor: Actor, pupilId: string, asAt?: string): Promise<SupportLine[]> {
  return supportLines(await store.cases.list(actor, { pupilId }), asAt);
}

/** One line in words: "from 2025-10-08: a nurture group with School nurture group — running, review due 2025-11-12; SDQ … 22 → 15 (improved)". */
export function supportLineWords(l: SupportLine): string {
  return `from ${l.from}: ${l.what}${l.provider ? ` with ${l.provider}` : ''} — ${l.outcome}${l.measures.length ? `; ${l.measures.join('; ')}` : ''}`;
}
