/**
 * Letters as a head and a parent would read them, on a hand-counted calendar: summer 2026 with a
 * bank holiday (Monday 4 May) and an INSET day (Wednesday 6 May) inside the exclusions, and the
 * May half-term. Every date a letter states is checked against the count by hand below, in the
 * .docx (read back with mammoth) and the PDF (read back with unpdf); the names typed for a letter
 * stay in the letter and never reach the audit trail or the case.
 *
 * School days from Thursday 30 April 2026: Fri 1 May (1), Tue 5 (2), Thu 7 (3), Fri 8 (4),
 * 11–15 May (5–9), 18–22 May (10–14), half-term, 1–5 June (15–19), … Mon 20 July (50).
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessDenied, SYSTEM } from '../access.js';
import { CaseNotFound } from '../errors.js';
import { evaluateStoredPupils } from '../cases/openCases.js';
import type { CaseStore } from '../store/caseStore.js';
import { LETTER_MADE, LETTER_READ } from '../store/letters.js';
import { BACKENDS, closeTestStores, testStore } from '../testing.js';
import { parseLetterOverrides } from './letterOverrides.js';
import { LetterRefused } from './letterRefused.js';
import { makeLetter, type LetterRequest } from './makeLetter.js';

afterEach(closeTestStores);

const CALENDAR = {
  format: 'school-calendar/1',
  academicYear: '2025/26',
  name: 'Test school 2025/26',
  halfTerms: [
    { name: 'autumn-1', term: 'autumn', start: '2025-09-03', end: '2025-10-24' },
    { name: 'autumn-2', term: 'autumn', start: '2025-11-03', end: '2025-12-19' },
    { name: 'spring-1', term: 'spring', start: '2026-01-05', end: '2026-02-13' },
    { name: 'spring-2', term: 'spring', start: '2026-02-23', end: '2026-03-27' },
    { name: 'summer-1', term: 'summer', start: '2026-04-13', end: '2026-05-22' },
    { name: 'summer-2', term: 'summer', start: '2026-06-01', end: '2026-07-21' },
  ],
  // Monday 4 May: the early May bank holiday; Wednesday 6 May: an INSET day.
  nonSchoolDays: ['2026-05-04', '2026-05-06'],
};

const PUPILS = [
  // 7 days from Thursday afternoon: 14 sessions end on Wednesday 13 May's morning.
  { id: 'P1', schoolId: 'SCH-A', yearGroup: 9, send: 'K', exclusions: [{ id: 'X1', category: 'FIXD', startDate: '2026-04-30', startSession: 'PM', sessions: 14, reasons: ['PA', 'VA'] }] },
  { id: 'P2', schoolId: 'SCH-A', yearGroup: 10, lookedAfter: true, hasSocialWorker: true, exclusions: [{ id: 'X2', category: 'PERM', startDate: '2026-04-30', reasons: ['OW'] }] },
  // 2 days, Monday and Tuesday: five days or fewer, no board meeting.
  { id: 'P3', schoolId: 'SCH-A', exclusions: [{ id: 'X3', category: 'FIXD', startDate: '2026-04-27', sessions: 4, reasons: ['DB'] }] },
  // 16 days from Thursday morning, across the half-term: ends on Monday 1 June's afternoon.
  { id: 'P4', schoolId: 'SCH-A', exclusions: [{ id: 'X4', category: 'FIXD', startDate: '2026-04-30', sessions: 32, reasons: ['DA'] }] },
];

const SAM = { pupilName: 'Sam Example', parentNames: ['Alex Example', 'Jo Example'], address: ['1 Test Street', 'Testtown', 'TT1 1TT'], headteacherName: 'Dr Pat Head' };

async function school(backend: (typeof BACKENDS)[number]) {
  const t = await testStore({ backend, now: () => new Date('2026-04-30T15:00:00Z') });
  const calendar = join(t.dir, 'calendar.json');
  const pupils = join(t.dir, 'pupils.ndjson');
  writeFileSync(calendar, JSON.stringify(CALENDAR));
  writeFileSync(pupils, PUPILS.map((p) => JSON.stringify(p)).join('\n'));
  await t.store.pupils.import(SYSTEM, { pupils, calendar });
  await evaluateStoredPupils(t.store, { asOf: '2026-04-30' });
  const head = await t.store.staff.actorFor('head-a');
  const caseOf = async (pupilId: string) => {
    const found = (await t.store.cases.list(SYSTEM, { pupilId })).find((c) => c.kind === 'suspension');
    if (!found) throw new Error(`no suspension case for ${pupilId}`);
    return found;
  };
  return { ...t, head, caseOf };
}

/** The letter's text read back from its bytes, white space made single. */
async function textOf(letter: { bytes: Uint8Array; mediaType: string }): Promise<string> {
  if (letter.mediaType === 'application/pdf') {
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(letter.bytes)), { mergePages: true });
    return text.replace(/\s+/g, ' ');
  }
  return (await mammoth.extractRawText({ buffer: Buffer.from(letter.bytes) })).value.replace(/\s+/g, ' ');
}

