/**
 * The pre-exclusion interview over a PEAP case. Where the head is is never remembered: it is
 * worked out from the answers saved in the case, so a conversation stopped anywhere resumes — on
 * another day, on another device, in Teams or in Slack — at the first unanswered question.
 */
import { EXCLUSION_REASONS, isIsoDate, longDate, type PupilRecord } from '@before-exclusion/rules';
import { PEAP_DECISIONS, PEAP_DECISION_TITLES as DECISION_TITLES, peapEvents, peapGateMissing, type CaseView, type EventOf, type PeapContext, type PeapDecision } from '@before-exclusion/workflows';
import { MEETING_DATE, supportLineWords, type Question, type SupportLine } from '@before-exclusion/workflows';

export type AnswerValue = string | string[] | boolean;

export { DECISION_TITLES };
export const DECISIONS = PEAP_DECISIONS.map((value) => ({ value, title: DECISION_TITLES[value] }));

export type InterviewStep =
  | { readonly kind: 'question'; readonly question: Question; readonly number: number; readonly total: number }
  | { readonly kind: 'review' }
  | { readonly kind: 'decided' };

/** Whether the interview's answers can still be given or changed: the case's machine says so. */
export function answering(view: CaseView<'peap'>): boolean {
  return view.nextEvents.includes('ANSWER');
}

/** The questions that apply, given the answers so far (a factor's follow-up only when it was present). */
export function applicableQuestions(questions: readonly Question[], context: PeapContext): Question[] {
  return questions.filter((q) => {
    if (!q.askedWhen) return true;
    const v = answerOf(context, q.askedWhen.question);
    return Array.isArray(v) ? v.includes(q.askedWhen.includes) : v === q.askedWhen.includes;
  });
}

/** The saved answer to a question, if any. */
export function answerOf(context: PeapContext, questionId: string): AnswerValue | undefined {
  return questionId === MEETING_DATE ? context.meetingDate : context.answers[questionId]?.value;
}

/** Where the interview stands: the first unanswered question, the review, or past the decision. */
export function nextStep(view: CaseView<'peap'>, questions: readonly Question[]): InterviewStep {
  if (!answering(view)) return { kind: 'decided' };
  const context = view.context;
  const asked = applicableQuestions(questions, context);
  const index = asked.findIndex((q) => answerOf(context, q.id) === undefined);
  const question = asked[index];
  return question ? { kind: 'question', question, number: index + 1, total: asked.length } : { kind: 'review' };
}

/** The position of a question among those that apply, for "question 4 of 12". */
export function positionOf(view: CaseView<'peap'>, questions: readonly Question[], questionId: string): { number: number; total: number } {
  const asked = applicableQuestions(questions, view.context);
  return { number: asked.findIndex((q) => q.id === questionId) + 1, total: asked.length };
}

/**
 * Reads what a person entered for a question: trimmed text, a real date, yes or no, options
 * from the list. Returns the value, or what is wrong in words.
 */
export function parseAnswer(question: Question, raw: unknown): { value: AnswerValue } | { error: string } {
  const text = typeof raw === 'string' ? raw.trim() : '';
  switch (question.kind) {
    case 'text':
      if (!text) return { error: 'Please write an answer.' };
      if (text.length > 4000) return { error: `Please keep the answer under 4,000 characters (it has ${text.length}).` };
      return { value: text };
    case 'date':
      return isIsoDate(text) ? { value: text } : { error: 'Please give a date, written YYYY-MM-DD.' };
    case 'yes-no':
      if (raw === true || /^(yes|y|true)$/i.test(text)) return { value: true };
      if (raw === false || /^(no|n|false)$/i.test(text)) return { value: false };
      return { error: 'Please choose yes or no.' };
    case 'choice':
    case 'choices': {
      const values = (Array.isArray(raw) ? raw.map(String) : text.split(',')).map((v) => v.trim()).filter(Boolean);
      const allowed = (question.options ?? []).map((o) => o.value);
      const unknown = values.filter((v) => !allowed.includes(v));
      if (values.length === 0) return { error: question.kind === 'choice' ? 'Please choose one.' : 'Please choose at least one.' };
      if (unknown.length) return { error: `Not an option: ${unknown.join(', ')}. Options: ${allowed.join(', ')}.` };
      if (question.kind === 'choice') return values.length === 1 ? { value: values[0]! } : { error: 'Please choose only one.' };
      return { value: [...new Set(values)] };
    }
  }
}

