/**
 * The structured pre-exclusion questions, as data (seed 004:2636-2657, `domain.md` §6). The
 * default set is Astrea's PEAP: the meeting, the exclusions and the pupil's needs (pre-filled from
 * the record for the head to confirm), the pupil's voice, the support tried, the contributing
 * factors with how each was taken into account, the head's three questions and the attestation
 * that all support has been exhausted. A trust rewords or adds questions in a file, validated;
 * the questions the PEAP gate reads cannot be removed.
 */
import { readFileSync } from 'node:fs';
import { duplicateKey, longDate, printable, quoted } from '@before-exclusion/rules';
import { PEAP_QUESTIONS } from '../machines/peapCase.js';
import { z } from 'zod';

export type QuestionKind = 'date' | 'text' | 'yes-no' | 'choice' | 'choices';

/** What the record already knows, offered as the answer for the head to confirm. */
export type Prefill = 'exclusions' | 'needs' | 'factors' | 'support-school' | 'support-external';

export interface Question {
  /** Stable: answers are stored under it. Ids starting `pupil-voice.` count as the pupil's voice. */
  readonly id: string;
  readonly section: string;
  readonly kind: QuestionKind;
  readonly text: string;
  readonly hint?: string;
  /** For `choice` and `choices`. */
  readonly options?: readonly { readonly value: string; readonly title: string }[];
  readonly prefill?: Prefill;
  /** Asked only when another question's answer includes a value (a factor that was present). */
  readonly askedWhen?: { readonly question: string; readonly includes: string };
}

/** The meeting date is a question too, but it schedules the meeting rather than recording an answer. */
export const MEETING_DATE = 'meeting.date';

const FACTORS = [
  { value: 'send', title: 'Special educational needs or disability (SEND)' },
  { value: 'family', title: 'Family circumstances' },
  { value: 'bereavement', title: 'Bereavement' },
  { value: 'other', title: 'Something else' },
] as const;

/** The default PEAP question set. */
export const DEFAULT_QUESTIONS: readonly Question[] = [
  { id: MEETING_DATE, section: 'The meeting', kind: 'date', text: 'When is (or was) the pre-exclusion meeting?', hint: 'The meeting with the pupil, their family and the staff who know them.' },
  { id: 'exclusion.details', section: 'The exclusions', kind: 'text', prefill: 'exclusions', text: 'The details of the exclusion(s) that led to this assessment', hint: 'From the record: confirm, or correct what is wrong.' },
  { id: 'pupil.needs', section: "The pupil's needs", kind: 'text', prefill: 'needs', text: 'The needs of the pupil', hint: 'From the record: confirm, and add what the record does not say.' },
  { id: 'pupil-voice.likes', section: "The pupil's voice", kind: 'text', text: 'What do you like about school?', hint: "The pupil's own words, as far as possible." },
  { id: 'pupil-voice.happy', section: "The pupil's voice", kind: 'text', text: 'Are you happy when you are here?' },
  { id: 'pupil-voice.not-happy', section: "The pupil's voice", kind: 'text', text: 'Can you describe a time when you have not been happy, and what happened?' },
  { id: 'pupil-voice.help-when-angry', section: "The pupil's voice", kind: 'text', text: 'Is there anything the teachers could do better to help you if you are angry?' },
  { id: PEAP_QUESTIONS.schoolBasedSupport, section: 'Support tried', kind: 'text', prefill: 'support-school', text: 'Which school-based interventions have been tried, and what happened?', hint: 'From the support record when it holds any: confirm, and add what it does not say.' },
  { id: PEAP_QUESTIONS.externalSupport, section: 'Support tried', kind: 'text', prefill: 'support-external', text: 'Which external interventions or agencies have been involved, and what happened?', hint: 'From the support record when it holds any; write "none" if there have been none, and why.' },
  { id: 'factors.present', section: 'Contributing factors', kind: 'choices', prefill: 'factors', options: [...FACTORS, { value: 'none', title: 'None of these' }], text: "Which factors could have contributed to the pupil's behaviour?", hint: 'Choose every one that applies.' },
  ...FACTORS.map(
    (f): Question => ({ id: `factors.${f.value}.how`, section: 'Contributing factors', kind: 'text', askedWhen: { question: 'factors.present', includes: f.value }, text: `${f.title}: how was it taken into account?` }),
  ),
  {
    id: PEAP_QUESTIONS.factorsConsidered,
    section: "The headteacher's questions",
    kind: 'text',
    text: "Have I considered factors that could have contributed to the pupil's behaviour (e.g. SEND, family circumstances, bereavement) and have I taken these factors sufficiently into account?",
  },
  { id: PEAP_QUESTIONS.sanctionAppropriate, section: "The headteacher's questions", kind: 'text', text: "Is exclusion the most appropriate and reasonable sanction, and consistent with the academy's behaviour policy?" },
  { id: PEAP_QUESTIONS.reasonsRecorded, section: "The headteacher's questions", kind: 'text', text: 'Are all the exclusion reasons clearly recorded, including the impact on others?' },
  {
    id: PEAP_QUESTIONS.supportExhausted,
    section: 'Attestation',
    kind: 'yes-no',
    text: 'I attest that all support mechanisms available to the pupil have been exhausted.',
    hint: 'A permanent exclusion cannot be recorded until this is "yes".',
  },
];