async function letterText(store: CaseStore, actor: Awaited<ReturnType<CaseStore['staff']['actorFor']>>, request: LetterRequest) {
  const letter = await makeLetter(store, actor, request);
  return { letter, text: await textOf(letter) };
}

describe.each(BACKENDS)('%s', (backend) => {
  describe.each(['docx', 'pdf'] as const)('the parents’ suspension notice as %s', (format) => {
    it('over five days in the term: every date counted on the calendar, past the bank holiday and the INSET day', async () => {
      const { store, head, caseOf } = await school(backend);
      const { letter, text } = await letterText(store, head, { caseId: (await caseOf('P1')).id, kind: 'parents-suspension', format, people: SAM, today: '2026-04-30' });
      expect(letter.template).toMatchObject({ id: 'parents-suspension', version: 1, guidance: { edition: 'August 2024', effectiveTo: '2026-07-25' } });
      expect(text).toContain('Dear Alex Example and Jo Example,');
      expect(text).toContain('I have decided to suspend Sam Example from School A for 7 school days (14 sessions).');
      expect(text).toContain('The suspension begins on Thursday 30 April 2026 (afternoon) and its last school day is Wednesday 13 May 2026 (morning).');
      expect(text).toContain('this reason (or these reasons): physical assault against an adult; verbal abuse or threatening behaviour against an adult.');
      expect(text).toContain('Sam Example should come back to school on Wednesday 13 May 2026, at the start of the afternoon session.');
      expect(text).toContain('Sam Example is not present in a public place during school hours without reasonable justification: Thursday 30 April 2026, Friday 1 May 2026, Tuesday 5 May 2026, Thursday 7 May 2026 and Friday 8 May 2026.');
      expect(text).toContain('From Monday 11 May 2026, the sixth school day of exclusion, the school will arrange suitable full-time education');
      expect(text).toContain('suspended for 7 school days this summer term, which is more than five');
      expect(text).toContain('within 50 school days of being told of the suspension: the latest date it can meet is Monday 20 July 2026.');
      expect(text).toContain('You may ask for the meeting to be held remotely');
      expect(text).toContain('to be represented at it (at your own expense) and to bring a friend');
      expect(text).not.toContain('cannot direct that they be reinstated');
      expect(text).toContain('Letter parents-suspension v1, following Department for Education');
    });
  });

  it('five days or fewer: the board considers representations but cannot reinstate, and the duty covers every day', async () => {
    const { store, head, caseOf } = await school(backend);
    const { text } = await letterText(store, head, { caseId: (await caseOf('P3')).id, kind: 'parents-suspension', format: 'docx', people: SAM, today: '2026-04-27' });
    expect(text).toContain('its last school day is Tuesday 28 April 2026 (afternoon)');
    expect(text).toContain('come back to school on Wednesday 29 April 2026, at the start of the morning session');
    expect(text).toContain('without reasonable justification: Monday 27 April 2026 and Tuesday 28 April 2026.');
    expect(text).toContain('it cannot direct that they be reinstated');
    expect(text).not.toContain('remotely');
    expect(text).not.toContain('sixth school day');
  });

  it('more than fifteen days in the term: the board must meet within 15 school days, by the date the rules found', async () => {
    const { store, head, caseOf } = await school(backend);
    const view = await caseOf('P4');
    const { letter, text } = await letterText(store, head, { caseId: view.id, kind: 'parents-suspension', format: 'pdf', people: SAM, today: '2026-04-30' });
    expect(letter.facts.boardReview).toEqual({ kind: 'must', latestDate: '2026-06-01', because: 'over-15-days' });
    expect(text).toContain('its last school day is Monday 1 June 2026 (afternoon)');
    expect(text).toContain('come back to school on Tuesday 2 June 2026, at the start of the morning session');
    expect(text).toContain('suspended for 16 school days this summer term, which is more than 15, the governing board must meet');
    expect(text).toContain('The latest date it can meet is Monday 1 June 2026.');
    expect(text).toContain('From Monday 11 May 2026, the sixth school day');
  });

  it('the permanent exclusion notice: the board by the 15th school day, the local authority from the sixth', async () => {
    const { store, head, caseOf } = await school(backend);
    const { letter, text } = await letterText(store, head, { caseId: (await caseOf('P2')).id, kind: 'parents-permanent', format: 'docx', people: SAM, today: '2026-04-30' });
    expect(letter.facts.publicPlaceDays).toEqual(['2026-04-30', '2026-05-01', '2026-05-05', '2026-05-07', '2026-05-08']);
    expect(text).toContain('I have decided to exclude Sam Example permanently from School A. The exclusion begins on Thursday 30 April 2026 (morning).');
    expect(text).toContain('The latest date it can meet is Monday 1 June 2026.');
    expect(text).toContain('Thursday 30 April 2026, Friday 1 May 2026, Tuesday 5 May 2026, Thursday 7 May 2026 and Friday 8 May 2026.');
    expect(text).toContain('From Monday 11 May 2026, the sixth school day of exclusion, the local authority must arrange suitable full-time education');
    expect(text).toContain('First-tier Tribunal (Special Educational Needs and Disability)');
  });

  it("the board's decision to uphold a permanent exclusion: the independent review by the 15th school day after the notice", async () => {
    const { store, head, caseOf, setNow } = await school(backend);
    const view = await caseOf('P2');
    setNow('2026-05-21T09:00:00Z');
    await store.cases.sendUnchecked(head, view.id, [{ type: 'RECORD_BOARD_REVIEW', outcome: 'upheld', heldOn: '2026-05-20', irpWindowEnds: '2026-06-18' }]);
    const request = { caseId: view.id, kind: 'board-decision', format: 'pdf', today: '2026-05-21' } as const;
    await expect(makeLetter(store, head, { ...request, people: SAM })).rejects.toThrow(/gives its reasons: add "boardReasons"/);
    const { text } = await letterText(store, head, { ...request, people: { ...SAM, boardReasons: 'The board found the facts proved on the balance of probabilities.' } });
    expect(text).toContain('met on Wednesday 20 May 2026');
    expect(text).toContain('should not be reinstated: the permanent exclusion stands');
    expect(text).toContain('The board found the facts proved on the balance of probabilities.');
    // Thursday 21 May: Fri 22 May (1), 1–5 June (2–6), 8–12 June (7–11), 15–18 June (12–15).
    expect(text).toContain('You must apply by Thursday 18 June 2026, the 15th school day after the day you are given this notice');
    expect(text).toContain('SEN expert');
    expect(text).toContain('at no cost to you');
    expect(text).toContain('You may be represented at the review, and bring a friend.');
  });

  it('the cancellation notice gives the reason, and says who is told again', async () => {
    const { store, head, caseOf } = await school(backend);
    const view = await caseOf('P3');
    await expect(makeLetter(store, head, { caseId: view.id, kind: 'cancellation', format: 'docx', today: '2026-04-28' })).rejects.toThrow(LetterRefused);
    await store.cases.sendUnchecked(head, view.id, [{ type: 'CANCEL', reason: 'New evidence shows the pupil was not involved.' }]);
    const { text } = await letterText(store, head, { caseId: view.id, kind: 'cancellation', format: 'docx', people: SAM, today: '2026-04-28' });
    expect(text).toContain('I have cancelled the suspension of Sam Example from School A, which began on Monday 27 April 2026.');
    expect(text).toContain('New evidence shows the pupil was not involved.');
    expect(text).toContain('may come back to school from Tuesday 28 April 2026');
    expect(text).toContain('is being told that it is cancelled, and why: the parents and the local authority.');
    await expect(makeLetter(store, head, { caseId: view.id, kind: 'parents-suspension', format: 'docx', today: '2026-04-28' })).rejects.toThrow(/was cancelled .*: the letter to write now is the cancellation letter/);
  });

  it("the local authority's notification: every field a council's form asks for, reasons in words, the days not counted", async () => {
    const { store, head, caseOf } = await school(backend);
    const { text } = await letterText(store, head, { caseId: (await caseOf('P1')).id, kind: 'local-authority', format: 'pdf', people: SAM, today: '2026-04-30' });
    for (const field of [
      'Name: Sam Example',
      'Pupil reference: P1',
      'Year group: Year 9',
      'Special educational needs: SEN support',
      'Looked after: no',
      'Has a social worker: no',
      'School: School A (SCH-A)',
      'Type: suspension (FIXD)',
      'Length: 7 school days (14 sessions)',
      'First day: Thursday 30 April 2026 (afternoon)',
      'Last day: Wednesday 13 May 2026 (morning)',
      'Return: Wednesday 13 May 2026 (afternoon)',
      'Suspension this term, including this one: 7 school days (summer term)',
      'Full-time education from the sixth day: Monday 11 May 2026',
      '1. physical assault against an adult (PA)',
      '2. verbal abuse or threatening behaviour against an adult (VA)',
      'Weekends, holidays, bank holidays and INSET days were not counted. Weekdays inside the exclusion that were not school days: Monday 4 May 2026 and Wednesday 6 May 2026.',
    ]) {
      expect(text).toContain(field);
    }
  });

  it('keeps each letter with its case: the audit row has its kind, template and hash — the sha256 of the bytes — and no name', async () => {
    const { store, head, caseOf } = await school(backend);
    const view = await caseOf('P1');
    const letter = await makeLetter(store, head, { caseId: view.id, kind: 'parents-suspension', format: 'pdf', people: SAM, today: '2026-04-30' });
    expect(letter.sha256).toBe(createHash('sha256').update(letter.bytes).digest('hex'));
    expect(letter.fileName).toBe(`parents-suspension-${view.id}-2026-04-30.pdf`);
    const made = (await store.audit.entriesOf(LETTER_MADE)).at(-1);
    expect(made).toMatchObject({ actor: 'head-a', caseId: view.id, data: { letterId: letter.letterId, kind: 'parents-suspension', sha256: letter.sha256, template: { id: 'parents-suspension', version: 1 } } });

    const listed = await store.letters.forCase(head, view.id);
    expect(listed.map((l) => [l.letterId, l.kind, l.sha256])).toEqual([[letter.letterId, 'parents-suspension', letter.sha256]]);
    const read = await store.letters.read(head, letter.letterId);
    expect(createHash('sha256').update(read.bytes).digest('hex')).toBe(letter.sha256);
    expect(read.people).toMatchObject({ pupilName: 'Sam Example' });
    expect((await store.audit.entriesOf(LETTER_READ)).at(-1)).toMatchObject({ actor: 'head-a', caseId: view.id, data: { letterId: letter.letterId, sha256: letter.sha256 } });

    const everything = JSON.stringify([await store.audit.entriesFor(view.id), await store.audit.entriesOf(LETTER_MADE), await store.cases.get(SYSTEM, view.id)]);
    for (const name of ['Sam Example', 'Alex Example', 'Jo Example', 'Test Street', 'Pat Head']) expect(everything).not.toContain(name);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('lets only those who may act on the case make a letter, and only those who see it read one', async () => {
    const { store, head, caseOf } = await school(backend);
    const view = await caseOf('P1');
    const request = { caseId: view.id, kind: 'parents-suspension', format: 'docx', today: '2026-04-30' } as const;
    await expect(makeLetter(store, await store.staff.actorFor('officer'), request)).rejects.toThrow(AccessDenied);
    await expect(makeLetter(store, await store.staff.actorFor('head-b'), request)).rejects.toThrow(CaseNotFound);
    const letter = await makeLetter(store, head, request);
    await expect(store.letters.read(await store.staff.actorFor('head-b'), letter.letterId)).rejects.toThrow(CaseNotFound);
    expect((await store.letters.read(await store.staff.actorFor('officer'), letter.letterId)).sha256).toBe(letter.sha256);
    // Without names, a line to write them on by hand.
    expect(await textOf(letter)).toContain('Dear ____________________,');
  });

  it("uses a trust's wording in the editable paragraphs, and refuses one touching a locked paragraph, naming it", async () => {
    const { store, head, caseOf } = await school(backend);
    expect(() => parseLetterOverrides({ format: 'letter-overrides/1', name: 'Example Trust', paragraphs: { 'parents-suspension': { 'public-places': 'Anything.' } } }, 'trust.json')).toThrow(
      /trust\.json: paragraphs\.parents-suspension\.public-places: paragraph "public-places" of the parents-suspension letter is locked \(statutory wording\) and cannot be overridden; editable: work-set, provision-details, reintegration, free-advice, contact/,
    );
    expect(() => parseLetterOverrides({ format: 'letter-overrides/1', name: 'Example Trust', paragraphs: { 'parents-suspension': { 'sign-off': 'Bye.' } } })).toThrow(/has no paragraph "sign-off"; editable: work-set/);
    expect(() => parseLetterOverrides({ format: 'letter-overrides/1', name: 'Example Trust', paragraphs: { 'parents-letter': { contact: 'Hi.' } } })).toThrow(/expected a letter kind: parents-suspension, parents-permanent/);
    const trust = parseLetterOverrides({ format: 'letter-overrides/1', name: 'Example Trust', paragraphs: { 'parents-suspension': { contact: 'Call Ms Khan on 01234 567890 about {pupilName}.' } } });
    const { text } = await letterText(store, head, { caseId: (await caseOf('P1')).id, kind: 'parents-suspension', format: 'docx', people: SAM, overrides: [trust], today: '2026-04-30' });
    expect(text).toContain('Call Ms Khan on 01234 567890 about Sam Example.');
    expect(text).not.toContain('please contact the school office');
    expect((await store.audit.entriesOf(LETTER_MADE)).at(-1)?.data).toMatchObject({ wordingBy: ['Example Trust'] });
  });

  it('refuses the wrong letter for the case, saying which to write', async () => {
    const { store, head, caseOf } = await school(backend);
    await expect(makeLetter(store, head, { caseId: (await caseOf('P2')).id, kind: 'parents-suspension', format: 'docx', today: '2026-04-30' })).rejects.toThrow(/is a permanent exclusion: write the parents-permanent letter/);
    await expect(makeLetter(store, head, { caseId: (await caseOf('P1')).id, kind: 'board-decision', format: 'docx', today: '2026-04-30' })).rejects.toThrow(/review of case .* is not recorded yet/);
  });
});
