/**
 * A suspension case's letters in the workspace: the letters kept with the case, each a download,
 * and the form that writes one. Letters are made by the workflows package's `makeLetter`, as in
 * the chat and the `cases` command, so who may write one, which fit the case, the templates and
 * the audit trail are the same whichever channel is used; this module reads the form and arranges
 * the list.
 *
 * The names typed for a letter go into the letter and its own row only: never a log line, the
 * audit trail, a URL or the page after the letter is made. They come back on the page only when
 * the form is shown again with a problem, so that nothing typed is lost.
 */
import {
  LETTER_FORMATS,
  SYSTEM,
  lettersFitting,
  mayWriteLetters,
  type Actor,
  type CaseStore,
  type LetterFormat,
  type LetterKind,
  type LetterPeople,
  type LetterSummary,
} from '@before-exclusion/workflows';
import { LETTER_NAMES, LETTER_TO, letterName, sentence } from './words.js';

/** The form's fields, as its inputs are named. */
export const LETTER_FIELDS = ['kind', 'format', 'pupilName', 'headteacherName', 'parentNames', 'address', 'laName', 'laAddress', 'boardReasons'] as const;
export type LetterField = (typeof LETTER_FIELDS)[number];

/** What was typed into the form, as text, to show it again. */
export type LetterFormValues = Readonly<Record<LetterField, string>>;

/** A problem with one field, for the error summary and the field. */
export interface LetterFieldError {
  readonly field: LetterField;
  readonly text: string;
}

/** What the form asks `makeLetter` for. */
export interface LetterAsked {
  readonly kind: LetterKind;
  readonly format: LetterFormat;
  readonly people: LetterPeople;
}

/** One line of a name or an address, and a letter's longest text (the board's reasons). */
export const NAME_LIMIT = 200;
export const ADDRESS_LINES = 8;
export const REASONS_LIMIT = 5000;

/** The element each field's error links to (a radio group's first radio). */
export const LETTER_FIELD_IDS: Readonly<Record<LetterField, string>> = {
  kind: 'letter-kind',
  format: 'letter-format',
  pupilName: 'letter-pupil-name',
  headteacherName: 'letter-headteacher-name',
  parentNames: 'letter-parent-names',
  address: 'letter-address',
  laName: 'letter-la-name',
  laAddress: 'letter-la-address',
  boardReasons: 'letter-board-reasons',
};

/** The form's values, each a string (a repeated field counts as its last). */
export function letterFormValues(body: unknown): LetterFormValues {
  const f = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const text = (value: unknown): string => (Array.isArray(value) ? text(value.at(-1)) : typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '');
  return {
    kind: text(f.kind),
    format: text(f.format),
    pupilName: text(f.pupilName),
    headteacherName: text(f.headteacherName),
    parentNames: text(f.parentNames),
    address: text(f.address),
    laName: text(f.laName),
    laAddress: text(f.laAddress),
    boardReasons: text(f.boardReasons),
  };
}

/**
 * Reads the letter form: the letter (one of those that fit the case), its format, and the names
 * typed for it — only those that letter uses, so a name is kept with no letter it is not on.
 * A name left blank leaves a line on the letter to write it by hand.
 */
