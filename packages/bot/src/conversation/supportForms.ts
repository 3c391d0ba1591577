/**
 * The two forms a head fills in to keep support tried on the record from a chat: the support
 * itself (what, who provides it, from when, when it is reviewed — the plan of the graduated
 * approach's Assess → Plan → Do → Review) and its review (how it ended or goes on). Each may carry
 * a Boxall, SDQ or Thrive score, so what the support changed is a difference of numbers.
 *
 * Each form reads back into the support-plan case's own events, checked by the same schemas the
 * case store applies, so an error is shown under its field before anything is written.
 */
import { isIsoDate, type IsoDate } from '@before-exclusion/rules';
import {
  ESCALATIONS,
  INTERVENTIONS,
  MEASURES,
  MEASURE_WORDS,
  SUPPORT_REVIEW_OUTCOMES,
  interventionWords,
  measureSchema,
  supportPlanCase,
  type Intervention,
  type Measure,
  type MeasureTaken,
} from '@before-exclusion/workflows';
import type { z } from 'zod';
import { readDate, type Read, type Submitted } from './forms.js';
import type { ActionData, FormField, FormReply } from './replies.js';

type Problems = { readonly error?: string; readonly fieldErrors?: Readonly<Record<string, string>> };
type PlanPayload = z.output<typeof supportPlanCase.events.AGREE_PLAN.payload>;
type ReviewPayload = z.output<typeof supportPlanCase.events.HOLD_REVIEW.payload>;

/** What the support form records: the plan agreed, and a baseline measure when one was taken. */
export interface SupportEntered {
  readonly plan: PlanPayload;
  readonly baseline?: MeasureTaken;
}

/** What the review form records: the review, and a follow-up measure when one was taken. */
export interface ReviewEntered {
  readonly review: ReviewPayload;
  readonly followUp?: MeasureTaken;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');
const capital = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);

const INTERVENTION_CHOICES = INTERVENTIONS.map((value: Intervention) => ({ value, title: capital(interventionWords(value)) }));
const OUTCOME_WORDS: Readonly<Record<(typeof SUPPORT_REVIEW_OUTCOMES)[number], string>> = {
  continue: 'Continue it, with a next review',
  'revise-plan': 'Revise the plan',
  'needs-met': 'Needs met: the support ends',
  escalate: 'Escalate',
};
const ESCALATION_WORDS: Readonly<Record<(typeof ESCALATIONS)[number], string>> = {
  peap: 'A pre-exclusion assessment (PEAP)',
  'ehc-needs-assessment': 'An EHC needs assessment',
  ebsna: 'The EBSNA pathway',
  'nurture-outreach': 'Nurture outreach',
  'social-care': 'Social care',
  other: 'Another service',
};
const MEASURE_CHOICES = MEASURES.map((value: Measure) => ({ value, title: MEASURE_WORDS[value].name }));

/** The optional measure: which one, its headline score, and Boxall's second section. */
function measureFields(stage: 'baseline' | 'follow-up', v: (id: string) => string): FormField[] {
  return [
    { id: 'measure', label: stage === 'baseline' ? 'A baseline measure taken (optional)' : 'A follow-up measure taken (optional)', kind: 'choice', choices: MEASURE_CHOICES, value: v('measure') },
    { id: 'score', label: 'Its score: Boxall developmental strands (0–136), SDQ total difficulties (0–40) or Thrive statements met (0–100 %)', kind: 'number', min: 0, max: 136, value: v('score') },
    { id: 'diagnostic', label: 'Boxall diagnostic profile (0–136), with a Boxall Profile', kind: 'number', min: 0, max: 136, value: v('diagnostic') },
  ];
}

/**
 * The form that records support tried for a pupil: one submit opens the support plan with its
 * assessment and plan (`submit`: `support.record` with the form's own key, so a second press opens
 * nothing more) or completes the plan waiting for one (`completes`, its case id), or agrees a revised plan on the plan's case (`support.replan`, with its revision).
 */