/** The question ids the PEAP gate reads: a trust may reword them, never drop them. */
const GATE_QUESTIONS = [PEAP_QUESTIONS.factorsConsidered, PEAP_QUESTIONS.sanctionAppropriate, PEAP_QUESTIONS.reasonsRecorded, PEAP_QUESTIONS.supportExhausted];

const questionId = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'expected lower-case letters, digits, dots and dashes, e.g. "trust.restorative-meeting"');
const addedQuestion = z.strictObject({
  id: questionId,
  /** Placed after this question; at the end of its section when omitted. */
  after: z.string().optional(),
  section: z.string().min(1).optional(),
  kind: z.enum(['date', 'text', 'yes-no', 'choice', 'choices'], { error: 'expected one of date, text, yes-no, choice, choices' }),
  text: z.string().trim().min(1, 'a question needs its text'),
  hint: z.string().optional(),
  options: z.array(z.strictObject({ value: questionId, title: z.string().min(1) })).min(2, 'a choice needs at least two options').optional(),
});

/** The format of a trust's question file. */
export const questionSetFileSchema = z.strictObject({
  format: z.literal('peap-questions/1', { error: 'expected "peap-questions/1"' }),
  name: z.string().min(1).optional(),
  /** New wording for default questions, by id. */
  reword: z.record(z.string(), z.strictObject({ text: z.string().trim().min(1).optional(), hint: z.string().optional() })).default({}),
  add: z.array(addedQuestion).default([]),
});
export type QuestionSetFile = z.input<typeof questionSetFileSchema>;

/** Thrown for a question file that cannot be used; each line says where and what is accepted. */
export class QuestionSetError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file} is not a usable question set:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'QuestionSetError';
  }
}

/**
 * The default questions with a trust's changes applied.
 * @example questionSet({ format: 'peap-questions/1', reword: { 'pupil-voice.likes': { text: 'What is the best thing about school?' } } })
 * @throws QuestionSetError naming every problem.
 */
export function questionSet(overrides?: unknown, file = 'question set'): readonly Question[] {
  if (overrides === undefined) return DEFAULT_QUESTIONS;
  const parsed = questionSetFileSchema.safeParse(overrides);
  if (!parsed.success) throw new QuestionSetError(file, parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`));
  const problems: string[] = [];
  const byId = new Map(DEFAULT_QUESTIONS.map((q) => [q.id, q]));
  const questions = DEFAULT_QUESTIONS.map((q) => {
    const change = parsed.data.reword[q.id];
    return change ? { ...q, ...(change.text ? { text: change.text } : {}), ...(change.hint !== undefined ? { hint: change.hint } : {}) } : q;
  });
  for (const id of Object.keys(parsed.data.reword)) {
    if (!byId.has(id)) problems.push(`reword.${id}: no default question has that id; ids: ${[...byId.keys()].join(', ')}`);
  }
  parsed.data.add.forEach((q, i) => {
    const where = `add.${i} (${q.id})`;
    if (questions.some((x) => x.id === q.id)) problems.push(`${where}: a question with this id already exists; choose another id`);
    if ((q.kind === 'choice' || q.kind === 'choices') !== (q.options !== undefined)) problems.push(`${where}: options are given for choice and choices questions, and only for them`);
    if (q.id === MEETING_DATE || GATE_QUESTIONS.includes(q.id as never)) problems.push(`${where}: this id is reserved`);
    const anchor = q.after ?? [...questions].reverse().find((x) => x.section === q.section)?.id ?? questions.at(-1)?.id;
    const at = questions.findIndex((x) => x.id === anchor);
    if (q.after && at < 0) problems.push(`${where}.after: no question "${q.after}" to place it after`);
    const { after: _after, ...rest } = q;
    const added: Question = { ...rest, section: q.section ?? questions[at]?.section ?? 'Further questions', ...(q.options ? { options: q.options } : {}) } as Question;
    questions.splice(at < 0 ? questions.length : at + 1, 0, added);
  });
  if (problems.length) throw new QuestionSetError(file, problems);
  return questions;
}

/** Reads a trust's question file (JSON). */
export function loadQuestionSet(path: string): readonly Question[] {
  let json: unknown;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new QuestionSetError(path, [`cannot read it as JSON: ${printable((error as Error).message)}`]);
  }
  const repeated = duplicateKey(text);
  if (repeated) throw new QuestionSetError(path, [`line ${repeated.line}: the key ${quoted(repeated.key)} appears twice in one object; give each once`]);
  return questionSet(json, path);
}

/** An answer as a person reads it. */
export function displayAnswer(question: Question, value: string | string[] | boolean | undefined): string {
  if (value === undefined) return '(not answered)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (question.kind === 'date' && typeof value === 'string') return longDate(value);
  const title = (v: string) => question.options?.find((o) => o.value === v)?.title ?? v;
  return Array.isArray(value) ? value.map(title).join('; ') : question.options ? title(value) : value;
}
