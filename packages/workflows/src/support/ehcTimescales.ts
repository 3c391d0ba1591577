/**
 * The timescales of an EHC needs assessment, counted in calendar weeks from the day the local
 * authority receives the request (the regulations say "within N weeks of … receiving a request",
 * not school days, so holidays count):
 *
 * - 6 weeks: the decision whether to secure an assessment — The Special Educational Needs and
 *   Disability Regulations 2014 (SI 2014/1530) reg. 4(1) and 5(1);
 * - 16 weeks: a decision, after assessing, not to issue a plan — reg. 10(1);
 * - 20 weeks: the final plan issued — reg. 13(2); the SEND Code of Practice 0–25 (2015) §9.40:
 *   the whole process "must take no more than 20 weeks".
 * In force since 1 September 2014. The exceptions of reg. 10(4)/13(3) (school closed 4 weeks,
 * exceptional personal circumstances, away from the area) are not modelled: a late plan counts late.
 *
 * Halton's local target — EHC plans for children in care and on a child-protection plan "completed
 * in 16 weeks" (seed 002 lines 3199–3201, performance indicator PED04 09) — is a council's choice,
 * not law: the setting `EHC_LOCAL_TARGET_WEEKS_CIC` (default 16).
 */
import { EventRefused } from '../errors.js';

/** The statutory weeks, each with the text it comes from (in force from 2014-09-01). */
export const EHC_STATUTORY_WEEKS = {
  decision: { weeks: 6, source: 'SEND Regulations 2014 reg. 4(1) and 5(1)', from: '2014-09-01' },
  notToIssue: { weeks: 16, source: 'SEND Regulations 2014 reg. 10(1)', from: '2014-09-01' },
  plan: { weeks: 20, source: 'SEND Regulations 2014 reg. 13(2); SEND Code of Practice 2015 §9.40', from: '2014-09-01' },
} as const;

/** Halton's local target for children in care and on a child-protection plan (seed 002 lines 3199–3201). */
export const DEFAULT_EHC_LOCAL_TARGET_WEEKS = 16;

/** The local target setting: `EHC_LOCAL_TARGET_WEEKS_CIC` (whole weeks, 1 to 20), else Halton's 16. */
export function ehcLocalTargetWeeks(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.EHC_LOCAL_TARGET_WEEKS_CIC?.trim();
  if (!raw) return DEFAULT_EHC_LOCAL_TARGET_WEEKS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > EHC_STATUTORY_WEEKS.plan.weeks) {
    throw new EventRefused(`EHC_LOCAL_TARGET_WEEKS_CIC is ${JSON.stringify(raw)}: expected a whole number of weeks from 1 to ${EHC_STATUTORY_WEEKS.plan.weeks} (default ${DEFAULT_EHC_LOCAL_TARGET_WEEKS})`);
  }
  return n;
}

/**
 * The day `weeks` calendar weeks after `date` (YYYY-MM-DD): the last day "within" that many weeks.
 * @example weeksAfter('2026-09-07', 20) // '2027-01-25'
 */
export function weeksAfter(date: string, weeks: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
}

/** Whole and part weeks from one date to another, to one decimal place (for the figures). */
export function weeksBetween(from: string, to: string): number {
  return Math.round(((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / (7 * 86_400_000)) * 10) / 10;
}

/** The due dates of a request received on `requestedOn`; the local target's only when it applies. */
export function ehcDueDates(requestedOn: string, localTargetWeeks?: number) {
  return {
    decisionDue: weeksAfter(requestedOn, EHC_STATUTORY_WEEKS.decision.weeks),
    notToIssueDue: weeksAfter(requestedOn, EHC_STATUTORY_WEEKS.notToIssue.weeks),
    planDue: weeksAfter(requestedOn, EHC_STATUTORY_WEEKS.plan.weeks),
    ...(localTargetWeeks !== undefined ? { localTargetDue: weeksAfter(requestedOn, localTargetWeeks) } : {}),
  };
}
