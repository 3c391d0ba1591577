/**
 * The assistant: what headteachers and inclusion officers can ask, answered the same way in
 * every channel. It knows nothing of Teams or Slack — a channel maps its user to a member of
 * staff, turns a message or button into a `Command`, and renders the `Reply`s it gets back.
 *
 * Every answer is saved to the case at once, through the case service (checked for access,
 * validated, audited), with the revision the card was drawn from, so a stale card cannot save twice.
 */
import { randomBytes } from 'node:crypto';
import { assessProposedSuspension, describeAssessment, InputError, isIsoDate, longDate, RulesEvaluator, type IsoDate } from '@before-exclusion/rules';
import {
  AccessDenied,
  AuditRefused,
  PupilDataErased,
  CaseNotFound,
  EventRefused,
  RevisionConflict,
  StoreBusy,
  SYSTEM,
  cancelExclusion,
  caseRecord,
  caseSummary,
  countedDate,
  displayAnswer,
  dutyActions,
  englishDate,
  openByHand,
  recordExclusion,
  type Actor,
  type CaseRecord,
  type CaseStore,
  type CaseView,
  type CountedDateEvent,
  type DutyKind,
  type EventOf,
  type Recipient,
  resolvePupilId,
  LetterRefused,
  lettersFitting,
  makeLetter,
  mayWriteLetters,
  movementDutyActions,
  recordMovementDuty,
  type MovementDutyKind,
  closedDayRefusal,
  CASE_KIND_WORDS,
  interventionWords,
  leadsWords,
  ledTo,
  SUPPORT_ESCALATION_LEADS,
  supportPlanCase,
  type SupportPlanContext,
} from '@before-exclusion/workflows';
import { parseDateInput } from './dates.js';
import { LETTER_WORDS, dutyFieldIds, dutyForm, exclusionForm, letterForm, movementDutyForm, readDuty, readExclusion, readLetter, readMovementDuty } from './forms.js';
import { HELP_TEXT, type Command } from './commands.js';
import { readSupport, readSupportReview, supportForm, supportReviewForm } from './supportForms.js';
import {
  DECISIONS,
  DECISION_TITLES,
  answerEvent,
  answerOf,
  answering,
  applicableQuestions,
  gateMissing,
  nextStep,
  parseAnswer,
  parseDecision,
  positionOf,
  suggestedAnswer,
  type AnswerValue,
} from './interview.js';
import { DEFAULT_QUESTIONS, MEETING_DATE, NO_SUPPORT_ON_RECORD, PEAP_QUESTIONS, pupilSupport, supportLineWords, type Question } from '@before-exclusion/workflows';
import type { ButtonAction, CaseLine, CaseStatus, Reply, StatusAnswer, StatusDuty } from './replies.js';

/**
 * How far ahead a review is suggested when nothing else says (the PEAP's follow-up, a support plan's
 * first review): 30 school days, about six school weeks. Only a suggestion in the form: the head
 * sets the date.
 */
const SUGGESTED_REVIEW_SCHOOL_DAYS = 30;

/** The review's read-only line showing the support record (no question: it is not answered, it is read). */
const SUPPORT_ON_RECORD = 'support.on-record';
/** The review's read-only line when support is still in hand though "all support exhausted" is answered Yes. */
const SUPPORT_IN_HAND = 'support.in-hand';

export interface AssistantOptions {
  readonly questions?: readonly Question[];
  /** The school date (England) the service works on. */
  readonly today: () => IsoDate;
  /** Shared so its compiled rules are reused across turns. */
  readonly evaluator?: RulesEvaluator;
  /** The web workspace's base URL (a case is at `${url}/cases/ID`), or a function giving it once the service listens. */
  readonly workspaceUrl?: string | (() => string | undefined) | undefined;
}

/** Writes are stopped (the audit trail failed its check, or its anchor is missing): the operator has the detail in the log. */
export const AUDIT_STOPPED_REPLY: Reply = {
  type: 'message',
  tone: 'error',
  text: 'Recording is paused: the audit trail failed its integrity check, so nothing from this was saved. The service operator has been alerted.',
};

/** Another process held the case store's write lock past the wait (StoreBusy): nothing was saved. */
export const STORE_BUSY_REPLY: Reply = {
  type: 'message',
  tone: 'warning',
  text: 'The case store is busy just now, so nothing from this was saved. Please try again in a moment.',
};

/** Said to someone a channel cannot map to a member of staff — and nothing else. */
export const UNKNOWN_USER_REPLY: Reply = {
  type: 'message',
  tone: 'warning',
  text: 'Sorry — I can only help staff your school or council has set up. Please ask your administrator to add you.',
};

/** Said in a channel or group chat, whatever was asked: nothing about a pupil is shown there. */
export const PERSONAL_CHAT_ONLY_REPLY: Reply = {
  type: 'message',
  tone: 'info',
  text: 'I am Before Exclusion: I help heads meet the duties before and after an exclusion, and officers read them back. I only talk about pupils and cases in a personal chat, so nothing about a pupil is shown to a group. Open a one-to-one chat with me (select my name, then Chat) and ask there.',
};

/** Cases on one page of a list in a chat: a card a head can read without scrolling far. */
export const CASES_PER_PAGE = 6;

/** How much of a case its status shows in a chat; the web workspace shows all of it. */
const STATUS_SHOWS = { answers: 12, answerChars: 400, earlierChars: 80, changes: 3, notes: 5, noteChars: 600, timeline: 15, support: 5 } as const;
/** How the case record words a read of the case: left out of a status's timeline (every status is one). */
const READ_THE_CASE = 'read the case';

export class Assistant {
  readonly #store: CaseStore;
  readonly #questions: readonly Question[];
  readonly #today: () => IsoDate;
  readonly #evaluator: RulesEvaluator;
  readonly #workspaceUrl: () => string | undefined;

  constructor(store: CaseStore, options: AssistantOptions) {
    this.#store = store;
    this.#questions = options.questions ?? DEFAULT_QUESTIONS;
    this.#today = options.today;
    this.#evaluator = options.evaluator ?? new RulesEvaluator();
    const workspace = options.workspaceUrl;
    this.#workspaceUrl = typeof workspace === 'function' ? workspace : () => workspace;
  }

  /** Answers one command for a member of staff. Errors a person can cause come back as messages. */
  async handle(actor: Actor, command: Command): Promise<Reply[]> {
    try {
      return await this.#dispatch(actor, command);
    } catch (error) {
      if (error instanceof CaseNotFound || error instanceof AccessDenied || error instanceof EventRefused || error instanceof LetterRefused || error instanceof PupilDataErased) {
        return [{ type: 'message', tone: 'error', text: sentence(error.message) }];
      }
      if (error instanceof StoreBusy) return [STORE_BUSY_REPLY];
      if (error instanceof AuditRefused) return [AUDIT_STOPPED_REPLY];
      throw error;
    }
  }

  /** A message for a typed text that is not a command. */
  notUnderstood(text: string): Reply[] {
    const short = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    return [{ type: 'message', tone: 'info', text: `I did not understand "${short}".\n\n${HELP_TEXT}` }];
  }

