/**
 * The forms a head fills in to finish the statutory work — record an exclusion, and each duty of
 * one — as channel-free data: Teams renders a form as an Adaptive Card, Slack as a modal. Each
 * form reads back what was entered into what the workflows take, or says, per field, what is wrong.
 * Dates the product can count (the board's latest date, the review windows) are counted, never asked.
 */
import { EXCLUSION_REASONS, isIsoDate, longDate, type IsoDate } from '@before-exclusion/rules';
import { MEETING_FORMATS, NOTICE_METHODS, RECIPIENT_WORDS, movementDutyWords, type MovementDutyKind, type DutyKind, type ExclusionDecision, type LetterFormat, type LetterKind, type LetterPeople, type Recipient, type SuspensionContext } from '@before-exclusion/workflows';
import { parseDateInput } from './dates.js';
import type { FormField, FormReply } from './replies.js';

/** What a submitted form holds: the button's data with the inputs merged in. */
export type Submitted = Readonly<Record<string, unknown>>;
export type Read<T> = { readonly value: T } | { readonly errors: Readonly<Record<string, string>> };

const choice = (values: readonly string[], words: Readonly<Record<string, string>>) => values.map((value) => ({ value, title: words[value] ?? value }));
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

/** CBDS reasons a head may give today (the legacy PD and OT are read, never offered). */
const CURRENT_REASONS = Object.entries(EXCLUSION_REASONS).filter(([code]) => code !== 'PD' && code !== 'OT');
const REASON_CHOICES = CURRENT_REASONS.map(([value, words]) => ({ value, title: words.charAt(0).toUpperCase() + words.slice(1) }));
const CATEGORY_CHOICES = [
  { value: 'FIXD', title: 'Suspension (whole or half days)' },
  { value: 'LNCH', title: 'Lunchtime suspension' },
  { value: 'PERM', title: 'Permanent exclusion' },
];
const METHOD_WORDS: Readonly<Record<string, string>> = { letter: 'Letter', email: 'Email', hand: 'By hand', phone: 'Phone (followed in writing)', portal: 'Online portal' };
const FORMAT_WORDS: Readonly<Record<string, string>> = { 'in-person': 'In person', remote: 'Remote (the parents asked for it)' };
const OUTCOME_WORDS: Readonly<Record<string, string>> = { upheld: 'Upheld: the pupil is not reinstated', reinstated: 'The pupil is reinstated' };
const IRP_OUTCOME_WORDS: Readonly<Record<string, string>> = { upheld: "Upheld the board's decision", 'recommend-reconsider': 'Recommended the board reconsiders', quash: "Quashed the board's decision (the board must reconsider)" };

/** The form that records an exclusion, as the check left it (or as the head last filled it). */
export function exclusionForm(pupilId: string, values: Submitted = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>>; notes?: readonly string[]; confirm?: boolean } = {}): FormReply {
  const v = (id: string) => text(values[id]);
  const fields: FormField[] = [
    { id: 'category', label: 'What did you decide?', kind: 'choice', required: true, choices: CATEGORY_CHOICES, value: v('category') || 'FIXD' },
    { id: 'startDate', label: 'First day', kind: 'date', required: true, value: v('startDate') },
    { id: 'startSession', label: 'Starting in the', kind: 'choice', required: true, choices: [{ value: 'AM', title: 'Morning' }, { value: 'PM', title: 'Afternoon' }], value: v('startSession') || 'AM' },
    { id: 'sessions', label: 'Length in sessions, two a school day (a suspension)', kind: 'number', value: v('sessions') },
    { id: 'lunchtimes', label: 'Lunchtimes (a lunchtime suspension)', kind: 'number', value: v('lunchtimes') },
    { id: 'reason1', label: 'Reason', kind: 'choice', required: true, choices: REASON_CHOICES, value: v('reason1') },
    { id: 'reason2', label: 'Second reason (optional, equally weighted)', kind: 'choice', choices: REASON_CHOICES, value: v('reason2') },
    { id: 'reason3', label: 'Third reason (optional)', kind: 'choice', choices: REASON_CHOICES, value: v('reason3') },
    { id: 'missesPublicExam', label: 'Does it make the pupil miss a public examination or national test?', kind: 'yes-no', required: true, value: v('missesPublicExam') || 'no' },
  ];
  return {
    type: 'form',
    title: `Record the exclusion · pupil ${pupilId}`,
    intro: 'It is added to the pupil’s record, the rules run again at once, and the case opens with its duties and dates.',
    fields,
    ...(problems.notes?.length ? { notes: problems.notes } : {}),
    submit: { title: problems.confirm ? 'Record it anyway' : 'Record the exclusion', data: { verb: 'exclusion.record', pupilId, ...(problems.confirm ? { confirmWithoutPeap: true } : {}) } },
    ...(problems.error ? { error: problems.error } : {}),
    ...(problems.fieldErrors ? { fieldErrors: problems.fieldErrors } : {}),
  };
}

