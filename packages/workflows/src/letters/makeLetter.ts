/**
 * One function makes a letter for every channel (the CLI, Teams, Slack, the web workspace):
 * checks that the person may act on the case, reads the case and the pupil record, counts every
 * date on the school's calendar, picks the template version that follows the guidance in force on
 * the exclusion's first day, fills it, renders it, and keeps it with the case — the hash, kind and
 * template in the audit trail, the names and addresses only in the letter's own row.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IsoDate } from '@before-exclusion/rules';
import { AccessDenied, type Actor, type Permission } from '../access.js';
import type { CaseView } from '../cases/caseService.js';
import { EventRefused } from '../errors.js';
import type { CaseStore } from '../store/caseStore.js';
import { composeLetter, parseLetterPeople, type LetterPeople } from './composeLetter.js';
import { DOCX_MEDIA_TYPE, docxLetter } from './docxLetter.js';
import { letterFacts, type LetterFacts } from './letterFacts.js';
import type { LetterOverrides } from './letterOverrides.js';
import { LetterRefused } from './letterRefused.js';
import { LETTER_KINDS, letterTemplates, templateFor, type GuidanceEdition, type LetterKind, type LetterTemplate } from './letterTemplates.js';
import { PDF_MEDIA_TYPE, pdfLetter } from './pdfLetter.js';

export const LETTER_FORMATS = ['docx', 'pdf'] as const;
export type LetterFormat = (typeof LETTER_FORMATS)[number];

export interface LetterRequest {
  readonly caseId: string;
  readonly kind: LetterKind;
  readonly format: LetterFormat;
  /** Names and addresses typed by the head for this letter; a name left out leaves a line to write it by hand. */
  readonly people?: LetterPeople;
  /** A council's and a trust's wording for the editable paragraphs, in order (a later one wins). */
  readonly overrides?: readonly LetterOverrides[];
  /** The letter's date (England), YYYY-MM-DD. */
  readonly today: IsoDate;
}

export interface MadeLetter {
  readonly letterId: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly template: { readonly id: LetterKind; readonly version: number; readonly guidance: GuidanceEdition };
  /** The dates the letter states, as counted (for a reply in a channel, or a check). */
  readonly facts: LetterFacts;
}

/**
 * Makes a letter from a suspension case, keeps it with the case and returns it.
 * @example await makeLetter(store, head, { caseId, kind: 'parents-suspension', format: 'pdf', people: { pupilName: 'Sam', parentNames: ['Alex Smith'] }, today: '2026-04-30' })
 * @throws CaseNotFound when the actor may not see the case; AccessDenied when they may not act on it;
 *   LetterRefused when this letter does not fit the case (a cancellation letter for a case not cancelled, say).
 */