export function supportForm(
  pupilId: string,
  submit: ActionData,
  defaults: { readonly startDate: IsoDate; readonly reviewDue?: IsoDate | undefined; readonly external?: boolean; readonly intervention?: string; readonly provider?: string; readonly completes?: string | undefined },
  values: Submitted = {},
  problems: Problems = {},
): FormReply {
  const revising = submit.verb === 'support.replan';
  const v = (id: string, otherwise = '') => text(values[id]) || otherwise;
  const fields: FormField[] = [
    { id: 'intervention', label: 'Support', kind: 'choice', required: true, choices: INTERVENTION_CHOICES, value: v('intervention', defaults.intervention) },
    { id: 'provider', label: 'Who provides it (the school, or the service)', kind: 'text', required: true, value: v('provider', defaults.provider) },
    { id: 'external', label: 'Is it provided by a service from outside the school?', kind: 'yes-no', required: true, value: v('external', defaults.external ? 'yes' : 'no') },
    { id: 'startDate', label: 'Started on', kind: 'date', required: true, value: v('startDate', defaults.startDate) },
    { id: 'reviewDue', label: 'Review by', kind: 'date', required: true, value: v('reviewDue', defaults.reviewDue ?? '') },
    { id: 'targets', label: 'Targets (optional; kept sealed with the pupil’s record)', kind: 'long-text', value: v('targets') },
    ...measureFields('baseline', v),
  ];
  return {
    type: 'form',
    title: `${revising ? 'The revised plan' : 'Record support tried'} · pupil ${pupilId}`,
    intro: revising
      ? 'Its review decided to revise the plan: what the support is now, from when, and its next review.'
      : `${defaults.completes ? `It completes the pupil’s support plan waiting for its plan (case ${defaults.completes}), rather than opening a second. ` : ''}It goes on the pupil’s support record: the PEAP’s “support tried” questions and the officer’s case view read it, and its review is a date you are reminded of.`,
    fields,
    submit: { title: revising ? 'Agree the revised plan' : 'Record the support', data: submit },
    ...(problems.error ? { error: problems.error } : {}),
    ...(problems.fieldErrors ? { fieldErrors: problems.fieldErrors } : {}),
  };
}

/** Reads the support form into the plan (and baseline), or the errors per field. */
export function readSupport(values: Submitted, today: IsoDate): Read<SupportEntered> {
  const errors: Record<string, string> = {};
  const intervention = text(values.intervention);
  if (!intervention) errors.intervention = 'Choose the support.';
  const startDate = readDate(values.startDate, today, 'the day it started', errors, 'startDate');
  const reviewDue = readDate(values.reviewDue, today, 'the date it is to be reviewed by', errors, 'reviewDue');
  const targets = text(values.targets);
  const candidate = { intervention, provider: text(values.provider), startDate, reviewDue, external: yes(values.external), ...(targets ? { targets } : {}) };
  const plan = supportPlanCase.events.AGREE_PLAN.payload.safeParse(candidate);
  if (!plan.success) for (const issue of plan.error.issues) errors[String(issue.path[0] ?? 'intervention')] ??= issueWords(String(issue.path[0]), issue.message);
  // A baseline is taken by the start, or today for support still to start (never on a day to come).
  const baseline = readMeasure(values, 'baseline', startDate && startDate < today ? startDate : today, errors);
  if (Object.keys(errors).length || !plan.success) return { errors };
  return { value: { plan: plan.data, ...(baseline ? { baseline } : {}) } };
}

/** The form that records a support plan's review, with the next review suggested (the plan's own interval again). */
export function supportReviewForm(
  caseId: string,
  pupilId: string,
  revision: number,
  what: string,
  defaults: { readonly heldOn: IsoDate; readonly nextReviewDue?: IsoDate | undefined },
  values: Submitted = {},
  problems: Problems = {},
): FormReply {
  const v = (id: string, otherwise = '') => text(values[id]) || otherwise;
  const fields: FormField[] = [
    { id: 'heldOn', label: 'Reviewed on', kind: 'date', required: true, value: v('heldOn', defaults.heldOn) },
    { id: 'outcome', label: 'Outcome', kind: 'choice', required: true, choices: SUPPORT_REVIEW_OUTCOMES.map((value) => ({ value, title: OUTCOME_WORDS[value] })), value: v('outcome') },
    { id: 'nextReviewDue', label: 'Next review by (to continue it)', kind: 'date', value: v('nextReviewDue', defaults.nextReviewDue ?? '') },
    { id: 'escalatedTo', label: 'Escalated to (to escalate)', kind: 'choice', choices: ESCALATIONS.map((value) => ({ value, title: ESCALATION_WORDS[value] })), value: v('escalatedTo') },
    ...measureFields('follow-up', v),
    { id: 'notes', label: 'Notes (optional; kept sealed with the pupil’s record)', kind: 'long-text', value: v('notes') },
  ];
  return {
    type: 'form',
    title: `Review the support · pupil ${pupilId}`,
    intro: `${capital(what)}. A follow-up score shows beside the baseline in the PEAP and the officer’s view.`,
    fields,
    submit: { title: 'Record the review', data: { verb: 'support.review', caseId, revision } },
    ...(problems.error ? { error: problems.error } : {}),
    ...(problems.fieldErrors ? { fieldErrors: problems.fieldErrors } : {}),
  };
}

