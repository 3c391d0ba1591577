/**
 * A pupil whose data was erased, as a head meets it in the chat: their case's status still reads
 * (states, dates), their words read "[erased]", and recording more about them is refused in words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM, type CaseStore } from '@before-exclusion/workflows';
import { BACKENDS, demoAssistant, demoStore, messages, only } from '../testing/fixtures.js';

const stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe.each(BACKENDS)('an erased pupil in the chat on %s', (backend) => {
  it('reads the case with the words erased, and refuses to record more, saying why', async () => {
    const { store } = await demoStore({ backend });
    stores.push(store);
    const assistant = demoAssistant(store);
    const head = await store.staff.actorFor('demo-head');
    const peap = (await store.cases.list(SYSTEM)).find((c) => c.kind === 'peap')!;
    await store.cases.note(head, peap.id, 'Spoke to the family at length');
    await store.pupilData.erase(head, peap.pupilId, 'request');

    const status = only(await assistant.handle(head, { verb: 'case.status', caseId: peap.id }), 'case-status');
    expect(status.notes.map((n) => n.text)).toEqual(['[erased]']);
    // The meeting's date is not words about the pupil; the details of the exclusions are.
    await assistant.handle(head, { verb: 'peap.answer', caseId: peap.id, questionId: 'meeting.date', revision: peap.revision, answer: '2026-03-23' });
    const answered = await assistant.handle(head, { verb: 'peap.answer', caseId: peap.id, questionId: 'exclusion.details', revision: peap.revision + 1, answer: 'Three suspensions this term' });
    expect(messages(answered).join(' ')).toMatch(new RegExp(`Pupil ${peap.pupilId}'s data was erased on \\d{4}-\\d\\d-\\d\\d: nothing more is recorded about them`, 'i'));
  });
});
