/**
 * The statutory dates a head's recording sets, counted in school days on the school's calendar:
 * the board's meeting on a parents' request (the rule pack's number), and the independent review
 * windows of a permanent exclusion. One home for these counts, so a form, a letter and the CLI agree.
 */
import { defaultRulePack, isIsoDate, longDate, type IsoDate, type RulePack, type SchoolCalendar } from '@before-exclusion/rules';
import type { CaseEvent, CaseView } from '../cases/caseService.js';
import { EventRefused } from '../errors.js';
import type { CaseStore } from '../store/caseStore.js';

/**
 * An application for an independent review must be made within 15 school days after the day the
 * parents are given written notice of the board's decision; the review (the "closing date for
 * reviews") by the fifteenth school day after the application. Source: The School Discipline
 * (Pupil Exclusions and Reviews) (England) Regulations 2012, Schedule 1, paragraphs 1(1) and 2(1).
 */
export const IRP_SCHOOL_DAYS = { apply: 15, panel: 15 } as const;

/**
 * The last day the parents' written notice of an off-site direction starting on `startDate` may be
 * given: "not less than two school days before the relevant day" (SI 2010/1156 reg 3(2)) — the
 * number read from the rule pack's `off-site-direction.notice-to-parents` as in force that day.
 */
export function offSiteNoticeBy(calendar: SchoolCalendar, startDate: IsoDate, pack: RulePack = defaultRulePack()): IsoDate {
  return calendar.addSchoolDays(startDate, -pack.statutoryNumber('off-site-direction.notice-to-parents', 'late-notice', startDate).value);
}

/**
 * The first review of an off-site direction when the school gives none. The regulations set no
 * interval (SI 2010/1156 reg 4(1)(a) as amended by SI 2012/2532): the interval is the rule pack's
 * setting on `off-site-direction.review-due` (a trust or council may change it), counted in school
 * days from the first day, or the planned end if sooner.
 */
export function offSiteFirstReviewDefault(calendar: SchoolCalendar, startDate: IsoDate, plannedEnd?: IsoDate, pack: RulePack = defaultRulePack()): IsoDate {
  const due = addSchoolDaysWithin(calendar, startDate, pack.statutoryNumber('off-site-direction.review-due', 'review-overdue', startDate).value);
  return plannedEnd !== undefined && plannedEnd < due ? plannedEnd : due;
}

/**
 * The first review of a part-time timetable when the school gives none: the council's interval,
 * the rule pack's setting on `part-time-timetable.review-due` ("regularly reviewed" is all the
 * national guidance says; councils set fortnightly and the like).
 */
export function partTimeFirstReviewDefault(calendar: SchoolCalendar, startDate: IsoDate, pack: RulePack = defaultRulePack()): IsoDate {
  return addSchoolDaysWithin(calendar, startDate, pack.statutoryNumber('part-time-timetable.review-due', 'review-overdue', startDate).value);
}

/** `n` school days on, or the calendar's last day when that falls past it (the next year's calendar takes over). */
function addSchoolDaysWithin(calendar: SchoolCalendar, date: IsoDate, n: number): IsoDate {
  return calendar.schoolDaysBetween(date, calendar.lastDay) < n ? calendar.lastDay : calendar.addSchoolDays(date, n);
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

/** The suspension events that carry a date the law counts. */
export type CountedDateEvent = 'PARENTS_REQUEST_REVIEW' | 'RECORD_BOARD_REVIEW' | 'REQUEST_IRP';

/** The date each suspension event carries that the law counts, from which of its days, and how. */
const COUNTED: Readonly<Record<CountedDateEvent, { readonly field: string; readonly from: string; readonly what: string; readonly count: (calendar: SchoolCalendar, from: IsoDate) => IsoDate; readonly applies?: (view: CaseView<'suspension'>, event: CaseEvent) => boolean }>> = {
  PARENTS_REQUEST_REVIEW: { field: 'dueDate', from: 'requestedOn', what: "the board's latest date, counted from the request", count: (c, d) => reviewOnRequestDue(c, d) },
  RECORD_BOARD_REVIEW: {
    field: 'irpWindowEnds',
    from: 'heldOn',
    what: 'the last day to apply for an independent review, counted from the decision',
    count: irpApplyBy,
    // Only a permanent exclusion the board upholds may go to an independent review panel.
    applies: (view, event) => view.context.exclusion.category === 'PERM' && event.outcome === 'upheld',
  },
  REQUEST_IRP: { field: 'panelBy', from: 'requestedOn', what: "the panel's latest date, counted from the application", count: irpPanelBy },
};

/** Whether an event of this type carries a date the law counts (`withCountedDates`). */
export const carriesCountedDate = (type: string): type is CountedDateEvent => Object.hasOwn(COUNTED, type);

/**
 * The date the law counts for a `type` event on suspension case `view`, from `from` (the request,
 * the decision, the application), on the school's calendar for that day.
 * @throws EventRefused when no calendar held for the school covers `from`.
 */
export async function countedDate(store: CaseStore, view: Pick<CaseView, 'schoolId'>, type: CountedDateEvent, from: IsoDate): Promise<IsoDate> {
  const calendar = await store.pupils.calendarFor(view.schoolId, from);
  if (!calendar?.covers(from)) throw new EventRefused(`school ${view.schoolId} has no calendar covering ${longDate(from)}, so its dates cannot be counted`);
  return COUNTED[type].count(calendar, from);
}

/**
 * `event` with the date the law counts for it on the school's calendar (the board's latest date on
 * a parents' request, the independent review's windows): one home for every channel, so the bot's
 * forms and `cases act` record the same date. A date given that differs from the count is refused,
 * naming the counted one; a date left out is counted.
 */
export async function withCountedDates(store: CaseStore, view: CaseView, event: CaseEvent): Promise<CaseEvent> {
  if (view.kind !== 'suspension' || !carriesCountedDate(event.type)) return event;
  const spec = COUNTED[event.type];
  if (spec.applies && !spec.applies(view, event)) return event;
  const from = event[spec.from];
  if (typeof from !== 'string' || !isIsoDate(from)) return event; // the event's own checks say what is wrong
  const counted = await countedDate(store, view, event.type, from);
  const given = event[spec.field];
  if (given !== undefined && given !== counted) {
    const problem = `${String(given)} is not ${spec.what} on the school calendar (${counted}): leave it out and it is counted`;
    throw new EventRefused(`${event.type} is not valid: ${spec.field}: ${problem}`, { field: spec.field, problem });
  }
  return { ...event, [spec.field]: counted };
}
