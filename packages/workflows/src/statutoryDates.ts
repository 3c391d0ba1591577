/**
 * The statutory dates a head's recording sets, counted in school days on the school's calendar:
 * the board's meeting on a parents' request (the rule pack's number), and the independent review
 * windows of a permanent exclusion. One home for these counts, so a form, a letter and the CLI agree.
 */
import { defaultRulePack, type IsoDate, type RulePack, type SchoolCalendar } from '@before-exclusion/rules';

/**
 * An application for an independent review must be made within 15 school days after the day the
 * parents are given written notice of the board's decision; the review (the "closing date for
 * reviews") by the fifteenth school day after the application. Source: The School Discipline
 * (Pupil Exclusions and Reviews) (England) Regulations 2012, Schedule 1, paragraphs 1(1) and 2(1).
 */
export const IRP_SCHOOL_DAYS = { apply: 15, panel: 15 } as const;

/** The last day the board may meet when the parents ask for a review: the rule's due date, counted from their request. */
export function reviewOnRequestDue(calendar: SchoolCalendar, requestedOn: IsoDate, pack: RulePack = defaultRulePack()): IsoDate {
  return calendar.addSchoolDays(requestedOn, pack.statutoryNumber('statutory.governors-review-on-request', 'dueDate', requestedOn).value);
}

/** The last day the parents may apply for an independent review, the board's decision notified on `notifiedOn`. */
export function irpApplyBy(calendar: SchoolCalendar, notifiedOn: IsoDate): IsoDate {
  return calendar.addSchoolDays(notifiedOn, IRP_SCHOOL_DAYS.apply);
}

/** The day by which the panel must review, the application made on `appliedOn`. */
export function irpPanelBy(calendar: SchoolCalendar, appliedOn: IsoDate): IsoDate {
  return calendar.addSchoolDays(appliedOn, IRP_SCHOOL_DAYS.panel);
}
