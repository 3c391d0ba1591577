/**
 * The support figures as the Support figures page shows them: what the workflows' `supportFiguresFor`
 * counts (or, for publication, `publishedSupportFigures`, with small figures withheld) arranged into
 * tables of rows and cells, codes put into words. A withheld figure is "c", as on the Figures page;
 * a figure there is nothing to work out from (a median over no one) is a dash.
 */
import { CLOSURE_REASON_WORDS, CLOSURE_REASONS, EHC_STATUTORY_WEEKS, MEASURE_WORDS, SUPPORT_OUTCOMES, interventionWords, type PublishedSupportFigures } from '@before-exclusion/workflows';
import { SUPPORT_OUTCOME_NAMES } from './words.js';

/** The figures in either form: every number a count, or null where withheld for publication. */
export type SupportFiguresShown = Omit<PublishedSupportFigures, 'withheld' | 'note'>;

/** A figure as the figures page shows it: its number, "c" where withheld, a dash where there is none. */
export interface FigureCell {
  readonly text?: string;
  readonly withheld?: true;
  readonly notApplicable?: true;
}

export interface FigureRow {
  readonly header: string;
  readonly cells: readonly FigureCell[];
}

export interface FigureTable {
  readonly id: string;
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly FigureRow[];
  /** What the table says when it has no rows. */
  readonly empty: string;
  /** Whether any figure in it is withheld (the note on "c" goes under it). */
  readonly withheld: boolean;
}

/**
 * A figure: a number, null (withheld), or undefined (nothing to count).
 * @example cell(null) // { withheld: true }
 */
export function cell(value: number | null | undefined, format: (n: number) => string = (n) => n.toLocaleString('en-GB')): FigureCell {
  if (value === null) return { withheld: true };
  if (value === undefined) return { notApplicable: true };
  return { text: format(value) };
}

/** "a nurture group" → "A nurture group": a row's heading. */
const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
const percent = (n: number) => `${n}%`;

function table(id: string, caption: string, head: readonly string[], rows: readonly FigureRow[], empty = ''): FigureTable {
  return { id, caption, head, rows, empty, withheld: rows.some((r) => r.cells.some((c) => c.withheld)) };
}

/**
 * The page's tables, in order: plans by intervention and outcome, measures, the outreach caseload,
 * its closures by reason, and EHC needs assessments with their timescales.
 * @param localTargetWeeks — the council's local target for a child in care or on a child-protection plan (EHC_LOCAL_TARGET_WEEKS_CIC).
 */
export function supportFigureTables(f: SupportFiguresShown, localTargetWeeks: number): FigureTable[] {
  const o = f.outreach;
  const e = f.ehc;
  const l = e.localTarget;
  // Referred, neither waiting, placed nor closed: the parents' consent not yet recorded (withheld with any part withheld).
  const parts = [o.referred, o.waiting, o.placesTaken, o.closed];
  const awaitingConsent = parts.some((x) => x === null) ? null : (o.referred ?? 0) - (o.waiting ?? 0) - (o.placesTaken ?? 0) - (o.closed ?? 0);
  return [
    table(
      'interventions',
      'Support plans agreed, by intervention and how each ended',
      ['Intervention', ...SUPPORT_OUTCOMES.map((s) => SUPPORT_OUTCOME_NAMES[s]), 'All plans'],
      f.interventions.map((i) => ({ header: capital(interventionWords(i.intervention)), cells: [...SUPPORT_OUTCOMES.map((s) => cell(i.outcomes[s])), cell(i.total)] })),
      'No support plan is recorded.',
    ),
    table(
      'measures',
      'Measures, from the baseline to the latest follow-up',
      ['Measure', 'Pupils with both', 'Average change', 'Pupils improved'],
      f.measures.map((m) => {
        const w = MEASURE_WORDS[m.measure];
        return { header: `${w.name}, ${w.headline} (${w.higherIsBetter ? 'higher is better' : 'lower is better'})`, cells: [cell(m.pupils), cell(m.averageChange, signed), cell(m.improved)] };
      }),
      'No pupil has both a baseline and a follow-up.',
    ),
    table('outreach', 'Nurture outreach', ['Referrals and places', 'Number'], [
      { header: 'Referred', cells: [cell(o.referred)] },
      { header: 'Awaiting the parents’ consent', cells: [cell(awaitingConsent)] },
      { header: 'Waiting for a place', cells: [cell(o.waiting)] },
      { header: 'With a place now', cells: [cell(o.placesTaken)] },
      ...(o.capacity !== undefined ? [{ header: 'Places the service has (NURTURE_OUTREACH_CAPACITY)', cells: [cell(o.capacity)] }] : []),
      { header: 'Closed', cells: [cell(o.closed)] },
      { header: 'Given a place, now or before', cells: [cell(o.givenAPlace)] },
      { header: 'Median days from referral to a place', cells: [cell(o.medianDaysReferralToPlace)] },
    ]),
    table(
      'closures',
      'Nurture outreach closed, by reason',
      ['Reason', 'Children'],
      CLOSURE_REASONS.map((r) => ({ header: capital(CLOSURE_REASON_WORDS[r]), cells: [cell(o.closedByReason[r])] })),
    ),
    table('ehc', 'EHC needs assessments', ['Requests and timescales', 'Number'], [
      { header: 'Requested', cells: [cell(e.requested)] },
      { header: 'Awaiting the council’s decision whether to assess', cells: [cell(e.awaitingDecision)] },
      { header: 'Not assessed', cells: [cell(e.notAssessed)] },
      { header: 'Being assessed, or a draft plan sent', cells: [cell(e.beingAssessed)] },
      { header: 'Final plan issued', cells: [cell(e.plansIssued)] },
      { header: 'Assessed, no plan issued', cells: [cell(e.notIssued)] },
      { header: 'Withdrawn', cells: [cell(e.withdrawn)] },
      { header: 'Decisions whether to assess', cells: [cell(e.decisionsMade)] },
      { header: `Decided within ${EHC_STATUTORY_WEEKS.decision.weeks} weeks of the request`, cells: [cell(e.decisionsWithin6Weeks)] },
      { header: 'Median weeks to the decision', cells: [cell(e.medianWeeksToDecision)] },
      { header: `Final plans issued within ${EHC_STATUTORY_WEEKS.plan.weeks} weeks of the request`, cells: [cell(e.issuedWithin20Weeks)] },
      { header: `Share of final plans issued within ${EHC_STATUTORY_WEEKS.plan.weeks} weeks`, cells: [cell(e.shareIssuedWithin20Weeks, percent)] },
      { header: 'Median weeks to the final plan', cells: [cell(e.medianWeeksToPlan)] },
      { header: `Still open with the ${EHC_STATUTORY_WEEKS.plan.weeks} weeks passed`, cells: [cell(e.openPast20Weeks)] },
      { header: 'Children in care or on a child-protection plan: requested', cells: [cell(l.requested)] },
      { header: 'Children in care or on a child-protection plan: final plans issued', cells: [cell(l.plansIssued)] },
      { header: `Children in care or on a child-protection plan: issued within the local target of ${localTargetWeeks} weeks`, cells: [cell(l.issuedWithinTarget)] },
      { header: 'Share issued within the local target', cells: [cell(l.shareIssuedWithinTarget, percent)] },
    ]),
  ];
}