/** Reads the review form into the review (and follow-up), or the errors per field. */
export function readSupportReview(values: Submitted, today: IsoDate): Read<ReviewEntered> {
  const errors: Record<string, string> = {};
  const heldOn = readDate(values.heldOn, today, 'the day it was reviewed', errors, 'heldOn');
  const outcome = text(values.outcome);
  if (!outcome) errors.outcome = 'Choose the outcome.';
  // Only the outcome's own detail is kept: a suggested next date is not sent with "needs met".
  const nextReviewDue = outcome === 'continue' ? readDate(values.nextReviewDue, today, 'the next review date, to continue it', errors, 'nextReviewDue') : undefined;
  const escalatedTo = outcome === 'escalate' ? text(values.escalatedTo) : '';
  if (outcome === 'escalate' && !escalatedTo) errors.escalatedTo = 'Choose where it escalates to.';
  const notes = text(values.notes);
  const candidate = { heldOn, outcome, ...(nextReviewDue ? { nextReviewDue } : {}), ...(escalatedTo ? { escalatedTo } : {}), ...(notes ? { notes } : {}) };
  const review = supportPlanCase.events.HOLD_REVIEW.payload.safeParse(candidate);
  if (!review.success) for (const issue of review.error.issues) errors[String(issue.path[0] ?? 'outcome')] ??= issueWords(String(issue.path[0]), issue.message);
  const followUp = readMeasure(values, 'follow-up', heldOn, errors);
  if (Object.keys(errors).length || !review.success) return { errors };
  return { value: { review: review.data, ...(followUp ? { followUp } : {}) } };
}

/** The optional measure, checked by the measures' own schema; its errors go under the score fields. */
function readMeasure(values: Submitted, stage: 'baseline' | 'follow-up', takenOn: IsoDate | undefined, errors: Record<string, string>): MeasureTaken | undefined {
  const measure = text(values.measure);
  const score = text(values.score);
  const diagnostic = text(values.diagnostic);
  if (!measure) {
    if (score || diagnostic) errors.measure = 'Choose which measure the score is from (Boxall Profile, SDQ or Thrive), or clear the score.';
    return undefined;
  }
  if (!score) {
    errors.score = `Give the ${MEASURE_WORDS[measure as Measure]?.headline ?? 'score'} score, or choose no measure.`;
    return undefined;
  }
  if (!takenOn || !isIsoDate(takenOn)) return undefined; // the date's own error is said under it
  const number = (raw: string) => (/^\d+$/.test(raw) ? Number(raw) : Number.NaN);
  const headline = measure === 'boxall' ? 'developmentalStrands' : measure === 'sdq' ? 'totalDifficulties' : 'percentMet';
  const candidate = { measure, stage, takenOn, [headline]: number(score), ...(measure === 'boxall' ? { diagnosticProfile: diagnostic ? number(diagnostic) : undefined } : {}) };
  const parsed = measureSchema.safeParse(candidate);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const field = issue.path[0] === 'diagnosticProfile' ? 'diagnostic' : issue.path[0] === 'measure' ? 'measure' : 'score';
    errors[field] ??= field === 'diagnostic' && !diagnostic ? 'Give the Boxall diagnostic profile too (0–136): a Boxall Profile has both sections.' : sentence(issue.message);
  }
  return undefined;
}

const yes = (v: unknown) => v === true || text(v) === 'yes';

/** A schema's message for a field, as said under it. */
function issueWords(field: string, message: string): string {
  if (field === 'reviewDue' && /after the start/.test(message)) return 'The review must be after the day it starts: give a later date.';
  if (field === 'nextReviewDue') return 'To continue it, give the next review date, after this review.';
  return sentence(message);
}

function sentence(t: string): string {
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
