/**
 * Checking a proposed suspension before the head decides: what it would trigger (duties,
 * deadlines with dates, the sixth-day date), how many of the 45 days would be left — and a
 * refusal when it would take the pupil past the annual limit.
 */
import type { SchoolCalendar, Term } from './calendar/schoolCalendar.js';
import { addDays, longDate, type IsoDate, type Session } from './dates.js';
import { RulesEvaluator, type Trigger } from './evaluate.js';
import { formatNumber, PROPOSED_ID } from './factCatalog.js';
import { derivePupilFacts, type ExclusionFacts } from './facts.js';
import { fieldPath, InputError } from './problems.js';
import { exclusionSchema, type PupilRecord } from './pupilRecord.js';
import type { RulePack } from './rulePack.js';

/** The id the proposed suspension carries in triggers' `exclusionIds` (explanations call it "the proposal"). */
export { PROPOSED_ID };

/** A suspension the head is considering. */
export interface ProposedSuspension {
  readonly startDate: IsoDate;
  readonly startSession?: Session;
  /** For a suspension (FIXD): registration sessions, two a school day. */
  readonly sessions?: number;
  /** For a lunchtime suspension (LNCH). */
  readonly lunchtimes?: number;
  readonly category?: 'FIXD' | 'SUSP' | 'LNCH';
  readonly reasons?: readonly string[];
  readonly missesPublicExam?: boolean;
}

export interface SuspensionAssessment {
  /** False when the suspension would break the law: more than the annual limit (45 school days) in the year. */
  readonly allowed: boolean;
  /** Why it is refused, in plain English. */
  readonly refusal?: string;
  /** The proposal as it would lie on the calendar. */
  readonly startDate: IsoDate;
  readonly lastDate: IsoDate | undefined;
  /** The first school day the pupil would be back (after a suspension of whole days). */
  readonly returnDate: IsoDate | undefined;
  readonly schoolDays: number;
  /** Suspension days this year (including previous schools) before and after the proposal. */
  readonly yearTotalBefore: number;
  readonly yearTotalAfter: number;
  /** The annual limit in force (45 school days), from the rule pack. */
  readonly annualLimit: number;
  /** Days of the annual limit left after the proposal (never negative). */
  readonly daysLeft: number;
  /** The highest term total the proposal would make, in the term it falls in (the one the duties follow). */
  readonly termTotalAfter: ExclusionFacts['termTotal'];
  /** Suspension days after the proposal in each term it touches (two when it runs over a holiday between terms). */
  readonly termTotalsAfter: readonly { readonly term: Term; readonly days: number }[];
  /** The sixth consecutive school day of exclusion, when the run the proposal joins reaches it. */
  readonly sixthDay: IsoDate | undefined;
  /** From when, during the proposal, full-time education must be provided. */
  readonly fullTimeEducationFrom: IsoDate | undefined;
  /** Everything the proposal would trigger or add to: duties, deadlines, PEAP. */
  readonly triggers: readonly Trigger[];
}

/**
 * What a proposed suspension would trigger, computed before the head decides.
 * @example
 * const a = await assessProposedSuspension(record, { startDate: '2025-11-10', sessions: 6 }, calendar);
 * a.allowed; a.daysLeft; a.triggers.map((t) => `${t.title}: ${t.dueDate ?? 'without delay'}`);
 * @throws InputError when the proposal is malformed or does not start on a school day.
 */
