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

/**
 * The parents' written notice of an off-site direction is given "not less than two school days
 * before the relevant day" (the placement's first school day). Source: The Education (Educational
 * Provision for Improving Behaviour) Regulations 2010 (SI 2010/1156), reg 3(2); from 26 July 2026
 * applied to academies and PRUs by the 2026 Application Regulations.
 */
export const OFF_SITE_NOTICE_SCHOOL_DAYS = 2;

/** The last day the parents' notice of an off-site direction starting on `startDate` may be given. */
export function offSiteNoticeBy(calendar: SchoolCalendar, startDate: IsoDate): IsoDate {
  return calendar.addSchoolDays(startDate, -OFF_SITE_NOTICE_SCHOOL_DAYS);
}

/**
 * The first review of an off-site direction when the school gives none. The regulations set no
 * interval (reviews "at such intervals as they … consider appropriate", SI 2010/1156 reg 4(1)(a) as
 * amended by SI 2012/2532), but the parents can require a review once none has been held for 10
 * weeks (reg 4A(4)): so by default the first review falls 10 weeks after the placement starts, or
 * at its planned end if sooner. A school sets its own date with `firstReviewDue`.
 */
export function offSiteFirstReviewDefault(startDate: IsoDate, plannedEnd?: IsoDate): IsoDate {
  const due = addDays(startDate, 7 * 10);
  return plannedEnd !== undefined && plannedEnd < due ? plannedEnd : due;
}

/**
 * The first review of a part-time timetable when the school gives none: a fortnight (10 school
 * days) on. The national guidance asks only for regular reviews ("Working together to improve
 * school attendance", part-time timetables); a fortnight is the most frequent council rule seen
 * (Rotherham: "at least fortnightly"). A school or council sets its own with `firstReviewDue`.
 */
export const PART_TIME_REVIEW_SCHOOL_DAYS = 10;

/** The default first review of a part-time timetable starting on `startDate`. */
export function partTimeFirstReviewDefault(calendar: SchoolCalendar, startDate: IsoDate): IsoDate {
  return calendar.addSchoolDays(startDate, PART_TIME_REVIEW_SCHOOL_DAYS);
}

function addDays(date: IsoDate, days: number): IsoDate {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10) as IsoDate;
}

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
