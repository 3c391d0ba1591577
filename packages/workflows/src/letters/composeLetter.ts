/**
 * A letter's words: the template's paragraphs that apply to this exclusion (its `when`), the
 * trust's or council's wording in the editable ones, every placeholder filled from the letter's
 * facts and the names the head typed. The result is plain structured text, the same for every
 * format the renderers write.
 */
import type { IsoDate } from '@before-exclusion/rules';
import { z } from 'zod';
import type { Recipient } from '../machines/index.js';
import { exclusionType, type LetterFacts, type LetterMoment } from './letterFacts.js';
import type { LetterOverrides } from './letterOverrides.js';
import { LetterRefused } from './letterRefused.js';
import { type LetterTemplate, type ParagraphCondition, type Placeholder } from './letterTemplates.js';

/**
 * Who the letter is to and about, typed by the head for this letter: kept only with the letter
 * itself (its bytes and its row), never in the audit trail, a log or a case.
 */
export const letterPeopleSchema = z.strictObject({
  pupilName: z.string().trim().min(1, "expected the pupil's name").optional(),
  parentNames: z.array(z.string().trim().min(1)).min(1, 'expected at least one name').optional(),
  /** The postal address, a line each. */
  address: z.array(z.string().trim().min(1)).optional(),
  headteacherName: z.string().trim().min(1).optional(),
  /** The school's name on the letter, when it differs from the one the store holds. */
  schoolName: z.string().trim().min(1).optional(),
  /** Who at the local authority the notification goes to, and where. */
  localAuthority: z.strictObject({ name: z.string().trim().min(1), address: z.array(z.string().trim().min(1)).default([]) }).optional(),
  /** The governing board's reasons for its decision, in enough detail for the parents (board-decision letters). */
  boardReasons: z.string().trim().min(1).optional(),
});
export type LetterPeople = z.output<typeof letterPeopleSchema>;

/**
 * Checks the names and addresses typed for a letter.
 * @param where — where they came from (a file name), for the message.
 * @throws LetterRefused saying which field is wrong and what is expected.
 */