export function readLetterForm(values: LetterFormValues, fitting: readonly LetterKind[]): { asked: LetterAsked; errors: [] } | { asked?: undefined; errors: LetterFieldError[] } {
  const errors: LetterFieldError[] = [];
  const kind = fitting.find((k) => k === values.kind.trim());
  if (!kind) errors.push({ field: 'kind', text: values.kind.trim() ? 'Choose one of the letters listed' : 'Choose which letter to write' });
  const format = LETTER_FORMATS.find((f) => f === values.format.trim());
  if (!format) errors.push({ field: 'format', text: 'Choose PDF or Word' });

  const line = (field: LetterField, what: string): string | undefined => {
    const t = values[field].replace(/\s+/g, ' ').trim();
    if (t.length > NAME_LIMIT) errors.push({ field, text: `${what} must be ${NAME_LIMIT} characters or fewer` });
    return t || undefined;
  };
  const lines = (field: LetterField, what: string): string[] => {
    const all = values[field].split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
    if (all.length > ADDRESS_LINES) errors.push({ field, text: `Enter ${what} in ${ADDRESS_LINES} lines or fewer` });
    else if (all.some((l) => l.length > NAME_LIMIT)) errors.push({ field, text: `Each line of ${what} must be ${NAME_LIMIT} characters or fewer` });
    return all;
  };

  const pupilName = line('pupilName', "The pupil's name");
  const headteacherName = line('headteacherName', "The headteacher's name");
  let people: LetterPeople = { ...(pupilName ? { pupilName } : {}), ...(headteacherName ? { headteacherName } : {}) };
  if (kind === 'local-authority') {
    const name = line('laName', 'Who the letter is to');
    const address = lines('laAddress', "the local authority's address");
    if (!name && address.length) errors.push({ field: 'laName', text: 'Enter who at the local authority the letter is to, or leave the address blank too' });
    if (name) people = { ...people, localAuthority: { name, address } };
  } else if (kind) {
    const parentNames = values.parentNames.split(',').map((n) => n.replace(/\s+/g, ' ').trim()).filter(Boolean);
    if (parentNames.some((n) => n.length > NAME_LIMIT)) errors.push({ field: 'parentNames', text: `Each parent's name must be ${NAME_LIMIT} characters or fewer` });
    const address = lines('address', 'the address');
    people = { ...people, ...(parentNames.length ? { parentNames } : {}), ...(address.length ? { address } : {}) };
  }
  if (kind === 'board-decision') {
    const reasons = values.boardReasons.trim();
    if (!reasons) errors.push({ field: 'boardReasons', text: "Enter the governing board's reasons for its decision" });
    else if (reasons.length > REASONS_LIMIT) errors.push({ field: 'boardReasons', text: `The board's reasons must be ${REASONS_LIMIT.toLocaleString('en-GB')} characters or fewer` });
    else people = { ...people, boardReasons: reasons };
  }
  return kind && format && !errors.length ? { asked: { kind, format, people }, errors: [] } : { errors };
}

/** A letter as the case page lists it. */
export interface LetterLine {
  readonly letterId: string;
  readonly name: string;
  readonly format: string;
  readonly href: string;
  readonly fileName: string;
  readonly template: string;
  readonly madeBy: string;
  readonly madeAt: string;
  /** The first 12 characters of its SHA-256: enough to tell one letter from another by eye. */
  readonly sha256Short: string;
  readonly sha256: string;
}

/** The Letters section of a suspension case's page. */
export interface LetterSection {
  readonly letters: readonly LetterLine[];
  /** The letter just made (after the form's redirect), for the success banner. */
  readonly made?: LetterLine;
  /** The form, for someone who may write letters on this case. */
  readonly form?: LetterFormView;
  /** Why there is no form, in the access policy's words (an inclusion officer reads but does not write). */
  readonly cannotWrite?: string;
}

/** The form, ready for GOV.UK's macros. */
export interface LetterFormView {
  readonly action: string;
  readonly kindItems: readonly { value: string; text: string; hint: { text: string }; checked: boolean }[];
  readonly formatItems: readonly { value: string; text: string; hint: { text: string }; checked: boolean }[];
  readonly values: LetterFormValues;
  readonly ids: Readonly<Record<LetterField, string>>;
  readonly fieldErrors: Partial<Record<LetterField, string>>;
  /** The local authority's fields: the notification fits every case not cancelled. */
  readonly localAuthority: boolean;
  /** The parents' fields: every letter but the local authority's is to them. */
  readonly parents: boolean;
  /** The board's reasons: only once the board's review is recorded. */
  readonly boardReasons: boolean;
}

