/**
 * A pupil-movement case's duty in the chat, as a head meets it: the card that opens a safeguarding
 * separation offers "Local authority told"; pressing it gives a one-date form (today by default,
 * dates as people write them); a date that is not one is refused under its field; recording it
 * moves the case on and the button goes — over the real store and conversation core.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openByHand, type Actor, type CaseStore } from '@before-exclusion/workflows';
import { parseAction } from './commands.js';
import type { Assistant } from './assistant.js';
import type { FormReply } from './replies.js';
import { BACKENDS, TODAY, demoAssistant, demoStore, only } from '../testing/fixtures.js';

describe.each(BACKENDS)('a movement case duty in the chat on %s', (backend) => {
  let store: CaseStore;
  let assistant: Assistant;
  let head: Actor;
  beforeEach(async () => {
    ({ store } = await demoStore({ backend }));
    assistant = demoAssistant(store);
    head = await store.staff.actorFor('demo-head');
  });
  afterEach(() => store.close());

  /** What a pressed button sends, read as the channels read it. */
  const press = async (data: unknown) => {
    const parsed = parseAction(data);
    if ('error' in parsed) throw new Error(parsed.error);
    return assistant.handle(head, parsed.command);
  };

  it('offers "Local authority told" for a safeguarding separation, records it from a one-date form, then offers it no more', async () => {
    const { case: opened } = await openByHand(store, head, 'safeguarding-separation', 'demo-005', TODAY, { startDate: '2026-03-18' });
    const card = await assistant.prompt(opened.id);
    expect(card).toMatchObject({ type: 'prompt', title: 'Safeguarding separation — DEMO-005 from Wed 18 Mar' });
    const button = card.type === 'prompt' ? card.actions.find((a) => a.title === 'Local authority told') : undefined;
    expect(button?.data).toEqual({ verb: 'movement.form', caseId: opened.id, duty: 'la-told' });

    const form = only(await press(button!.data), 'form') as FormReply;
    expect(form.title).toBe('Local authority told · pupil DEMO-005');
    expect(form.fields).toEqual([expect.objectContaining({ id: 'on', label: 'Told on', kind: 'date', value: TODAY })]);

    const refused = only(await press({ ...form.submit.data, on: '31/02/2026' }), 'form') as FormReply;
    expect(refused.fieldErrors?.on).toMatch(/not a real date|February/i);
    expect((await store.cases.get(head, opened.id)).state).toEqual({ open: { 'la-notice': 'due', separation: 'in-place' } });

    const recorded = await press({ ...form.submit.data, on: '19/03/2026' });
    expect(recorded[0]).toMatchObject({ type: 'message', text: 'Recorded.' });
    const view = await store.cases.get(head, opened.id);
    expect(view.state).toEqual({ open: { 'la-notice': 'sent', separation: 'in-place' } });
    expect(view.kind === 'safeguarding-separation' && view.context.laNotice?.sentOn).toBe('2026-03-19');
    // Opened by hand, the separation went on the pupil's record; telling the LA is recorded there too.
    expect((await store.pupils.record(head, 'DEMO-005')).safeguardingSeparations).toEqual([expect.objectContaining({ startDate: '2026-03-18', localAuthorityToldOn: '2026-03-19' })]);
    const after = await assistant.prompt(opened.id);
    expect(after.type === 'prompt' && after.actions.map((a) => a.title)).toEqual([]);
  });
});