/** Reads the exclusion form into the head's decision, or the errors per field. */
export function readExclusion(values: Submitted, today: IsoDate): Read<ExclusionDecision> {
  const errors: Record<string, string> = {};
  const category = text(values.category);
  if (category !== 'FIXD' && category !== 'LNCH' && category !== 'PERM') errors.category = 'Choose a suspension, a lunchtime suspension or a permanent exclusion.';
  const startDate = readDate(values.startDate, today, 'the first day', errors, 'startDate');
  const startSession = text(values.startSession) === 'PM' ? 'PM' : 'AM';
  const count = (id: 'sessions' | 'lunchtimes', what: string): number | undefined => {
    const raw = text(values[id]);
    if (!raw) return undefined;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) errors[id] = `Give the ${what} as a whole number, 1 or more.`;
    return Number(raw);
  };
  const sessions = count('sessions', 'length in sessions');
  const lunchtimes = count('lunchtimes', 'number of lunchtimes');
  if (category === 'FIXD' && sessions === undefined && !errors.sessions) errors.sessions = 'Give the length in sessions (two a school day): 6 is three days.';
  if (category === 'LNCH' && lunchtimes === undefined && !errors.lunchtimes) errors.lunchtimes = 'Give the number of lunchtimes.';
  const reasons = [...new Set(['reason1', 'reason2', 'reason3'].map((id) => text(values[id])).filter(Boolean))];
  if (reasons.length === 0) errors.reason1 = 'Choose at least one reason.';
  const known = new Set(CURRENT_REASONS.map(([code]) => code));
  for (const r of reasons) if (!known.has(r)) errors.reason1 = `"${r}" is not one of the reasons listed.`;
  if (Object.keys(errors).length || !startDate) return { errors };
  return {
    value: {
      category: category as ExclusionDecision['category'],
      startDate,
      startSession,
      ...(category === 'FIXD' && sessions !== undefined ? { sessions } : {}),
      ...(category === 'LNCH' && lunchtimes !== undefined ? { lunchtimes } : {}),
      reasons,
      missesPublicExam: text(values.missesPublicExam) === 'yes' || values.missesPublicExam === true,
    },
  };
}

/** The form for one duty of an exclusion's case, with what can be known filled in. */
export function dutyForm(caseId: string, pupilId: string, revision: number, duty: DutyKind, context: SuspensionContext, today: IsoDate, recipient?: Recipient, values: Submitted = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}): FormReply {
  const v = (id: string, otherwise = '') => text(values[id]) || otherwise;
  const spec = DUTY_FORMS[duty];
  const defaults = spec.defaults(context, today);
  const fields: FormField[] = spec.fields.map((f) => ({ ...f, value: v(f.id, defaults[f.id]) }));
  return {
    type: 'form',
    title: `${spec.title(recipient)} · pupil ${pupilId}`,
    ...(spec.intro ? { intro: spec.intro(context) } : {}),
    fields,
    submit: { title: spec.submit, data: { verb: 'duty.record', caseId, duty, revision, ...(recipient ? { recipient } : {}) } },
    ...(problems.error ? { error: problems.error } : {}),
    ...(problems.fieldErrors ? { fieldErrors: problems.fieldErrors } : {}),
  };
}

interface DutyFormSpec {
  title(recipient?: Recipient): string;
  intro?(c: SuspensionContext): string;
  readonly fields: readonly FormField[];
  /** What can be known before the head types anything. */
  defaults(c: SuspensionContext, today: IsoDate): Readonly<Record<string, string>>;
  readonly submit: string;
}

const dateField = (id: string, label: string): FormField => ({ id, label, kind: 'date', required: true });