  /** The card that prompts a head when the rules open a case: why, the dates, and what can be recorded at once. */
  async prompt(caseId: string): Promise<Reply> {
    const view = await this.#store.cases.get(SYSTEM, caseId);
    const why =
      view.kind !== 'peap'
        ? view.kind === 'suspension'
          ? 'The exclusion has been recorded. These are its statutory duties: record each as it is done.'
          : 'A case has opened with duties to meet.'
        : view.context.trigger?.explanation
          ? `A pre-exclusion assessment (PEAP) is needed: ${view.context.trigger.explanation}.`
          : 'A pre-exclusion assessment (PEAP) has been started for this pupil by a member of staff.';
    return {
      type: 'prompt',
      caseId,
      pupilId: view.pupilId,
      caseKind: view.kind,
      title: caseSummary(view, this.#today()).title,
      why,
      deadlines: view.deadlines.filter((d) => d.status === 'pending').map((d) => ({ label: d.label, dueDate: d.dueDate })),
      actions: view.kind === 'suspension' ? dutyButtons(this.#store, SYSTEM, view).filter((a) => a.data.duty !== 'cancel') : movementButtons(this.#store, SYSTEM, view),
    };
  }

  /**
   * The reminder that a deadline has passed, with the buttons that record the duty — or nothing,
   * when the duty was recorded after the reminder was queued.
   */
  async reminder(caseId: string, deadline: string, what: string): Promise<Reply | undefined> {
    const view = await this.#store.cases.get(SYSTEM, caseId);
    if (view.status !== 'active') return undefined;
    if (view.kind === 'support-plan') {
      // Reviewed since the reminder was queued: nothing to say.
      if (!view.context.overdue.includes('review') || !view.nextEvents.includes('HOLD_REVIEW')) return undefined;
      return { type: 'reminder', caseId, pupilId: view.pupilId, title: caseSummary(view, this.#today()).title, what, actions: [{ title: 'Record the review', data: { verb: 'support.review-form', target: view.id }, primary: true }] };
    }
    const duties = view.kind === 'suspension' ? REMINDED_DUTIES[deadline] : undefined;
    const actions = view.kind === 'suspension' ? dutyButtons(this.#store, SYSTEM, view).filter((a) => duties?.includes(a.data.duty as DutyKind)) : movementButtons(this.#store, SYSTEM, view);
    if (duties && actions.length === 0) return undefined;
    return { type: 'reminder', caseId, pupilId: view.pupilId, title: caseSummary(view, this.#today()).title, what, actions };
  }

  /** One card for several cases opened at once: PEAPs first, each with its button. */
  async digest(caseIds: readonly string[]): Promise<Reply> {
    const today = this.#today();
    const lines: CaseLine[] = [];
    for (const id of new Set(caseIds)) lines.push(caseLine(await this.#store.cases.get(SYSTEM, id), today));
    lines.sort((a, b) => Number(b.kind === 'peap') - Number(a.kind === 'peap'));
    const shown = lines.slice(0, CASES_PER_PAGE);
    return {
      type: 'case-list',
      title: `${lines.length} cases have opened for your school and need your attention`,
      cases: shown,
      total: lines.length,
      empty: '',
      ...(lines.length > shown.length ? { footer: `PEAPs first. ${lines.length - shown.length} more are in your cases.`, more: { title: 'All my cases', data: { verb: 'cases.mine' } } } : {}),
    };
  }

  async #dispatch(actor: Actor, c: Command): Promise<Reply[]> {
    switch (c.verb) {
      case 'help':
        return [{ type: 'menu', role: actor.role === 'system' ? 'admin' : actor.role, name: actor.id }];
      case 'thanks':
        return [{ type: 'message', tone: 'info', text: 'You are welcome. Type "help" whenever you need me.' }];
      case 'stop':
        return [{ type: 'message', tone: 'info', text: 'Stopped. Nothing is lost: every answer and record is saved as you give it. Type "my cases" to pick up where you left off.' }];
      case 'cases.mine':
        return [await this.#caseList(actor, actor.role === 'inclusion-officer' ? 'Cases across your schools' : 'Your open cases', c)];
      case 'cases.overview':
        if (actor.role !== 'inclusion-officer' && actor.role !== 'system') return [{ type: 'message', tone: 'info', text: 'The overview is for inclusion officers. Here are your open cases.' }, await this.#caseList(actor, 'Your open cases', {})];
        return [await this.#caseList(actor, 'Cases across your schools', c)];
      case 'case.status':
        return [await this.#status(actor, c.caseId)];
      case 'peap.form':
        return [{ type: 'start-form' }];
      case 'peap.start': {
        const pupilId = await resolvePupilId(this.#store, actor, c.pupilId);
        const { case: opened, created } = await openByHand(this.#store, actor, 'peap', pupilId, this.#today());
        const view = asPeap(opened);
        const opening: Reply = { type: 'message', tone: 'info', text: created ? `Started a pre-exclusion assessment for pupil ${view.pupilId} (case ${view.id}).` : `Pupil ${view.pupilId} already has a pre-exclusion assessment in progress (case ${view.id}); carrying on where it stopped.` };
        return [opening, ...(await this.#interview(actor, view))];
      }
      case 'peap.resume':
        return this.#interview(actor, await this.#peap(actor, c.caseId));
      case 'peap.change': {
        const view = await this.#peap(actor, c.caseId);
        if (!answering(view)) return this.#interview(actor, view);
        if (!c.questionId) return [await this.#review(actor, view, 'Choose the answer to change.')];
        const question = this.#question(c.questionId);
        return [await this.#questionReply(actor, view, question, { value: answerOf(view.context, question.id) })];
      }
      case 'peap.answer':
        return this.#answer(actor, c);
      case 'peap.decide':
        return this.#decide(actor, c);
      case 'suspension.form':
        return [{ type: 'check-form', ...(c.pupilId ? { pupilId: c.pupilId } : {}) }];
      case 'suspension.check':
        return [await this.#check(actor, c)];
      case 'exclusion.form':
        return [exclusionForm(await resolvePupilId(this.#store, actor, c.pupilId), c.values)];
      case 'exclusion.record':
        return this.#recordExclusion(actor, c);
      case 'duty.form':
        return [await this.#dutyForm(actor, c.caseId, c.duty, c.recipient)];
      case 'duty.record':
        return this.#recordDuty(actor, c);
      case 'movement.form': {
        const view = await this.#store.cases.get(actor, c.caseId);
        return [movementDutyForm(view.id, view.pupilId, view.revision, c.duty, this.#today())];
      }
      case 'movement.record':
        return this.#recordMovementDuty(actor, c);
      case 'letter.form': {
        const view = await this.#store.cases.get(actor, c.caseId, 'suspension');
        return [letterForm(view.id, view.pupilId, c.kind)];
      }
      case 'letter.make':
        return [await this.#makeLetter(actor, c)];
      case 'support.form':
        return [await this.#supportForm(actor, c)];
      case 'support.record':
        return this.#recordSupport(actor, c);
      case 'support.review-form':
        return this.#supportReviewForm(actor, c.target);
      case 'support.review':
        return this.#recordSupportReview(actor, c);
      case 'support.replan-form':
        return [await this.#replanForm(actor, await this.#store.cases.get(actor, c.caseId, 'support-plan'))];
      case 'support.replan':
        return this.#replan(actor, c);
    }
  }

  /** The revised plan's form, drawn from the plan it revises (what and who, kept unless changed). */
  async #replanForm(actor: Actor, view: CaseView<'support-plan'>, values: Readonly<Record<string, unknown>> = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}, revision = view.revision): Promise<Reply> {
    const may = this.#store.cases.can(actor, view, 'AGREE_PLAN', { atAnyStage: true });
    if (!may.allowed) return { type: 'message', tone: 'info', text: sentence(may.reason) };
    if (view.state !== 'plan') return { type: 'message', tone: 'info', text: 'This support plan has no revision waiting to be agreed.' };
    const last = view.context.plans.at(-1);
    const today = this.#today();
    const reviewDue = await this.#schoolDaysAfter(view.schoolId, today, SUGGESTED_REVIEW_SCHOOL_DAYS);
    const defaults = { startDate: today, reviewDue, ...(last ? { external: last.external, intervention: last.intervention, provider: last.provider } : {}) };
    return supportForm(view.pupilId, { verb: 'support.replan', caseId: view.id, revision }, defaults, values, problems);
  }

  /** The plan's start and review, each said under its field when the school is closed that day; none: both open. */
  async #closedDays(schoolId: string, plan: { readonly startDate: string; readonly reviewDue: string }): Promise<Record<string, string> | undefined> {
    const calendarFor = (school: string, date: string) => this.#store.pupils.calendarFor(school, date);
    const errors: Record<string, string> = {};
    for (const field of ['startDate', 'reviewDue'] as const) {
      const closed = await closedDayRefusal(calendarFor, schoolId, plan[field]);
      if (closed) errors[field] = sentence(closed);
    }
    return Object.keys(errors).length ? errors : undefined;
  }

  /** The revised plan agreed on its case: any new baseline, then the plan, in one transaction. */
  async #replan(actor: Actor, c: Extract<Command, { verb: 'support.replan' }>): Promise<Reply[]> {
    const view = await this.#store.cases.get(actor, c.caseId, 'support-plan');
    const again = (problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> }) => this.#replanForm(actor, view, c.values, problems, c.revision);
    const read = readSupport(c.values, this.#today());
    if ('errors' in read) return [await again({ fieldErrors: read.errors })];
    const { plan, baseline } = read.value;
    const closed = await this.#closedDays(view.schoolId, plan);
    if (closed) return [await again({ fieldErrors: closed })];
    try {
      await this.#store.cases.send(actor, view, [...(baseline ? [{ type: 'RECORD_MEASURE' as const, ...baseline }] : []), { type: 'AGREE_PLAN', ...plan }], { expectedRevision: c.revision });
    } catch (error) {
      if (error instanceof RevisionConflict) return [{ type: 'message', tone: 'warning', text: 'That form is out of date — the case has changed since it was shown (perhaps recorded on another device). Here is where it stands now.' }, await this.#status(actor, view.id)];
      if (error instanceof EventRefused) return [await again(refusedOnForm(error, ['startDate', 'reviewDue']))];
      throw error;
    }
    return [{ type: 'message', tone: 'info', text: `Revised plan agreed: ${interventionWords(plan.intervention)} with ${plan.provider} from ${longDate(plan.startDate)}, review by ${longDate(plan.reviewDue)}.` }, await this.#status(actor, view.id)];
  }

  /** The support form for a pupil the person covers, or why they cannot record support for them. */
  async #supportForm(actor: Actor, c: Extract<Command, { verb: 'support.form' }>, values: Readonly<Record<string, unknown>> = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}, drawn?: { readonly formKey: string; readonly caseId?: string | undefined }): Promise<Reply> {
    if (!c.pupilId) return { type: 'message', tone: 'info', text: 'Which pupil? Type "record support PUPIL-ID", e.g. _record support DEMO-002_.' };
    if (!mayRecordSupport(actor)) return { type: 'message', tone: 'info', text: SUPPORT_RECORDED_BY };
    const pupilId = await resolvePupilId(this.#store, actor, c.pupilId);
    const today = this.#today();
    const reviewDue = await this.#schoolDaysAfter((await this.#store.pupils.record(actor, pupilId)).schoolId, today, SUGGESTED_REVIEW_SCHOOL_DAYS);
    // From the PEAP's external-support question, the support is most likely external.
    const external = this.#questions.find((q) => q.id === c.questionId)?.prefill === 'support-external';
    // Drawn again (with its errors): the same key and plan as when first drawn.
    const caseId = drawn ? drawn.caseId : (await this.#planAwaiting(actor, pupilId))?.id;
    const submit = { verb: 'support.record', pupilId, formKey: drawn?.formKey ?? randomBytes(6).toString('hex'), ...(caseId ? { caseId } : {}), ...(c.peapCaseId ? { peapCaseId: c.peapCaseId } : {}), ...(c.questionId ? { questionId: c.questionId } : {}) };
    return supportForm(pupilId, submit, { startDate: today, reviewDue, external, completes: caseId }, values, problems);
  }

  /**
   * The pupil's support plan still waiting for its plan — opened by a team-around-the-school
   * action, or by a press whose events were refused — which support recorded completes rather than
   * opening a second plan for the pupil. The earliest opened, when there are several.
   */
  async #planAwaiting(actor: Actor, pupilId: string): Promise<CaseView<'support-plan'> | undefined> {
    const plans = (await this.#store.cases.list(actor, { pupilId, status: 'active' })).filter(awaitingPlan);
    return plans.sort((a, b) => a.openedAt.localeCompare(b.openedAt))[0];
  }

  /**
   * Support tried, recorded from its form in one press. The form completes the pupil's plan that
   * was waiting for its plan when it was drawn (`caseId`), else opens a support plan (once per
   * form, by its key). Two writes: the case opens, then the assessment, any baseline and the plan
   * go on it in one transaction, refused together — if that second write fails, the plan waits
   * in `assess`, and pressing the form again (or any new support form for the pupil) completes it.
   * From a PEAP's support question, it goes back to that question, now pre-filled from the record.
   */
  async #recordSupport(actor: Actor, c: Extract<Command, { verb: 'support.record' }>): Promise<Reply[]> {
    const today = this.#today();
    const again = (problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> }) => this.#supportForm(actor, { verb: 'support.form', pupilId: c.pupilId, peapCaseId: c.peapCaseId, questionId: c.questionId }, c.values, problems, { formKey: c.formKey, caseId: c.caseId });
    if (!mayRecordSupport(actor)) return [{ type: 'message', tone: 'info', text: SUPPORT_RECORDED_BY }];
    const read = readSupport(c.values, today);
    if ('errors' in read) return [await again({ fieldErrors: read.errors })];
    const pupilId = await resolvePupilId(this.#store, actor, c.pupilId);
    const { schoolId } = await this.#store.pupils.record(actor, pupilId);
    const { plan, baseline } = read.value;
    // Said under its field before the case opens (the store refuses it too): a start or review on a day the school is closed.
    const closed = await this.#closedDays(schoolId, plan);
    if (closed) return [await again({ fieldErrors: closed })];
    const events = (view: CaseView<'support-plan'>): EventOf<'support-plan'>[] => [
      // Assessed by the time it started (recorded today at the latest); a plan assessed already keeps its assessment.
      ...(view.state === 'assess' ? [{ type: 'ASSESS' as const, assessedOn: plan.startDate < today ? plan.startDate : today }] : []),
      ...(baseline ? [{ type: 'RECORD_MEASURE' as const, ...baseline }] : []),
      { type: 'AGREE_PLAN', ...plan },
    ];
    let caseId: string;
    try {
      let view: CaseView;
      if (c.caseId) {
        view = await this.#store.cases.get(actor, c.caseId, 'support-plan');
        if (view.pupilId !== pupilId) throw new EventRefused(`case ${view.id} is not pupil ${pupilId}'s`);
      } else {
        const { case: opened } = await this.#store.cases.open(actor, { kind: 'support-plan', schoolId, pupilId, input: { pupilId, schoolId }, openKey: `support-form:${pupilId}:${c.formKey}` });
        view = opened;
      }
      caseId = view.id;
      if (view.status === 'done' && c.caseId) return [{ type: 'message', tone: 'info', text: `That support plan (case ${view.id}) has ended since the form was shown. Type "record support ${pupilId}" for a new form.` }];
      // Completed by an earlier press of this form (or on another device): nothing is written twice.
      if (!awaitingPlan(view)) return [{ type: 'message', tone: 'info', text: 'That support was already recorded from this form.' }, await this.#status(actor, view.id)];
      await this.#store.cases.send(actor, { id: view.id, kind: 'support-plan' }, events(view), { expectedRevision: view.revision });
    } catch (error) {
      if (error instanceof RevisionConflict) return [{ type: 'message', tone: 'info', text: 'That support was already recorded from this form.' }];
      if (error instanceof EventRefused) return [await again(refusedOnForm(error, ['startDate', 'reviewDue']))];
      throw error;
    }
    const recorded: Reply = {
      type: 'message',
      tone: 'info',
      text: `Recorded: ${interventionWords(plan.intervention)} with ${plan.provider} from ${longDate(plan.startDate)}, review by ${longDate(plan.reviewDue)} (case ${caseId}). You will be reminded when the review is due.`,
    };
    if (c.peapCaseId) {
      const peap = await this.#peap(actor, c.peapCaseId);
      const question = c.questionId ? this.#questions.find((q) => q.id === c.questionId) : undefined;
      return [recorded, ...(question && answering(peap) ? [await this.#questionReply(actor, peap, question)] : await this.#interview(actor, peap))];
    }
    return [recorded, await this.#status(actor, caseId)];
  }

  /**
   * The review form of a support plan: `target` is its case id, or a pupil id (their one running
   * plan; several are listed to choose from).
   */
  async #supportReviewForm(actor: Actor, target: string): Promise<Reply[]> {
    let view: CaseView<'support-plan'>;
    if (/^support-plan-/i.test(target)) view = await this.#store.cases.get(actor, target.toLowerCase(), 'support-plan');
    else {
      const pupilId = await resolvePupilId(this.#store, actor, target);
      const plans = (await this.#store.cases.list(actor, { pupilId, status: 'active' })).filter((v): v is CaseView<'support-plan'> => v.kind === 'support-plan');
      const running = plans.filter((v) => v.nextEvents.includes('HOLD_REVIEW'));
      const revising = plans.find((v) => v.state === 'plan' && v.context.plans.length > 0);
      if (running.length === 0 && revising) {
        return [{ type: 'message', tone: 'info', text: `The last review of pupil ${pupilId}'s support decided to revise the plan: agree the revised plan first.` }, await this.#replanForm(actor, await this.#store.cases.get(actor, revising.id, 'support-plan'))];
      }
      if (running.length === 0) return [{ type: 'message', tone: 'info', text: `Pupil ${pupilId} has no support plan running to review. Type "record support ${pupilId}" to record support tried.` }];
      if (running.length > 1) {
        const today = this.#today();
        return [{ type: 'case-list', title: `Support plans to review · pupil ${pupilId}`, cases: running.map((v) => caseLine(v, today, undefined, this.#reviewButton(actor, v, today, true))), total: running.length, empty: '' }];
      }
      view = await this.#store.cases.get(actor, running[0]!.id, 'support-plan');
    }
    return [await this.#reviewForm(actor, view)];
  }

  async #reviewForm(actor: Actor, view: CaseView<'support-plan'>, values: Readonly<Record<string, unknown>> = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}, revision = view.revision): Promise<Reply> {
    const may = this.#store.cases.can(actor, view, 'HOLD_REVIEW', { atAnyStage: true });
    if (!may.allowed) return { type: 'message', tone: 'info', text: sentence(may.reason) };
    if (!view.nextEvents.includes('HOLD_REVIEW')) return { type: 'message', tone: 'info', text: nothingToReview(view) };
    const plan = view.context.plans.at(-1);
    const today = this.#today();
    // The plan's own interval again, counted from today on the school calendar.
    const interval = plan ? await this.#schoolDaysBetween(view.schoolId, plan.startDate, plan.reviewDue) : undefined;
    const nextReviewDue = await this.#schoolDaysAfter(view.schoolId, today, interval ?? SUGGESTED_REVIEW_SCHOOL_DAYS);
    const what = plan ? `${interventionWords(plan.intervention)} with ${plan.provider} from ${longDate(plan.startDate)}, review ${view.context.overdue.includes('review') ? 'overdue since' : 'due'} ${longDate(view.context.nextReviewDue ?? plan.reviewDue)}` : 'the support plan';
    return supportReviewForm(view.id, view.pupilId, revision, what, { heldOn: today, nextReviewDue }, values, problems);
  }

  /** A support plan's review recorded from its form: any follow-up measure, then the review, in one transaction. */
  async #recordSupportReview(actor: Actor, c: Extract<Command, { verb: 'support.review' }>): Promise<Reply[]> {
    const today = this.#today();
    const view = await this.#store.cases.get(actor, c.caseId, 'support-plan');
    const read = readSupportReview(c.values, today);
    if ('errors' in read) return [await this.#reviewForm(actor, view, c.values, { fieldErrors: read.errors }, c.revision)];
    const { review, followUp } = read.value;
    const closed = review.nextReviewDue && (await closedDayRefusal((school, date) => this.#store.pupils.calendarFor(school, date), view.schoolId, review.nextReviewDue));
    if (closed) return [await this.#reviewForm(actor, view, c.values, { fieldErrors: { nextReviewDue: sentence(closed) } }, c.revision)];
    // The measure first: a review that ends the plan leaves a case that takes nothing more.
    const events: EventOf<'support-plan'>[] = [...(followUp ? [{ type: 'RECORD_MEASURE' as const, ...followUp }] : []), { type: 'HOLD_REVIEW', ...review }];
    try {
      await this.#store.cases.send(actor, view, events, { expectedRevision: c.revision });
    } catch (error) {
      if (error instanceof RevisionConflict) return [{ type: 'message', tone: 'warning', text: 'That form is out of date — the case has changed since it was shown (perhaps recorded on another device). Here is where it stands now.' }, await this.#status(actor, view.id)];
      // The follow-up score is taken on the review's day: a refusal of either date is the review date's.
      if (error instanceof EventRefused) return [await this.#reviewForm(actor, view, c.values, refusedOnForm(error, ['heldOn', 'nextReviewDue'], { takenOn: 'heldOn' }), c.revision)];
      throw error;
    }
    if (review.outcome !== 'escalate' || !review.escalatedTo) return [{ type: 'message', tone: 'info', text: 'Review recorded.' }, await this.#status(actor, view.id)];
    // Escalated: the store opened (or linked) the case it leads to in the same write — go on there.
    const led = (await ledTo(this.#store, actor, view.id)).filter((l) => l.by === 'HOLD_REVIEW');
    if (led.length === 0) return [{ type: 'message', tone: 'info', text: `Review recorded: escalated. ${sentence(leadsWords(SUPPORT_ESCALATION_LEADS[review.escalatedTo]))}` }, await this.#status(actor, view.id)];
    const kindWords = (w: string) => (/^[A-Z][a-z]/.test(w) ? w.charAt(0).toLowerCase() + w.slice(1) : w);
    const words = led.map((l) => `${l.created ? 'opened a case' : 'linked to the pupil’s open case'}: ${kindWords(CASE_KIND_WORDS[l.kind])} (${l.caseId})`).join('; ');
    return [{ type: 'message', tone: 'info', text: `Review recorded: escalated, and ${words}.` }, ...(await Promise.all(led.map((l) => this.#status(actor, l.caseId))))];
  }

  /**
   * A support plan's next step as a button: "Record the review" when `actor` may record it and it is
   * due (or `always`), "Agree the revised plan" when its review sent it back to be revised.
   */
  #reviewButton(actor: Actor, view: CaseView, today: IsoDate, always = false): ButtonAction | undefined {
    if (view.kind !== 'support-plan') return undefined;
    if (view.state === 'plan' && view.context.plans.length > 0 && this.#store.cases.can(actor, view, 'AGREE_PLAN').allowed) return { title: 'Agree the revised plan', data: { verb: 'support.replan-form', caseId: view.id }, primary: true };
    if (!this.#store.cases.can(actor, view, 'HOLD_REVIEW').allowed) return undefined;
    const c = view.context as SupportPlanContext;
    const due = c.overdue.includes('review') || (c.nextReviewDue !== undefined && c.nextReviewDue <= today);
    return due || always ? { title: 'Record the review', data: { verb: 'support.review-form', target: view.id }, primary: true } : undefined;
  }

  /** `n` school days after `from` on the school's calendar; undefined where the calendar does not reach. */
  async #schoolDaysAfter(schoolId: string, from: IsoDate, n: number): Promise<IsoDate | undefined> {
    const calendar = await this.#store.pupils.calendarFor(schoolId, from);
    try {
      return calendar?.covers(from) ? calendar.addSchoolDays(from, n) : undefined;
    } catch {
      return undefined; // past the end of the calendar's year: the head picks the date
    }
  }

  async #schoolDaysBetween(schoolId: string, from: IsoDate, to: IsoDate): Promise<number | undefined> {
    const calendar = await this.#store.pupils.calendarFor(schoolId, from);
    if (!calendar?.covers(from) || !calendar.covers(to)) return undefined;
    const days = calendar.schoolDaysBetween(from, to);
    return days > 0 ? days : undefined;
  }

  /** Writes a letter from the case and keeps it with the case; the reply says where to open it. */
  async #makeLetter(actor: Actor, c: Extract<Command, { verb: 'letter.make' }>): Promise<Reply> {
    const { format, people } = readLetter(c.values);
    try {
      const made = await makeLetter(this.#store, actor, { caseId: c.caseId, kind: c.kind, format, people, today: this.#today() });
      const base = this.#workspaceUrl()?.replace(/\/+$/, '');
      return {
        type: 'letter',
        caseId: c.caseId,
        title: LETTER_WORDS[c.kind],
        fileName: made.fileName,
        ...(base ? { url: `${base}/cases/${encodeURIComponent(c.caseId)}/letters/${encodeURIComponent(made.letterId)}` } : {}),
        follows: `Template version ${made.template.version}, following ${made.template.guidance.title} (${made.template.guidance.edition})`,
      };
    } catch (error) {
      if (!(error instanceof LetterRefused)) throw error;
      const view = await this.#store.cases.get(actor, c.caseId, 'suspension');
      return letterForm(view.id, view.pupilId, c.kind, c.values, { error: sentence(error.message) });
    }
  }

  async #recordExclusion(actor: Actor, c: Extract<Command, { verb: 'exclusion.record' }>): Promise<Reply[]> {
    const today = this.#today();
    const pupilId = await resolvePupilId(this.#store, actor, c.pupilId);
    const read = readExclusion(c.values, today);
    if ('errors' in read) return [exclusionForm(pupilId, c.values, { fieldErrors: read.errors })];
    try {
      const result = await recordExclusion(this.#store, actor, pupilId, read.value, { today, evaluator: this.#evaluator, confirmWithoutPeap: c.confirmWithoutPeap === true });
      if (!result.recorded) {
        return [
          exclusionForm(pupilId, c.values, {
            confirm: true,
            error: 'There is no completed pre-exclusion assessment for this pupil. You decide: to record the permanent exclusion anyway, press the button again — your confirmation, and what was lacking, are kept in the audit trail.',
            notes: result.peapLacks.map((l) => `Still lacking: ${l}`),
          }),
        ];
      }
      const replies: Reply[] = [{ type: 'message', tone: 'info', text: `Recorded. The rules have run again for pupil ${pupilId}${result.case ? ' and opened the case below with its duties and dates' : ''}.${result.peap ? ` A pre-exclusion assessment is open for this pupil too (case ${result.peap.id}).` : ''}` }];
      if (result.case) replies.push(await this.#status(actor, result.case.id));
      return replies;
    } catch (error) {
      if (error instanceof InputError) return [exclusionForm(pupilId, c.values, { error: error.problems.map((p) => sentence(p.message)).join(' ') })];
      if (error instanceof EventRefused) return [exclusionForm(pupilId, c.values, { error: sentence(error.message) })];
      throw error;
    }
  }

  async #dutyForm(actor: Actor, caseId: string, duty: DutyKind, recipient?: Recipient, values: Readonly<Record<string, unknown>> = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}): Promise<Reply> {
    const view = await this.#store.cases.get(actor, caseId, 'suspension');
    return dutyForm(view.id, view.pupilId, view.revision, duty, view.context, this.#today(), recipient, values, problems);
  }

  async #recordDuty(actor: Actor, c: Extract<Command, { verb: 'duty.record' }>): Promise<Reply[]> {
    const today = this.#today();
    const read = readDuty(c.duty, c.values, today);
    if ('errors' in read) return [await this.#dutyForm(actor, c.caseId, c.duty, c.recipient, c.values, { fieldErrors: read.errors })];
    const view = await this.#store.cases.get(actor, c.caseId, 'suspension');
    const v = read.value;
    try {
      if (c.duty === 'cancel') await cancelExclusion(this.#store, actor, view.id, v.reason!, { today, expectedRevision: c.revision });
      else await this.#store.cases.send(actor, view, await this.#dutyEvent(view, c.duty, c.recipient, v), { expectedRevision: c.revision });
    } catch (error) {
      if (error instanceof RevisionConflict) return [{ type: 'message', tone: 'warning', text: 'That form is out of date — the case has changed since it was shown (perhaps recorded on another device). Here is where it stands now.' }, await this.#status(actor, view.id)];
      if (error instanceof EventRefused) return [await this.#dutyForm(actor, c.caseId, c.duty, c.recipient, c.values, refusedOnForm(error, dutyFieldIds(c.duty)))];
      throw error;
    }
    return [{ type: 'message', tone: 'info', text: 'Recorded.' }, await this.#status(actor, view.id)];
  }

  /** A movement case's duty recorded from its form: the date, checked against the case as it stood. */
  async #recordMovementDuty(actor: Actor, c: Extract<Command, { verb: 'movement.record' }>): Promise<Reply[]> {
    const today = this.#today();
    const view = await this.#store.cases.get(actor, c.caseId);
    const read = readMovementDuty(c.duty, c.values, today);
    if ('errors' in read) return [movementDutyForm(view.id, view.pupilId, c.revision, c.duty, today, c.values, { fieldErrors: read.errors })];
    try {
      await recordMovementDuty(this.#store, actor, view, c.duty, read.value, { expectedRevision: c.revision });
    } catch (error) {
      if (error instanceof RevisionConflict) return [{ type: 'message', tone: 'warning', text: 'That form is out of date — the case has changed since it was shown (perhaps recorded on another device). Here is where it stands now.' }, await this.#status(actor, view.id)];
      // The form has one date, whichever of the event's fields it records.
      if (error instanceof EventRefused) return [movementDutyForm(view.id, view.pupilId, c.revision, c.duty, today, c.values, refusedOnForm(error, ['on'], error.refused ? { [error.refused.field]: 'on' } : {}))];
      throw error;
    }
    return [{ type: 'message', tone: 'info', text: 'Recorded.' }, await this.#status(actor, view.id)];
  }

  /** The event a duty form records, with the dates the law counts from what was entered. */
  async #dutyEvent(view: CaseView<'suspension'>, duty: Exclude<DutyKind, 'cancel'>, recipient: Recipient | undefined, v: Readonly<Record<string, string>>): Promise<EventOf<'suspension'>> {
    // The dates the law counts, on the school's calendar, as `cases act` counts them (statutoryDates.ts).
    const counted = (type: CountedDateEvent, from: string) => countedDate(this.#store, view, type, from);
    switch (duty) {
      case 'notice':
      case 'cancellation-notice':
        if (!recipient) throw new EventRefused('say whom the notice went to');
        return { type: duty === 'notice' ? 'RECORD_NOTICE' : 'RECORD_CANCELLATION_NOTICE', recipient, method: v.method as 'letter', sentOn: v.sentOn! };
      case 'provision':
        return { type: 'ARRANGE_PROVISION', provider: v.provider!, from: v.from!, ...(v.address ? { address: v.address } : {}) };
      case 'review-request':
        return { type: 'PARENTS_REQUEST_REVIEW', requestedOn: v.requestedOn!, dueDate: await counted('PARENTS_REQUEST_REVIEW', v.requestedOn!) };
      case 'board-meeting':
        return { type: 'SCHEDULE_BOARD_MEETING', on: v.on!, format: v.format as 'remote' };
      case 'board-outcome': {
        const permanentUpheld = view.context.exclusion.category === 'PERM' && v.outcome === 'upheld';
        return { type: 'RECORD_BOARD_REVIEW', outcome: v.outcome as 'upheld', heldOn: v.heldOn!, ...(permanentUpheld ? { irpWindowEnds: await counted('RECORD_BOARD_REVIEW', v.heldOn!) } : {}) };
      }
      case 'irp-request':
        return { type: 'REQUEST_IRP', requestedOn: v.requestedOn!, panelBy: await counted('REQUEST_IRP', v.requestedOn!) };
      case 'irp-decision':
        return { type: 'RECORD_IRP_DECISION', outcome: v.outcome as 'upheld', heldOn: v.heldOn! };
    }
  }

  async #answer(actor: Actor, c: Extract<Command, { verb: 'peap.answer' }>): Promise<Reply[]> {
    const question = this.#question(c.questionId);
    const parsed = parseAnswer(question, c.answer);
    if ('error' in parsed) return [await this.#questionReply(actor, await this.#peap(actor, c.caseId), question, { error: parsed.error, ...(typeof c.answer === 'string' ? { value: c.answer } : {}) })];
    try {
      // One transaction on the way a head usually goes: the answer's audited event records the access too.
      const next = await this.#store.cases.send(actor, { id: c.caseId, kind: 'peap' }, answerEvent(question, parsed.value), { expectedRevision: c.revision });
      return await this.#interview(actor, next);
    } catch (error) {
      // Someone who may not answer at all (AccessDenied) gets the plain refusal from `handle`, not the card again.
      if (!(error instanceof RevisionConflict || error instanceof EventRefused)) throw error;
      // Refused: show where the case stands (an audited read).
      const view = await this.#peap(actor, c.caseId);
      if (!answering(view)) return [{ type: 'message', tone: 'info', text: 'The decision has been recorded, so the answers can no longer change.' }, ...(await this.#interview(actor, view))];
      if (error instanceof RevisionConflict) return this.#stale(actor, view, JSON.stringify(answerOf(view.context, question.id)) === JSON.stringify(parsed.value));
      return [await this.#questionReply(actor, view, question, { error: sentence(error.message) })];
    }
  }

  async #decide(actor: Actor, c: Extract<Command, { verb: 'peap.decide' }>): Promise<Reply[]> {
    const view = await this.#peap(actor, c.caseId);
    if (!answering(view)) return this.#interview(actor, view);
    const parsed = parseDecision(c);
    // Whatever was refused, what the head typed comes back in the form.
    const entered = { decision: typeof c.decision === 'string' ? c.decision : '', rationale: typeof c.rationale === 'string' ? c.rationale : '', followUpDate: typeof c.followUpDate === 'string' ? c.followUpDate : '' };
    if ('error' in parsed) return [await this.#review(actor, view, parsed.error, entered)];
    if (c.revision !== view.revision) return this.#stale(actor, view, false);
    // Submitting the review completes the head's reflection and decides, in one transaction:
    // refused together (by the PEAP gate, say), nothing is left half-done in the trail.
    const events = [...(view.state === 'pupil-voice-captured' ? [{ type: 'COMPLETE_REFLECTION' as const }] : []), { type: 'DECIDE' as const, ...parsed }];
    try {
      const decided = await this.#store.cases.send(actor, view, events, { expectedRevision: view.revision });
      return [{ type: 'decided', caseId: decided.id, pupilId: decided.pupilId, decision: DECISION_TITLES[parsed.decision], followUpDate: parsed.followUpDate }];
    } catch (error) {
      if (error instanceof RevisionConflict) return this.#stale(actor, await this.#peap(actor, c.caseId), false);
      if (error instanceof EventRefused || error instanceof AccessDenied) return [await this.#review(actor, await this.#peap(actor, c.caseId), sentence(error.message), entered)];
      throw error;
    }
  }

  /** A card drawn from an older revision was pressed: say so, and show where the case stands. */
  async #stale(actor: Actor, view: CaseView<'peap'>, alreadySaved: boolean): Promise<Reply[]> {
    const text = alreadySaved
      ? 'That answer was already saved.'
      : 'That card is out of date — the case has changed since it was shown (perhaps answered on another device). Here is where it stands now.';
    return [{ type: 'message', tone: alreadySaved ? 'info' : 'warning', text }, ...(await this.#interview(actor, view))];
  }

  /** The next thing to show for a PEAP: the first unanswered question, the review, or the outcome. */
  async #interview(actor: Actor, view: CaseView<'peap'>): Promise<Reply[]> {
    const step = nextStep(view, this.#questions);
    switch (step.kind) {
      case 'question':
        return [await this.#questionReply(actor, view, step.question)];
      case 'review':
        return [await this.#review(actor, view)];
      case 'decided': {
        const decision = view.context.decision;
        return decision
          ? [{ type: 'decided', caseId: view.id, pupilId: view.pupilId, decision: DECISION_TITLES[decision.decision], followUpDate: decision.followUpDate }]
          : [await this.#status(actor, view.id)];
      }
    }
  }

  async #questionReply(actor: Actor, view: CaseView<'peap'>, question: Question, extra: { value?: unknown; error?: string } = {}): Promise<Reply> {
    const { number, total } = positionOf(view, this.#questions, question.id);
    const saved = extra.value ?? answerOf(view.context, question.id);
    const support = saved === undefined && question.prefill?.startsWith('support-') ? await pupilSupport(this.#store, actor, view.pupilId) : [];
    const suggestion = saved === undefined && question.prefill ? suggestedAnswer(question, await this.#store.pupils.record(actor, view.pupilId), view.context, support) : undefined;
    const value = (saved ?? suggestion) as AnswerValue | undefined;
    // On a support question, support not yet on the record can be recorded first, and the answer comes back pre-filled.
    const recordSupport = question.prefill?.startsWith('support-') && mayRecordSupport(actor) && this.#store.cases.can(actor, view, 'ANSWER').allowed;
    return {
      type: 'question',
      caseId: view.id,
      pupilId: view.pupilId,
      revision: view.revision,
      question,
      number,
      total,
      ...(value !== undefined ? { value } : {}),
      suggested: suggestion !== undefined,
      ...(extra.error ? { error: extra.error } : {}),
      ...(recordSupport ? { actions: [{ title: 'Record support tried', data: { verb: 'support.form', pupilId: view.pupilId, peapCaseId: view.id, questionId: question.id } }] } : {}),
    };
  }

  async #review(actor: Actor, view: CaseView<'peap'>, error?: string, entered?: { decision: string; rationale: string; followUpDate: string }): Promise<Reply> {
    const context = view.context;
    const items = applicableQuestions(this.#questions, context).map((q) => ({
      questionId: q.id,
      section: q.section,
      text: q.text,
      answer: displayAnswer(q, answerOf(context, q.id)),
      changeable: this.#store.cases.can(actor, view, q.id === MEETING_DATE ? 'SCHEDULE_MEETING' : 'ANSWER').allowed,
    }));
    // Beside the answers, what the support record holds — said plainly when it holds nothing, so a
    // permanent exclusion resting on no recorded support is seen before deciding (inform, never decide).
    const support = await pupilSupport(this.#store, actor, view.pupilId);
    items.push({
      questionId: SUPPORT_ON_RECORD,
      section: 'Support tried',
      text: 'Support on record (support plans and nurture outreach)',
      answer: support.length ? support.map(supportLineWords).join('\n') : NO_SUPPORT_ON_RECORD,
      changeable: false,
    });
    // "All support exhausted" answered Yes while the record holds support still in hand: said beside it, for the head to weigh.
    const inHand = support.filter((l) => l.inHand);
    if (inHand.length && answerOf(context, PEAP_QUESTIONS.supportExhausted) === true) {
      items.push({
        questionId: SUPPORT_IN_HAND,
        section: 'Support tried',
        text: 'Support still in hand, beside the answer that all support is exhausted',
        answer: `${inHand.length} of the support on record ${inHand.length === 1 ? 'is' : 'are'} still running or waiting: ${inHand.map((l) => `${l.what} — ${l.outcome}`).join('; ')}.`,
        changeable: false,
      });
    }
    const from = context.meetingDate && context.meetingDate > this.#today() ? context.meetingDate : this.#today();
    const calendar = await this.#store.pupils.calendarFor(view.schoolId, from);
    let followUp = from;
    try {
      followUp = calendar ? calendar.addSchoolDays(from, SUGGESTED_REVIEW_SCHOOL_DAYS) : from;
    } catch {
      followUp = from; // past the end of the calendar's year: the head picks the date
    }
    return {
      type: 'review',
      caseId: view.id,
      pupilId: view.pupilId,
      revision: view.revision,
      items,
      gateMissing: gateMissing(view),
      canDecide: this.#store.cases.can(actor, view, 'DECIDE', { atAnyStage: true }).allowed,
      decisions: DECISIONS,
      followUpSuggested: followUp,
      ...(error ? { error } : {}),
      ...(entered ? { entered } : {}),
    };
  }

  /**
   * A page of the person's open cases — PEAPs first (a decision is pending), then those with overdue
   * duties, then by the next date; optionally one pupil's.
   */
  async #caseList(actor: Actor, title: string, c: { readonly verb?: 'cases.mine' | 'cases.overview'; readonly page?: number | undefined; readonly pupilId?: string | undefined }): Promise<Reply> {
    const today = this.#today();
    const pupilId = c.pupilId ? await resolvePupilId(this.#store, actor, c.pupilId) : undefined;
    const views = await this.#store.cases.list(actor, { status: 'active', ...(pupilId ? { pupilId } : {}) });
    // Names only where the school chose to hold them and this person covers it; never in a proactive message.
    const names = await this.#store.displayNames.for(actor, views.map((v) => v.pupilId));
    const lines = views
      .map((v) => caseLine(v, today, names.get(v.pupilId), this.#reviewButton(actor, v, today)))
      .sort(
        (a, b) =>
          Number(b.kind === 'peap') - Number(a.kind === 'peap') ||
          Number(b.overdue.length > 0) - Number(a.overdue.length > 0) ||
          (a.nextDeadline?.dueDate ?? '9999').localeCompare(b.nextDeadline?.dueDate ?? '9999'),
      );
    const pages = Math.max(1, Math.ceil(lines.length / CASES_PER_PAGE));
    const page = Math.min(Math.max(1, c.page ?? 1), pages);
    const shown = lines.slice((page - 1) * CASES_PER_PAGE, page * CASES_PER_PAGE);
    const first = (page - 1) * CASES_PER_PAGE + 1;
    return {
      type: 'case-list',
      title: pupilId ? `${title} · pupil ${pupilId}` : title,
      cases: shown,
      total: lines.length,
      empty: pupilId ? `No open cases for pupil ${pupilId}.` : 'No open cases. When the rules open one for your school, I will message you.',
      footer: `${lines.length > CASES_PER_PAGE ? `Cases ${first}–${first + shown.length - 1} of ${lines.length}. ` : ''}PEAPs first, then overdue duties.${pupilId ? '' : ' Type "my cases PUPIL-ID" for one pupil\'s.'}`,
      ...(page < pages ? { more: { title: `Next ${Math.min(CASES_PER_PAGE, lines.length - page * CASES_PER_PAGE)}`, data: { verb: c.verb ?? 'cases.mine', page: page + 1, ...(pupilId ? { pupilId } : {}) } } } : {}),
    };
  }

  /** A case read back from its record: one audited read, whatever the channel. */
  async #status(actor: Actor, caseId: string): Promise<Reply> {
    const today = this.#today();
    const record = await caseRecord(this.#store, actor, caseId, { today, questions: this.#questions, evaluator: this.#evaluator });
    // Access was checked (and the read audited) by the record; the case line is the system's own read.
    const view = await this.#store.cases.get(SYSTEM, caseId);
    const line = caseLine(view, today, (await this.#store.displayNames.for(actor, [view.pupilId])).get(view.pupilId));
    const base = this.#workspaceUrl()?.replace(/\/+$/, '');
    const review = this.#reviewButton(actor, view, today, true);
    const actions: ButtonAction[] = [
      ...(line.resumable ? [{ title: 'Continue the assessment', data: { verb: 'peap.resume', caseId }, primary: true }] : []),
      ...(review ? [review] : []),
      ...(view.kind === 'suspension' ? dutyButtons(this.#store, actor, view) : movementButtons(this.#store, actor, view)),
      ...(view.kind === 'suspension' && mayWriteLetters(this.#store, actor, view).allowed
        ? lettersFitting(view).map((kind) => ({ title: `Write ${LETTER_WORDS[kind]}`, data: { verb: 'letter.form', caseId, kind } }))
        : []),
    ];
    return caseStatus(record, line, base ? `${base}/cases/${encodeURIComponent(record.case.id)}` : undefined, actions);
  }

  async #check(actor: Actor, c: Extract<Command, { verb: 'suspension.check' }>): Promise<Reply> {
    const typedPupil = String(c.pupilId ?? '').trim();
    const typedDate = String(c.startDate ?? '').trim();
    const sessions = String(c.sessions ?? '').trim();
    const form = (error: string): Reply => ({ type: 'check-form', pupilId: typedPupil, startDate: typedDate, sessions, error });
    if (!typedPupil) return form('Please give the pupil id.');
    if (!typedDate) return form('Please give the first day.');
    const date = parseDateInput(typedDate, this.#today());
    if ('error' in date) return form(date.error);
    const startDate = date.date;
    if (!/^\d+$/.test(sessions) || Number(sessions) < 1) return form('Please give the length in sessions (two a school day): a whole number, 1 or more.');
    const record = await this.#store.pupils.record(actor, await resolvePupilId(this.#store, actor, typedPupil));
    const calendar = await this.#store.pupils.calendarFor(record.schoolId, startDate);
    if (!calendar || !calendar.covers(startDate)) return form(`School ${record.schoolId} has no calendar covering ${longDate(startDate)}.`);
    try {
      const a = await assessProposedSuspension(record, { startDate, sessions: Number(sessions) }, calendar, { evaluator: this.#evaluator });
      const [headline, ...facts] = describeAssessment(a, record.id);
      const decides = actor.role === 'headteacher' || actor.role === 'deputy';
      return {
        type: 'assessment',
        pupilId: record.id,
        allowed: a.allowed,
        headline: headline ?? '',
        facts,
        duties: a.triggers.map((t) => ({ title: t.title, due: t.dueDate ? longDate(t.dueDate) : 'without delay', explanation: t.explanation })),
        actions: [
          ...(a.allowed && decides ? [{ title: 'Record this suspension', data: { verb: 'exclusion.form', pupilId: record.id, startDate, sessions }, primary: true }] : []),
          { title: 'Check another', data: { verb: 'suspension.form', pupilId: record.id } },
        ],
      };
    } catch (error) {
      if (error instanceof InputError) return form(error.problems.map((p) => p.message).join('; '));
      throw error;
    }
  }

  async #peap(actor: Actor, caseId: string): Promise<CaseView<'peap'>> {
    return asPeap(await this.#store.cases.get(actor, caseId));
  }

  #question(id: string): Question {
    const question = this.#questions.find((q) => q.id === id);
    if (!question) throw new EventRefused(`there is no question "${id}" in this question set`);
    return question;
  }
}

/** The duties a reminder of each deadline offers to record. */
const REMINDED_DUTIES: Readonly<Record<string, readonly DutyKind[]>> = {
  notices: ['notice'],
  'cancellation-notices': ['cancellation-notice'],
  provision: ['provision'],
  'board-review': ['board-meeting', 'board-outcome'],
};

/** Each duty `actor` can record now, as the button that opens its form. */
function dutyButtons(store: CaseStore, actor: Actor, view: CaseView<'suspension'>): ButtonAction[] {
  return dutyActions(store, actor, view).map((a) => ({ title: a.title, data: { verb: 'duty.form', caseId: view.id, duty: a.duty, ...(a.recipient ? { recipient: a.recipient } : {}) } }));
}

/** Each duty of a pupil-movement case `actor` can record now, as the button that opens its form (none for other kinds). */
function movementButtons(store: CaseStore, actor: Actor, view: CaseView): ButtonAction[] {
  return movementDutyActions(store, actor, view).map((a) => ({ title: a.title, data: { verb: 'movement.form', caseId: view.id, duty: a.duty satisfies MovementDutyKind } }));
}

/** The case as a PEAP. @throws EventRefused when it is another kind. */
function asPeap(view: CaseView): CaseView<'peap'> {
  if (view.kind !== 'peap') throw new EventRefused(`case ${view.id} is a ${view.kind} case, not a pre-exclusion assessment`);
  return view;
}

function caseLine(view: CaseView, today: IsoDate, pupilName?: string, act?: ButtonAction): CaseLine {
  return { ...caseSummary(view, today, pupilName), resumable: view.kind === 'peap' && answering(view), ...(act ? { act } : {}) };
}

/** Who records support tried: those who act for the school (the support plan's `openedBy`). */
function mayRecordSupport(actor: Actor): boolean {
  return actor.role !== 'system' && supportPlanCase.openedBy.includes(actor.role);
}
const SUPPORT_RECORDED_BY = 'Support tried is recorded by the school: the headteacher, a deputy, the SENCO or an administrator. Officers read it in the case view.';

/** A support plan with no plan agreed yet (still in `assess`, or assessed): support recorded completes it. */
function awaitingPlan(view: CaseView): view is CaseView<'support-plan'> {
  return view.kind === 'support-plan' && view.status === 'active' && (view.state === 'assess' || (view.state === 'plan' && view.context.plans.length === 0));
}

/** Why a support plan has no review to record now, in words. */
function nothingToReview(view: CaseView<'support-plan'>): string {
  if (view.status === 'done') return `This support plan has ended (${String(view.state).replace(/-/g, ' ')}): there is no review to record.`;
  if (view.state === 'plan') return 'Its last review decided to revise the plan: there is no plan running to review until the revised one is agreed (the case\'s "Agree the revised plan").';
  return 'There is no plan running to review yet.';
}

/** The status reply from a case record: what it gives, in words, trimmed to what a chat can hold. */
function caseStatus(r: CaseRecord, line: CaseLine, workspaceUrl: string | undefined, actions: readonly ButtonAction[]): CaseStatus {
  const opened = r.case.openedBy;
  const timeline = r.timeline.filter((t) => t.what !== READ_THE_CASE);
  const shownTimeline = timeline.slice(-STATUS_SHOWS.timeline);
  const notes = r.notes.slice(-STATUS_SHOWS.notes);
  const answers = shownAnswers(r.answers);
  return {
    type: 'case-status',
    case: line,
    ...(opened ? { openedBy: opened.words } : {}),
    ...(r.decision
      ? { decision: { decision: r.decision.decision, rationale: r.decision.rationale, by: r.decision.by, when: moment(r.decision.at), followUpDate: r.decision.followUpDate, gate: r.decision.gate } }
      : {}),
    // A PEAP's support tried, beside its decision (the newest few; the workspace has them all).
    ...(r.case.kind === 'peap' ? { support: r.support.length ? r.support.slice(-STATUS_SHOWS.support).map(supportLineWords) : [NO_SUPPORT_ON_RECORD], supportMore: Math.max(0, r.support.length - STATUS_SHOWS.support) } : {}),
    answers,
    answersMore: r.answers.length - answers.reduce((n, s) => n + s.answers.length, 0),
    duties: r.duties.map(
      (d): StatusDuty => ({
        what: d.what,
        ...(d.dueDate ? { dueDate: d.dueDate } : {}),
        status: DUTY_STATUS[d.status],
        ...(d.done ? { done: `${longDate(d.done.on)}${d.done.how ? ` (${d.done.how})` : ''}, recorded by ${d.done.by}` } : {}),
      }),
    ),
    notes: notes.map((n) => ({ text: shorten(n.text, STATUS_SHOWS.noteChars), by: `${n.by} (${n.role})`, when: moment(n.at) })),
    notesMore: r.notes.length - notes.length,
    timeline: shownTimeline.map((t) => ({ when: moment(t.at), who: t.who === t.role ? t.who : `${t.who} (${t.role})`, what: t.what })),
    timelineMore: timeline.length - shownTimeline.length,
    ...(workspaceUrl ? { workspaceUrl } : {}),
    actions,
  };
}

const DUTY_STATUS: Readonly<Record<CaseRecord['duties'][number]['status'], StatusDuty['status']>> = { 'on-time': 'on time', late: 'late', overdue: 'overdue', pending: 'to do', cancelled: 'cancelled' };

/**
 * The answers a status shows, grouped by section in the set's order: all of them when few; when
 * many, those changed and then the most recently given (the pre-filled record comes first in the
 * set, the head's own questions last). Long texts are shortened.
 */
function shownAnswers(all: CaseRecord['answers']): CaseStatus['answers'] {
  const ranked = all
    .map((a, i) => ({ a, i }))
    // Given at the same moment, the later question in the set was the later answered.
    .sort((x, y) => Number(y.a.earlier.length > 0) - Number(x.a.earlier.length > 0) || (y.a.at ?? '').localeCompare(x.a.at ?? '') || y.i - x.i);
  const kept = new Set(ranked.slice(0, STATUS_SHOWS.answers).map((x) => x.i));
  const sections = new Map<string, StatusAnswer[]>();
  all.forEach((a, i) => {
    if (!kept.has(i)) return;
    // Changes as they were made, a value saved again unchanged shown once.
    const values = [...a.earlier.map((e) => e.answer), a.answer].filter((v, j, list) => j === 0 || v !== list[j - 1]);
    const earlier = values.slice(0, -1).slice(-STATUS_SHOWS.changes).map((v) => shorten(v.replace(/\s+/g, ' '), STATUS_SHOWS.earlierChars));
    const shown: StatusAnswer = { question: a.question, answer: shorten(a.answer, STATUS_SHOWS.answerChars), earlier, ...(a.by ? { by: a.by } : {}), ...(a.at ? { when: moment(a.at) } : {}) };
    sections.set(a.section, [...(sections.get(a.section) ?? []), shown]);
  });
  return [...sections].map(([section, answers]) => ({ section, answers }));
}

/** A moment in words, in England's time: "Friday 20 Mar 2026 09:00". */
function moment(iso: string): string {
  const instant = new Date(iso);
  return Number.isNaN(instant.getTime()) ? iso : `${longDate(englishDate(instant))} ${LONDON_TIME.format(instant)}`;
}
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** A text cut to `max` characters, ending "…" when cut. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** "no case X that you can see" → "No case X that you can see." */
function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

/**
 * A store's refusal as a form shows it: under the field it names when the form has that field
 * (`asField` maps an event's field to the form's), else above the form.
 */
function refusedOnForm(error: EventRefused, formFields: readonly string[], asField: Readonly<Record<string, string>> = {}): { error?: string; fieldErrors?: Readonly<Record<string, string>> } {
  const field = error.refused && (asField[error.refused.field] ?? error.refused.field);
  if (!field || !error.refused || !formFields.includes(field)) return { error: sentence(error.message) };
  return { fieldErrors: { [field]: sentence(error.refused.problem) } };
}