/** The case event that saves an answer. */
export function answerEvent(question: Question, value: AnswerValue): EventOf<'peap'> {
  if (question.id !== MEETING_DATE) return { type: 'ANSWER', questionId: question.id, answer: value };
  if (typeof value !== 'string') throw new TypeError('the meeting date is a date, written YYYY-MM-DD');
  return { type: 'SCHEDULE_MEETING', date: value };
}


/** What the record already says, offered for the head to confirm rather than retype. */
export function suggestedAnswer(question: Question, record: PupilRecord, context: PeapContext, support: readonly SupportLine[] = []): AnswerValue | undefined {
  switch (question.prefill) {
    // The support record, line by line (what, with whom, from when, how it ended, what it changed): nothing when it holds none.
    case 'support-school':
    case 'support-external': {
      const lines = support.filter((l) => l.external === (question.prefill === 'support-external')).map(supportLineWords);
      return lines.length ? lines.join('\n') : undefined;
    }
    case 'exclusions':
      return exclusionDetails(record, context);
    case 'needs':
      return needsOnRecord(record);
    case 'factors':
      return record.send !== 'none' ? ['send'] : undefined;
    default:
      return undefined;
  }
}

function exclusionDetails(record: PupilRecord, context: PeapContext): string {
  const lines = record.exclusions
    .filter((e) => context.exclusionIds.includes(e.id))
    .map((e) => {
      const length = e.category === 'LNCH' ? `${e.lunchtimes} lunchtime(s)` : e.category === 'PERM' ? 'permanent' : `${e.sessions} session(s)`;
      const reasons = e.reasons.map((r) => `${r} (${EXCLUSION_REASONS[r as keyof typeof EXCLUSION_REASONS] ?? 'legacy code'})`).join(', ');
      return `${e.id}: ${e.category} from ${longDate(e.startDate)}, ${length}; reasons: ${reasons}${e.cancelled ? ' — cancelled' : ''}`;
    });
  const why = context.trigger?.explanation ? `Why the PEAP: ${context.trigger.explanation}.` : record.atRiskOfPermanentExclusion ? 'Why the PEAP: the pupil is flagged at risk of permanent exclusion.' : 'Opened by the headteacher.';
  return [why, ...(lines.length ? lines : ['No exclusion is on the record for this assessment.'])].join('\n');
}

function needsOnRecord(record: PupilRecord): string {
  const send = { none: 'none recorded', K: 'SEN support (K)', E: 'an Education, Health and Care plan (E)' }[record.send];
  return [
    `SEND: ${send}`,
    `Looked after (in care): ${record.lookedAfter ? 'yes' : 'no'}`,
    `Has a social worker: ${record.hasSocialWorker ? 'yes' : 'no'}`,
    `Free school meals: ${record.fsm ? 'yes' : 'no'}`,
    ...(record.ebsnaIndicators.length ? [`Emotional indicators recorded: ${record.ebsnaIndicators.join(', ')}`] : []),
  ].join('\n');
}

/** What still stands between the case and a permanent exclusion decision, in words. */
export function gateMissing(view: CaseView<'peap'>): string[] {
  return peapGateMissing(view.context);
}

/** Reads the decision form: one of the decisions, a rationale, a follow-up date after the meeting. */
export function parseDecision(data: Record<string, unknown>): { decision: PeapDecision; rationale: string; followUpDate: string } | { error: string } {
  // What a valid decision is, the PEAP machine's DECIDE declaration says; here only the words for a form.
  const parsed = peapEvents.DECIDE.payload.safeParse({
    decision: String(data.decision ?? ''),
    rationale: String(data.rationale ?? ''),
    followUpDate: String(data.followUpDate ?? '').trim(),
  });
  if (parsed.success) return parsed.data;
  const field = String(parsed.error.issues[0]?.path[0] ?? '');
  return { error: DECISION_FIELD_ERRORS[field] ?? `Please check the decision: ${parsed.error.issues[0]?.message ?? 'it is not valid'}.` };
}

const DECISION_FIELD_ERRORS: Readonly<Record<string, string>> = {
  decision: 'Please choose the decision.',
  rationale: 'Please give the rationale for the decision.',
  followUpDate: 'Please give the follow-up review date, written YYYY-MM-DD.',
};