export function parseLetterPeople(json: unknown, where = 'the people'): LetterPeople {
  const parsed = letterPeopleSchema.safeParse(json ?? {});
  if (!parsed.success) throw new LetterRefused(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'its top level'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export interface ComposedParagraph {
  readonly id: string;
  readonly kind: 'locked' | 'editable';
  readonly heading?: string;
  /** The paragraph's lines (most have one). */
  readonly lines: readonly string[];
  /** Whose wording an editable paragraph is in, when a trust or council overrode it. */
  readonly wordingBy?: string;
}

/** A letter's words, ready for a renderer. */
export interface ComposedLetter {
  readonly title: string;
  readonly schoolName: string;
  readonly date: string;
  readonly recipient: { readonly names: string; readonly address: readonly string[] };
  readonly subject: string;
  readonly salutation: string;
  readonly paragraphs: readonly ComposedParagraph[];
  readonly signOff: { readonly name: string; readonly role: string };
  /** The template and guidance the letter follows, and the case it belongs to, for its foot. */
  readonly reference: string;
}

/** Where a name was not typed, a line to write it on by hand. */
export const BLANK = '____________________';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/**
 * A date as a letter writes it.
 * @example letterDate('2026-04-30') // "Thursday 30 April 2026"
 */
export function letterDate(date: IsoDate): string {
  const d = new Date(`${date}T00:00:00Z`);
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "A, B and C". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const SESSION_WORDS = { AM: 'morning', PM: 'afternoon', lunchtime: 'lunchtime' } as const;
const RECIPIENT_WORDS: Readonly<Record<Recipient, string>> = {
  parents: 'the parents',
  'local-authority': 'the local authority',
  'social-worker': 'the social worker',
  'virtual-school-head': 'the virtual school head',
  'governing-board': 'the governing board',
};

/** What a template's `when` tests, for these facts. */
function holds(when: ParagraphCondition | undefined, facts: LetterFacts): boolean {
  if (!when) return true;
  return (
    (!when.category || when.category.includes(facts.category)) &&
    (!when.boardReview || when.boardReview.includes(facts.boardReview.kind)) &&
    (when.fullTimeProvision === undefined || when.fullTimeProvision === (facts.provisionFrom !== undefined)) &&
    (!when.boardOutcome || (facts.review !== undefined && when.boardOutcome.includes(facts.review.outcome)))
  );
}

/** The value of every placeholder for these facts (undefined: this exclusion has none). */
function values(facts: LetterFacts, people: LetterPeople, schoolName: string): Record<Placeholder, string | undefined> {
  const pupil = people.pupilName ?? BLANK;
  const permanent = facts.category === 'PERM';
  const moment = (m: LetterMoment | undefined) => (m ? letterDate(m.date) : permanent ? 'none: a permanent exclusion' : undefined);
  const yesNo = (b: boolean) => (b ? 'yes' : 'no');
  const review = facts.boardReview;
  const boardReason = {
    permanent: 'this is a permanent exclusion',
    'public-exam': `this suspension means ${pupil} will miss a public examination or national curriculum test`,
    'over-15-days': `with this suspension ${pupil} has been suspended for ${days(facts.termDays)} this ${facts.term} term, which is more than 15`,
  };
  return {
    letterDate: letterDate(facts.today),
    pupilName: pupil,
    parentNames: people.parentNames ? andList(people.parentNames) : BLANK,
    headteacherName: people.headteacherName ?? BLANK,
    schoolName,
    schoolId: facts.schoolId,
    pupilId: facts.pupilId,
    yearGroup: facts.pupil.yearGroup === undefined ? 'not recorded' : facts.pupil.yearGroup === 0 ? 'Reception' : `Year ${facts.pupil.yearGroup}`,
    caseId: facts.caseId,
    exclusionId: facts.exclusionId,
    exclusionType: exclusionType(facts.category),
    categoryCode: facts.category,
    period: period(facts),
    firstDay: letterDate(facts.first.date),
    firstSession: SESSION_WORDS[facts.first.session],
    lastDay: moment(facts.last),
    lastSession: facts.last ? SESSION_WORDS[facts.last.session] : permanent ? 'none' : undefined,
    returnDate: moment(facts.returnOn),
    returnSession: facts.returnOn ? SESSION_WORDS[facts.returnOn.session] : permanent ? 'none' : undefined,
    reasons: facts.reasons.map((r) => r.words).join('; '),
    reasonLines: facts.reasons.map((r, i) => `${i + 1}. ${r.words} (${r.code})`).join('\n'),
    publicPlaceDates: andList(facts.publicPlaceDays.map(letterDate)),
    provisionFrom: facts.provisionFrom ? letterDate(facts.provisionFrom) : undefined,
    provisionFromOrNone: facts.provisionFrom ? letterDate(facts.provisionFrom) : 'not reached (five school days or fewer in a row)',
    boardLatestDate: review.latestDate ? letterDate(review.latestDate) : undefined,
    boardReason: review.because ? boardReason[review.because] : undefined,
    boardReviewWords:
      review.kind === 'none'
        ? 'not required (five school days or fewer this term); the board considers any representations'
        : `${review.kind === 'must' ? 'must meet' : 'must meet if the parents ask'}, by ${review.latestDate ? letterDate(review.latestDate) : 'its date'}`,
    termDays: String(facts.termDays),
    term: facts.term,
    missesPublicExam: yesNo(facts.missesPublicExam),
    send: { none: 'none recorded', K: 'SEN support', E: 'an education, health and care plan' }[facts.pupil.send],
    lookedAfter: yesNo(facts.pupil.lookedAfter),
    socialWorker: yesNo(facts.pupil.hasSocialWorker),
    nonSchoolDays: facts.nonSchoolDays.length ? andList(facts.nonSchoolDays.map(letterDate)) : 'none',
    calendarName: facts.calendarName,
    cancelReason: facts.cancelled?.reason,
    cancelReturnDate: facts.cancelled ? letterDate(facts.cancelled.returnFrom) : undefined,
    recipients: andList(facts.notified.map((r) => RECIPIENT_WORDS[r])),
    boardHeldOn: facts.review ? letterDate(facts.review.heldOn) : undefined,
    boardReasons: people.boardReasons,
    irpApplyBy: facts.irpApplyBy ? letterDate(facts.irpApplyBy) : undefined,
  };
}

function days(n: number): string {
  return n === 0.5 ? 'half a school day' : `${n} school day${n === 1 ? '' : 's'}`;
}

/** "7 school days (14 sessions)", "3 lunchtimes (1.5 school days)", "permanently". */
function period(facts: LetterFacts): string {
  if (facts.category === 'PERM') return 'permanently';
  if (facts.category === 'LNCH') return `${facts.lunchtimes} lunchtime${facts.lunchtimes === 1 ? '' : 's'} (${days(facts.schoolDays)})`;
  return `${days(facts.schoolDays)} (${facts.sessions} session${facts.sessions === 1 ? '' : 's'})`;
}

/**
 * The letter's words for these facts.
 * @param overrides — a trust's or council's wording, applied in order (a later one wins).
 * @throws LetterRefused when a paragraph needs something this letter lacks (the board's reasons, say).
 */
export function composeLetter(template: LetterTemplate, facts: LetterFacts, people: LetterPeople, schoolName: string, overrides: readonly LetterOverrides[] = []): ComposedLetter {
  const filled = values(facts, people, schoolName);
  const fill = (text: string, where: string) =>
    text.replace(/\{([^{}]*)\}/g, (_, name: string) => {
      const value = filled[name as Placeholder];
      if (value === undefined) {
        if (name === 'boardReasons') throw new LetterRefused('a letter of the governing board\'s decision gives its reasons: add "boardReasons" to the people file');
        throw new Error(`${template.id} v${template.version}, ${where}: {${name}} has no value for exclusion ${facts.exclusionId}; its "when" should leave the paragraph out`);
      }
      return value;
    });
  const paragraphs = template.paragraphs
    .filter((p) => holds(p.when, facts))
    .map((p): ComposedParagraph => {
      const wording = p.kind === 'editable' ? [...overrides].reverse().find((o) => o.paragraphs[template.id]?.[p.id] !== undefined) : undefined;
      const text = wording?.paragraphs[template.id]?.[p.id] ?? p.text;
      return {
        id: p.id,
        kind: p.kind,
        ...(p.heading ? { heading: fill(p.heading, `${p.id} heading`) } : {}),
        lines: fill(text, p.id).split('\n'),
        ...(wording ? { wordingBy: wording.name } : {}),
      };
    });
  const toAuthority = template.id === 'local-authority';
  const recipient = toAuthority
    ? { names: people.localAuthority?.name ?? 'The exclusions team, the local authority', address: people.localAuthority?.address ?? [] }
    : { names: filled.parentNames ?? BLANK, address: people.address ?? [] };
  return {
    title: template.title,
    schoolName,
    date: letterDate(facts.today),
    recipient,
    subject: fill(template.subject, 'subject'),
    salutation: toAuthority ? 'Dear colleague,' : `Dear ${recipient.names},`,
    paragraphs,
    signOff: { name: template.signedBy === 'Headteacher' ? (people.headteacherName ?? BLANK) : BLANK, role: template.signedBy },
    reference: `Letter ${template.id} v${template.version}, following ${template.guidance.publisher}, "${template.guidance.title}" (${template.guidance.edition}). Case ${facts.caseId}, exclusion ${facts.exclusionId}.`,
  };
}