export async function makeLetter(store: CaseStore, actor: Actor, request: LetterRequest): Promise<MadeLetter> {
  if (!(LETTER_KINDS as readonly string[]).includes(request.kind)) throw new LetterRefused(`no letter "${request.kind}"; letters: ${LETTER_KINDS.join(', ')}`);
  if (!(LETTER_FORMATS as readonly string[]).includes(request.format)) throw new LetterRefused(`no format "${request.format}"; formats: ${LETTER_FORMATS.join(', ')}`);
  const people = parseLetterPeople(request.people);
  const view = await suspensionCase(store, actor, request.caseId);
  const may = mayWriteLetters(store, actor, view);
  if (!may.allowed) throw new AccessDenied(may.reason);
  const record = await store.pupils.record(actor, view.pupilId);
  const facts = await letterFacts(view, record, (date) => store.pupils.calendarFor(view.schoolId, date), request.today);
  fits(request.kind, facts, view);
  const template = templateFor(request.kind, facts.first.date);
  if (!template) throw new LetterRefused(`no ${request.kind} letter follows the guidance in force on ${facts.first.date}; the templates cover exclusions from ${earliest(request.kind)}`);

  const schoolName = people.schoolName ?? (await store.letters.schoolName(view.schoolId)) ?? view.schoolId;
  const words = composeLetter(template, facts, people, schoolName, request.overrides ?? []);
  const made = new Date(`${request.today}T12:00:00Z`);
  const bytes = request.format === 'docx' ? await docxLetter(words) : await pdfLetter(words, made);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const letterId = `letter-${randomBytes(5).toString('hex')}`;
  // No name in a file name: it travels in e-mails and logs.
  const fileName = `${request.kind}-${view.id}-${request.today}.${request.format}`;
  const mediaType = request.format === 'docx' ? DOCX_MEDIA_TYPE : PDF_MEDIA_TYPE;
  await store.letters.keep(actor, {
    letterId,
    caseId: view.id,
    schoolId: view.schoolId,
    kind: request.kind,
    format: request.format,
    template: { id: template.id, version: template.version, guidance: guidanceName(template) },
    fileName,
    mediaType,
    sha256,
    bytes,
    people,
    audit: {
      exclusionId: facts.exclusionId,
      ...(words.paragraphs.some((p) => p.wordingBy) ? { wordingBy: [...new Set(words.paragraphs.flatMap((p) => (p.wordingBy ? [p.wordingBy] : [])))] } : {}),
    },
  });
  return { letterId, fileName, mediaType, bytes, sha256, template: { id: template.id, version: template.version, guidance: template.guidance }, facts };
}

async function suspensionCase(store: CaseStore, actor: Actor, caseId: string): Promise<CaseView<'suspension'>> {
  try {
    return await store.cases.get(actor, caseId, 'suspension');
  } catch (error) {
    if (error instanceof EventRefused) throw new LetterRefused(`letters are written from a suspension case (the duties of one exclusion): ${error.message}`);
    throw error;
  }
}

/** Whether `actor` may write this case's letters: writing a notice is acting on the case, so whoever may record one, at any stage. */
export function mayWriteLetters(store: CaseStore, actor: Actor, view: CaseView<'suspension'>): Permission {
  return store.cases.can(actor, view, 'RECORD_NOTICE', { atAnyStage: true });
}

/** The letters that fit the case as it stands, in the order a head writes them. */
export function lettersFitting(view: CaseView<'suspension'>): LetterKind[] {
  const c = view.context;
  if (c.cancelled) return ['cancellation'];
  return [c.exclusion.category === 'PERM' ? 'parents-permanent' : 'parents-suspension', 'local-authority', ...(c.review ? (['board-decision'] as const) : [])];
}

/** Whether this kind of letter fits the case as it stands. @throws LetterRefused saying why not and what would. */
function fits(kind: LetterKind, facts: LetterFacts, view: CaseView<'suspension'>): void {
  const permanent = facts.category === 'PERM';
  if (kind === 'parents-suspension' && permanent) throw new LetterRefused(`exclusion ${facts.exclusionId} is a permanent exclusion: write the parents-permanent letter`);
  if (kind === 'parents-permanent' && !permanent) throw new LetterRefused(`exclusion ${facts.exclusionId} is a suspension: write the parents-suspension letter`);
  if (kind === 'cancellation' && !facts.cancelled) throw new LetterRefused(`case ${view.id} is not cancelled: cancel it first (CANCEL, with the reason), then write the cancellation letter`);
  if (kind === 'board-decision' && !facts.review) throw new LetterRefused(`the governing board's review of case ${view.id} is not recorded yet: record it (RECORD_BOARD_REVIEW) before writing its decision`);
  if (kind !== 'cancellation' && facts.cancelled) throw new LetterRefused(`case ${view.id} was cancelled (${facts.cancelled.reason}): the letter to write now is the cancellation letter`);
}

/** The first day the guidance of any version of a letter is in force. */
function earliest(kind: LetterKind): string {
  return letterTemplates().filter((t) => t.id === kind).map((t) => t.guidance.effectiveFrom).sort()[0] ?? 'no date';
}

function guidanceName(template: LetterTemplate): string {
  return `${template.guidance.title} (${template.guidance.edition})`;
}