/** What the form was sent with, to show it again with its problems. */
export interface LetterFormAgain {
  readonly values: LetterFormValues;
  readonly errors: readonly LetterFieldError[];
}

const FORMAT_ITEMS: Readonly<Record<LetterFormat, { text: string; hint: string }>> = {
  pdf: { text: 'PDF', hint: 'To print or send as it is' },
  docx: { text: 'Word (.docx)', hint: 'To edit before sending' },
};

/** A letter's download, under its case: the address the chat links to as well. */
export function letterHref(base: string, caseId: string, letterId: string): string {
  return `${base}/cases/${encodeURIComponent(caseId)}/letters/${encodeURIComponent(letterId)}`;
}

/**
 * The Letters section of a suspension case's page, for someone allowed to see the case: the list
 * (an audited read, `letter-list-read`) and, for someone who may act on the case, the form.
 * @throws CaseNotFound when there is no such case, or `actor` may not see it.
 */
export async function letterSection(
  store: CaseStore,
  actor: Actor,
  caseId: string,
  options: { readonly base: string; readonly who: (id: string) => string; readonly made?: string | undefined; readonly again?: LetterFormAgain | undefined },
): Promise<LetterSection> {
  const kept = await store.letters.forCase(actor, caseId);
  // The person's read of the case is audited once, by the page's record; this is the service
  // reading the same case again for the letters that fit it, after the access check above.
  const view = await store.cases.get(SYSTEM, caseId, 'suspension');
  const letters = kept.map((l) => letterLine(l, options.base, options.who));
  const made = letters.find((l) => l.letterId === options.made);
  const may = mayWriteLetters(store, actor, view);
  if (!may.allowed) return { letters, ...(made ? { made } : {}), cannotWrite: sentence(may.reason) };

  const fitting = lettersFitting(view);
  // PDF unless asked otherwise; the letter chosen for them only when one fits (a cancelled case).
  const values = options.again?.values ?? { ...letterFormValues({}), format: 'pdf', kind: fitting.length === 1 ? (fitting[0] ?? '') : '' };
  const fieldErrors: Partial<Record<LetterField, string>> = {};
  for (const e of options.again?.errors ?? []) fieldErrors[e.field] ??= e.text;
  const form: LetterFormView = {
    action: `${options.base}/cases/${encodeURIComponent(caseId)}/letters`,
    kindItems: fitting.map((k) => ({ value: k, text: LETTER_NAMES[k], hint: { text: LETTER_TO[k] }, checked: values.kind === k })),
    // PDF first: the default, to print or send as it is.
    formatItems: (['pdf', 'docx'] as const).map((f) => ({ value: f, text: FORMAT_ITEMS[f].text, hint: { text: FORMAT_ITEMS[f].hint }, checked: values.format === f })),
    values,
    ids: LETTER_FIELD_IDS,
    fieldErrors,
    localAuthority: fitting.includes('local-authority'),
    parents: fitting.some((k) => k !== 'local-authority'),
    boardReasons: fitting.includes('board-decision'),
  };
  return { letters, ...(made ? { made } : {}), form };
}

/** The form's problems for the error summary at the top of the page. */
export function letterErrorSummary(errors: readonly LetterFieldError[]): { text: string; href: string }[] {
  return errors.map((e) => ({ text: e.text, href: `#${LETTER_FIELD_IDS[e.field]}` }));
}

function letterLine(l: LetterSummary, base: string, who: (id: string) => string): LetterLine {
  return {
    letterId: l.letterId,
    name: letterName(l.kind),
    format: l.format === 'pdf' ? 'PDF' : 'Word',
    href: letterHref(base, l.caseId, l.letterId),
    fileName: l.fileName,
    template: `Version ${l.template.version}, following ${l.template.guidance}`,
    madeBy: who(l.madeBy),
    madeAt: l.madeAt,
    sha256Short: l.sha256.slice(0, 12),
    sha256: l.sha256,
  };
}

