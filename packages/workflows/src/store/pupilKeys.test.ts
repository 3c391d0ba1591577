import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM } from '../access.js';
import { BACKENDS, closeTestStores, DEMO_FILES, openAgain, TEST_ANCHOR_KEY, testStore } from '../testing.js';
import { CaseStore } from './caseStore.js';
import { LETTERS_SEALED } from './letters.js';
import { ERASED_TEXT, PupilDataKeyRefused, SEALED_PREFIX } from './pupilKeys.js';
import { rawExec, rawQuery } from './tamper.js';

afterEach(closeTestStores);

const WORDS = 'She said it started on the bus';

/** A demo store with one PEAP whose first answer is in words. */
async function answered(backend: (typeof BACKENDS)[number]) {
  const t = await testStore({ backend });
  await t.store.pupils.import(SYSTEM, DEMO_FILES);
  const input = { pupilId: 'DEMO-001', schoolId: 'DEMO-SCH', openedBy: 'headteacher', halfTerm: '2025/26 spring 2' };
  const { case: peap } = await t.store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId: 'DEMO-001', input });
  await t.store.cases.sendUnchecked(SYSTEM, peap.id, [{ type: 'ANSWER', questionId: 'what-happened', answer: WORDS }]);
  return { ...t, caseId: peap.id };
}

const answer = async (store: CaseStore, caseId: string) => (await store.cases.get(SYSTEM, caseId, 'peap')).context.answers['what-happened']?.value;

describe.each(BACKENDS)('pupil keys on %s', (backend) => {
  it('stores the words sealed, reads them back opened', async () => {
    const { store, url, caseId } = await answered(backend);
    const [row] = await rawQuery<{ snapshot: string }>(url, 'SELECT snapshot FROM cases WHERE id = ?', [caseId]);
    expect(row!.snapshot).not.toContain(WORDS);
    expect(row!.snapshot).toContain(`"${SEALED_PREFIX}DEMO-001:`);
    expect(await answer(store, caseId)).toBe(WORDS);
  });

  it('makes one key when a pupil\'s first words are a list sealed together', async () => {
    const t = await testStore({ backend });
    await t.store.pupils.import(SYSTEM, DEMO_FILES);
    const input = { pupilId: 'DEMO-001', schoolId: 'DEMO-SCH', openedBy: 'headteacher', halfTerm: '2025/26 spring 2' };
    const { case: peap } = await t.store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId: 'DEMO-001', input });
    const words = ['Mentoring since September', 'Reduced timetable', 'Nurture group'];
    await t.store.cases.sendUnchecked(SYSTEM, peap.id, [{ type: 'ANSWER', questionId: 'what-happened', answer: words }]);
    expect(await answer(t.store, peap.id)).toEqual(words);
    expect(await rawQuery(t.url, 'SELECT pupil_id FROM pupil_keys')).toEqual([{ pupil_id: 'DEMO-001' }]);
  });

  it('says so when the deployment key is not the store\'s, or sealed text was moved onto another pupil', async () => {
    const { store, url, anchorPath, caseId } = await answered(backend);
    await store.close();
    await expect(CaseStore.open({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY, pupilDataKey: 'not-a-key' })).rejects.toThrow(
      'PUPIL_DATA_KEY is not a key: accepted are 64 hex characters (32 bytes), e.g. from `openssl rand -hex 32` (it is 9 characters)',
    );
    const wrongKey = await CaseStore.open({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY, pupilDataKey: 'ab'.repeat(32) });
    await expect(answer(wrongKey, caseId)).rejects.toThrow(PupilDataKeyRefused);
    await wrongKey.close();

    await rawExec(url, `UPDATE cases SET snapshot = REPLACE(snapshot, 'sealed:v1:DEMO-001:', 'sealed:v1:DEMO-002:')`);
    const rightKey = await CaseStore.open({ url, anchorPath, anchorKey: TEST_ANCHOR_KEY });
    // DEMO-002 needs a key of their own for the moved text to be tried against it.
    await rightKey.cases.note(SYSTEM, (await rightKey.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId: 'DEMO-002', input: { pupilId: 'DEMO-002', schoolId: 'DEMO-SCH', openedBy: 'headteacher', halfTerm: '2025/26 spring 2' } })).case.id, 'a note');
    await expect(answer(rightKey, caseId)).rejects.toThrow('text sealed for pupil DEMO-002 does not open: it was altered in the database, or moved from another pupil');
    await rightKey.close();
  });

  it('reads erased once the pupil\'s key is destroyed, seals nothing more for them, and the chain still verifies', async () => {
    const { store, caseId } = await answered(backend);
    await store.pupilData.erase(SYSTEM, 'DEMO-001', 'request');
    expect(await answer(store, caseId)).toBe(ERASED_TEXT);
    await expect(store.cases.note(SYSTEM, caseId, 'more')).rejects.toThrow(/^pupil DEMO-001's data was erased on \d{4}-\d\d-\d\d: nothing more is recorded about them$/);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it('seals, on upgrade, a letter an earlier version kept in plaintext: once, audited as a count, the same bytes read back', async () => {
    const { store, url, anchorPath, caseId } = await answered(backend);
    const bytes = Buffer.from('%PDF-1.7 Dear Mr and Mrs Quill, about Wilhelmina');
    const people = JSON.stringify({ pupilName: 'Wilhelmina Quill' });
    // As an earlier version wrote it: the letter's bytes and people in plaintext.
    await rawExec(
      url,
      `INSERT INTO letters (id, case_id, school_id, kind, format, template_id, template_version, guidance, file_name, media_type, sha256, content, people, made_by, made_at)
       VALUES ('letter-old', '${caseId}', 'DEMO-SCH', 'parents-suspension', 'pdf', 't', 1, '2024', 'old.pdf', 'application/pdf', 'abc', '${bytes.toString('base64')}', '${people}', 'demo-head', '2026-03-20T09:00:00Z')`,
    );
    await store.close();
    const upgraded = await openAgain({ url, anchorPath });
    const [row] = await rawQuery<{ content: string; people: string }>(url, "SELECT content, people FROM letters WHERE id = 'letter-old'");
    expect(row!.content.startsWith(SEALED_PREFIX)).toBe(true);
    expect(row!.people).not.toContain('Wilhelmina');
    const letter = await upgraded.letters.read(SYSTEM, 'letter-old');
    expect(Buffer.from(letter.bytes).equals(bytes)).toBe(true);
    expect(letter.people).toEqual({ pupilName: 'Wilhelmina Quill' });
    expect((await upgraded.audit.entriesOf(LETTERS_SEALED)).map((r) => r.data)).toEqual([expect.objectContaining({ letters: 1 })]);
    await upgraded.close();
    const again = await openAgain({ url, anchorPath });
    expect(await again.audit.entriesOf(LETTERS_SEALED)).toHaveLength(1);
    expect(await again.audit.verify()).toMatchObject({ ok: true });
  });
});