export async function assessProposedSuspension(
  record: PupilRecord,
  proposal: ProposedSuspension,
  calendar: SchoolCalendar,
  options: { rules?: RulePack; evaluator?: RulesEvaluator } = {},
): Promise<SuspensionAssessment> {
  const parsed = exclusionSchema.safeParse({ id: PROPOSED_ID, category: 'FIXD', reasons: ['OT'], ...proposal });
  if (!parsed.success) {
    throw new InputError('the proposed suspension is not valid', parsed.error.issues.map((i) => ({ location: 'proposal', field: fieldPath(i.path), message: i.message })));
  }
  const proposed = parsed.data;
  if (proposed.category === 'PERM') {
    throw new InputError('the proposed suspension is not valid', [{ location: 'proposal', field: 'category', message: 'a permanent exclusion is not a suspension; accepted: FIXD, SUSP or LNCH' }]);
  }
  if (!calendar.covers(proposed.startDate) || !calendar.isSchoolDay(proposed.startDate)) {
    throw new InputError('the proposed suspension is not valid', [
      { location: 'proposal', field: 'startDate', message: `${longDate(proposed.startDate)} is not a school day in the ${calendar.name} calendar` },
    ]);
  }
  if (record.exclusions.some((e) => e.id === PROPOSED_ID)) {
    throw new InputError('the pupil record is not valid for a proposal', [{ field: 'exclusions', message: `an exclusion already has the id "${PROPOSED_ID}"` }]);
  }

  const evaluator = options.evaluator ?? new RulesEvaluator(options.rules);
  const asOf = proposed.startDate;
  const before = derivePupilFacts(record, calendar, asOf);
  const after = derivePupilFacts({ ...record, exclusions: [...record.exclusions, proposed] }, calendar, asOf);
  const [triggersBefore, triggersAfter] = await Promise.all([evaluator.evaluateFacts(before), evaluator.evaluateFacts(after)]);

  const earlier = new Set(triggersBefore.map((t) => t.key));
  const triggers = triggersAfter.filter((t) => !earlier.has(t.key) || t.exclusionIds?.includes(PROPOSED_ID));
  const laid = after.exclusions.find((e) => e.id === PROPOSED_ID)!;
  const yearTotalAfter = after.suspensionDaysThisYear;
  const limit = evaluator.rules.annualSuspensionLimit(asOf);
  const allowed = yearTotalAfter <= limit;
  const wholeDays = proposed.category === 'FIXD' && (proposed.sessions ?? 0) % 2 === 0 && proposed.startSession === 'AM';

  return {
    allowed,
    ...(allowed
      ? {}
      : {
          refusal: `This would bring suspensions in ${calendar.academicYear} to ${formatNumber(yearTotalAfter)} school days (${formatNumber(before.suspensionDaysThisYear)} already, including ${formatNumber(record.priorSchoolSuspensionDays)} at previous schools). The law allows no more than ${limit}: at most ${formatNumber(Math.max(0, limit - before.suspensionDaysThisYear))} more can be given this year.`,
        }),
    startDate: proposed.startDate,
    lastDate: laid.lastDate,
    returnDate: wholeDays && laid.lastDate ? nextSchoolDay(calendar, laid.lastDate) : undefined,
    schoolDays: laid.schoolDays,
    yearTotalBefore: before.suspensionDaysThisYear,
    yearTotalAfter,
    annualLimit: limit,
    daysLeft: Math.max(0, limit - yearTotalAfter),
    termTotalAfter: laid.termTotal,
    termTotalsAfter: (Object.keys(laid.daysByTerm) as Term[]).map((term) => ({ term, days: after.suspensionDaysByTerm[term] })),
    sixthDay: laid.consecutive.sixthDay,
    fullTimeEducationFrom: laid.consecutive.fullTimeEducationFrom,
    triggers,
  };
}

/**
 * An assessment in plain English, a line each: the suspension as it lies on the calendar, the
 * return date, the 45-day limit (or the refusal), the year and term totals, and from when
 * full-time education must be in place. The triggers are left to the caller to list.
 * @example describeAssessment(a, 'DEMO-010')[0] // "Proposed suspension for pupil DEMO-010: 3 school days, from …"
 */
export function describeAssessment(a: SuspensionAssessment, pupilId: string): string[] {
  const out: string[] = [
    `Proposed suspension for pupil ${pupilId}: ${formatNumber(a.schoolDays)} school day${a.schoolDays === 1 ? '' : 's'}, from ${longDate(a.startDate)}${a.lastDate ? ` to ${longDate(a.lastDate)}` : ''}.`,
  ];
  if (a.returnDate) out.push(`Back in school: ${longDate(a.returnDate)}.`);
  out.push(
    a.allowed ? `Allowed by the ${a.annualLimit}-day limit.` : `REFUSED: ${a.refusal}`,
    `Suspension days this year: ${formatNumber(a.yearTotalBefore)} now, ${formatNumber(a.yearTotalAfter)} after (${formatNumber(a.daysLeft)} of ${a.annualLimit} left).`,
    `Suspension days after it: ${a.termTotalsAfter.map((t) => `${formatNumber(t.days)} in the ${t.term} term`).join(', ')}.`,
  );
  if (a.fullTimeEducationFrom) {
    out.push(
      `Full-time education must be in place from ${longDate(a.fullTimeEducationFrom)}${a.sixthDay && a.sixthDay !== a.fullTimeEducationFrom ? ` (the sixth consecutive school day of exclusion was ${longDate(a.sixthDay)})` : ' (the sixth consecutive school day of exclusion)'}.`,
    );
  }
  return out;
}

function nextSchoolDay(calendar: SchoolCalendar, date: IsoDate): IsoDate | undefined {
  try {
    return calendar.addSchoolDays(addDays(date, 1), 0);
  } catch {
    return undefined; // the return falls in the next academic year
  }
}

