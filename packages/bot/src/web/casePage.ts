/**
 * A case read back, for its page: `caseRecord` from the workflows package builds the record (and
 * audits the read); this module only arranges it — answers under their sections with each change
 * shown as "changed from …", ids put into people's names and codes into words.
 */
import type { RulesEvaluator } from '@before-exclusion/rules';
import { caseRecord, type Actor, type AnswerLine, type CaseRecord, type CaseStore, type Question } from '@before-exclusion/workflows';
import { letterSection, type LetterFormAgain } from './letters.js';
import { DUTY_TAGS, kindName, roleName } from './words.js';

export interface CaseReading {
  /** The school date the record is read as of. */
  readonly today: () => string;
  readonly questions?: readonly Question[];
  readonly evaluator?: RulesEvaluator;
}

/** An answer as the page shows it: the answer now, and each change to it, newest first. */
export interface AnswerShown {
  readonly question: string;
  readonly answer: string;
  /** Who gave the first answer, and when. */
  readonly answered?: { readonly by: string; readonly at: string };
  readonly changes: readonly { readonly from: string; readonly by: string; readonly at: string }[];
}

/** Answers grouped under their question set's sections, in its order. */
export function answerSections(answers: readonly AnswerLine[]): { section: string; answers: AnswerShown[] }[] {
  const sections: { section: string; answers: AnswerShown[] }[] = [];
  for (const a of answers) {
    let current = sections.at(-1);
    if (current?.section !== a.section) sections.push((current = { section: a.section, answers: [] }));
    // Each earlier value was replaced by the next one, by whoever gave that next one.
    const given = [...a.earlier, ...(a.by && a.at ? [{ answer: a.answer, by: a.by, at: a.at }] : [])];
    const changes = a.earlier.map((e, i) => ({ from: e.answer, by: given[i + 1]?.by ?? '', at: given[i + 1]?.at ?? '' })).reverse();
    const first = given[0];
    current.answers.push({ question: a.question, answer: a.answer, ...(first ? { answered: { by: first.by, at: first.at } } : {}), changes });
  }
  return sections;
}

/** What a note may be: some text, at most this long. */
export const NOTE_LIMIT = 5000;

/** The note in a form's body, or what is wrong with it. */
export function readNote(body: unknown): { ok: true; text: string } | { ok: false; error: string; text: string } {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>).note : undefined;
  const text = typeof raw === 'string' ? raw.replace(/\r\n/g, '\n').trim() : '';
  if (text === '') return { ok: false, error: 'Enter the note', text };
  if (text.length > NOTE_LIMIT) return { ok: false, error: `The note must be ${NOTE_LIMIT.toLocaleString('en-GB')} characters or fewer`, text };
  return { ok: true, text };
}

/** For a suspension case's Letters section: where the workspace is, and the letter just made or the form sent back. */
export interface LetterReading {
  readonly base: string;
  /** The id of the letter just made, for the success banner. */
  readonly made?: string | undefined;
  /** The letter form as sent, with its problems, to show it again. */
  readonly again?: LetterFormAgain | undefined;
}

/**
 * Everything the case page shows, for someone allowed to see the case. The read is audited (and
 * for a suspension case, so is the list of its letters).
 * @throws CaseNotFound when there is no such case, or `actor` may not see it.
 */
export async function casePage(store: CaseStore, actor: Actor, caseId: string, reading: CaseReading, names: (id: string) => string, letters: LetterReading): Promise<Record<string, unknown>> {
  const today = reading.today();
  const record: CaseRecord = await caseRecord(store, actor, caseId, {
    today,
    ...(reading.questions ? { questions: reading.questions } : {}),
    ...(reading.evaluator ? { evaluator: reading.evaluator } : {}),
  });
  const schools = new Map((await store.staff.schools()).map((s) => [s.id, s.name]));
  const pupilName = (await store.displayNames.for(actor, [record.case.pupilId])).get(record.case.pupilId);
  return {
    today,
    record,
    ...(pupilName ? { pupilName } : {}),
    kind: kindName(record.case.kind),
    schoolName: schools.get(record.case.schoolId) ?? record.case.schoolId,
    answerSections: answerSections(record.answers),
    supportRows: record.support.map((l) => [
      { text: l.from },
      { text: l.what },
      { text: `${l.provider ?? 'not recorded'}${l.external ? ' (an outside service)' : ''}` },
      { text: l.outcome },
      { text: l.measures.length ? l.measures.join('; ') : 'none taken both ways' },
    ]),
    dutyTags: DUTY_TAGS,
    who: names,
    role: roleName,
    ...(record.case.kind === 'suspension'
      ? { letters: await letterSection(store, actor, caseId, { ...letters, who: names }) }
      : {}),
  };
}