const DUTY_FORMS: Readonly<Record<DutyKind, DutyFormSpec>> = {
  notice: {
    title: (r) => `Notice sent to ${r ? RECIPIENT_WORDS[r] : 'someone'}`,
    fields: [{ id: 'method', label: 'How', kind: 'choice', required: true, choices: choice(NOTICE_METHODS, METHOD_WORDS) }, dateField('sentOn', 'Sent on')],
    defaults: (_c, today) => ({ method: 'letter', sentOn: today }),
    submit: 'Record the notice',
  },
  'cancellation-notice': {
    title: (r) => `Cancellation told to ${r ? RECIPIENT_WORDS[r] : 'someone'}`,
    intro: (c) => `With the reason: ${c.cancelled?.reason ?? 'as recorded'}.`,
    fields: [{ id: 'method', label: 'How', kind: 'choice', required: true, choices: choice(NOTICE_METHODS, METHOD_WORDS) }, dateField('sentOn', 'Sent on')],
    defaults: (_c, today) => ({ method: 'letter', sentOn: today }),
    submit: 'Record the notice',
  },
  provision: {
    title: () => 'Full-time education from the sixth day',
    intro: (c) => (c.provisionFrom ? `Due from ${longDate(c.provisionFrom)}. The parents must have the details at least 48 hours before it starts.` : 'Where the pupil is taught from the sixth day.'),
    fields: [{ id: 'provider', label: 'Provider', kind: 'text', required: true }, { id: 'address', label: 'Address (optional)', kind: 'text' }, dateField('from', 'From')],
    defaults: (c, today) => ({ from: c.provisionFrom ?? today }),
    submit: 'Record the provision',
  },
  'review-request': {
    title: () => 'The parents asked the board to review it',
    intro: () => 'The latest date the board can meet is counted from the request, on the school calendar.',
    fields: [dateField('requestedOn', 'Asked on')],
    defaults: (_c, today) => ({ requestedOn: today }),
    submit: 'Record the request',
  },
  'board-meeting': {
    title: () => "The board's meeting",
    intro: (c) => `${c.boardReview ? `The board must meet by ${longDate(c.boardReview.dueDate)}. ` : ''}The parents may ask for the meeting to be held remotely.`,
    fields: [dateField('on', 'Meeting on'), { id: 'format', label: 'Held', kind: 'choice', required: true, choices: choice(MEETING_FORMATS, FORMAT_WORDS) }],
    defaults: (c, today) => ({ on: c.boardMeeting?.on ?? today, format: c.boardMeeting?.format ?? 'in-person' }),
    submit: 'Record the meeting',
  },
  'board-outcome': {
    title: () => "The board's decision",
    fields: [{ id: 'outcome', label: 'The board decided', kind: 'choice', required: true, choices: choice(['upheld', 'reinstated'], OUTCOME_WORDS) }, dateField('heldOn', 'Decided on')],
    defaults: (c, today) => ({ heldOn: c.boardMeeting?.on ?? today }),
    submit: 'Record the decision',
  },
  'irp-request': {
    title: () => 'The parents applied for an independent review',
    intro: () => 'The panel must review within 15 school days of the application; the date is counted for you.',
    fields: [dateField('requestedOn', 'Applied on')],
    defaults: (_c, today) => ({ requestedOn: today }),
    submit: 'Record the application',
  },
  'irp-decision': {
    title: () => "The review panel's decision",
    fields: [{ id: 'outcome', label: 'The panel', kind: 'choice', required: true, choices: choice(['upheld', 'recommend-reconsider', 'quash'], IRP_OUTCOME_WORDS) }, dateField('heldOn', 'Decided on')],
    defaults: (_c, today) => ({ heldOn: today }),
    submit: 'Record the decision',
  },
  cancel: {
    title: () => 'Cancel the exclusion',
    intro: () => 'Everyone told of it is told again, with the reason. It can be cancelled only before the board has reviewed it.',
    fields: [{ id: 'reason', label: 'Why it is cancelled', kind: 'long-text', required: true }],
    defaults: () => ({}),
    submit: 'Cancel the exclusion',
  },
};

/** The fields a duty's form has (named as its event's). */
export const dutyFieldIds = (duty: DutyKind): readonly string[] => DUTY_FORMS[duty].fields.map((f) => f.id);

/** The form for a pupil-movement case's duty: one date, today by default. */
export function movementDutyForm(caseId: string, pupilId: string, revision: number, duty: MovementDutyKind, today: IsoDate, values: Submitted = {}, problems: { error?: string; fieldErrors?: Readonly<Record<string, string>> } = {}): FormReply {
  const words = movementDutyWords(duty);
  return {
    type: 'form',
    title: `${words.title} · pupil ${pupilId}`,
    fields: [{ ...dateField('on', words.label), value: text(values.on) || today }],
    submit: { title: 'Record it', data: { verb: 'movement.record', caseId, duty, revision } },
    ...(problems.error ? { error: problems.error } : {}),
    ...(problems.fieldErrors ? { fieldErrors: problems.fieldErrors } : {}),
  };
}

/** Reads a movement duty's form: its date, or the error. */
export function readMovementDuty(duty: MovementDutyKind, values: Submitted, today: IsoDate): Read<IsoDate> {
  const errors: Record<string, string> = {};
  const on = readDate(values.on, today, movementDutyWords(duty).label.toLowerCase(), errors, 'on');
  return on ? { value: on } : { errors };
}

/**
 * Reads a duty form into the fields its event takes (dates the law counts are added by the
 * caller, on the school's calendar), or the errors per field.
 */
export function readDuty(duty: DutyKind, values: Submitted, today: IsoDate): Read<Record<string, string>> {
  const errors: Record<string, string> = {};
  const out: Record<string, string> = {};
  for (const field of DUTY_FORMS[duty].fields) {
    const raw = text(values[field.id]);
    if (!raw) {
      if (field.required) errors[field.id] = `Please give ${field.label.toLowerCase()}.`;
      continue;
    }
    if (field.kind === 'date') {
      const date = readDate(raw, today, field.label.toLowerCase(), errors, field.id);
      if (date) out[field.id] = date;
    } else if (field.kind === 'choice' && !field.choices?.some((c) => c.value === raw)) {
      errors[field.id] = `Choose one of: ${field.choices?.map((c) => c.title).join('; ')}.`;
    } else out[field.id] = raw;
  }
  return Object.keys(errors).length ? { errors } : { value: out };
}

/** A date as people write it, or its error under `id` (blank: "Please give `what`"). */
export function readDate(raw: unknown, today: IsoDate, what: string, errors: Record<string, string>, id: string): IsoDate | undefined {
  const t = text(raw);
  if (!t) {
    errors[id] = `Please give ${what}.`;
    return undefined;
  }
  if (isIsoDate(t)) return t;
  const parsed = parseDateInput(t, today);
  if ('error' in parsed) {
    errors[id] = parsed.error;
    return undefined;
  }
  return parsed.date;
}

/** Each letter in words: what the head is offered to write. */
export const LETTER_WORDS: Readonly<Record<LetterKind, string>> = {
  'parents-suspension': "the parents' notice of the suspension",
  'parents-permanent': "the parents' notice of the permanent exclusion",
  cancellation: 'the notice that the exclusion is cancelled',
  'local-authority': "the local authority's notification",
  'board-decision': "the board's decision letter",
};

/**
 * The form for a letter: the names and addresses it needs, typed for this letter only (kept with
 * the letter, never in the case, the audit trail or a log), and the format.
 */
export function letterForm(caseId: string, pupilId: string, kind: LetterKind, values: Submitted = {}, problems: { error?: string } = {}): FormReply {
  const v = (id: string, otherwise = '') => text(values[id]) || otherwise;
  const fields: FormField[] = [
    { id: 'format', label: 'Format', kind: 'choice', required: true, choices: [{ value: 'pdf', title: 'PDF' }, { value: 'docx', title: 'Word (.docx), to edit before sending' }], value: v('format', 'pdf') },
    { id: 'pupilName', label: "Pupil's name (only on the letter)", kind: 'text', value: v('pupilName') },
    ...(kind === 'local-authority'
      ? [
          { id: 'laName', label: 'To (the local authority contact)', kind: 'text', value: v('laName') } as const,
          { id: 'laAddress', label: "The local authority's address, a line each", kind: 'long-text', value: v('laAddress') } as const,
        ]
      : [
          { id: 'parentNames', label: "Parents' names, separated by commas", kind: 'text', value: v('parentNames') } as const,
          { id: 'address', label: 'Address, a line each', kind: 'long-text', value: v('address') } as const,
        ]),
    ...(kind === 'board-decision' ? [{ id: 'boardReasons', label: "The board's reasons, in enough detail for the parents", kind: 'long-text', value: v('boardReasons') } as const] : []),
  ];
  return {
    type: 'form',
    title: `Write ${LETTER_WORDS[kind]} · pupil ${pupilId}`,
    intro: 'Every date in it is counted on the school calendar. Names are kept only with the letter. A name left blank leaves a line to write it by hand.',
    fields,
    submit: { title: 'Write the letter', data: { verb: 'letter.make', caseId, kind } },
    ...(problems.error ? { error: problems.error } : {}),
  };
}

/** Reads the letter form into the format and the people named. */
export function readLetter(values: Submitted): { format: LetterFormat; people: LetterPeople } {
  const lines = (raw: unknown) => text(raw).split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const parentNames = text(values.parentNames).split(',').map((n) => n.trim()).filter(Boolean);
  const address = lines(values.address);
  const laName = text(values.laName);
  const people: LetterPeople = {
    ...(text(values.pupilName) ? { pupilName: text(values.pupilName) } : {}),
    ...(parentNames.length ? { parentNames } : {}),
    ...(address.length ? { address } : {}),
    ...(laName ? { localAuthority: { name: laName, address: lines(values.laAddress) } } : {}),
    ...(text(values.boardReasons) ? { boardReasons: text(values.boardReasons) } : {}),
  };
  return { format: text(values.format) === 'docx' ? 'docx' : 'pdf', people };
}
