/**
 * Support tried, recorded in Teams and read where it matters, over HTTP as Teams talks to the
 * running service (the demo school, school date Friday 20 March 2026) with a fake Bot Connector on
 * loopback:
 *
 * 1. The head types "record support DEMO-006": a form card; a review date before the start comes
 *    back under its field with what was typed kept; pressed again right, one card press opens the
 *    support plan with its assessment and plan (the store holds both, audited as the head's).
 * 2. The head starts a PEAP for the pupil: the school-based "support tried" question arrives
 *    pre-filled with that support (what, with whom, from when, how it stands), with a button to
 *    record more.
 * 3. The inclusion officer opens the PEAP's case page in the web workspace (the real server,
 *    signed in): "Support tried" lists it, provider and all.
 *
 * On SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceBrowser } from '../../packages/bot/src/testing/workspaceBrowser.js';
import { SYSTEM, type CaseView } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { actionData, answerFor, cardOf, cardText, elements, executeActivity, installActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const conversation = 'a:demo-head-personal-chat';
const PUPIL = 'DEMO-006';

type Card = ReturnType<typeof cardOf>;

/** A form card's inputs as Teams merges them into a pressed button's data: each a string, blank ones too. */
function inputsOf(card: Card): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const e of elements(card)) if (typeof e.type === 'string' && e.type.startsWith('Input.') && typeof e.id === 'string') inputs[e.id] = e.value === undefined || e.value === null ? '' : String(e.value);
  return inputs;
}

describe.each(backends())('support tried recorded in Teams, read by the PEAP and the officer (%s store)', (backend) => {
  let connector: FakeConnector;
  let service: ServiceProcess;
  let db: ServiceDatabase;
  let peapId = '';

  beforeAll(async () => {
    connector = await startFakeConnector();
    const dir = dataDir('support-tried-');
    db = await serviceDatabase(backend, dir, 'support_tried');
    service = await startService(dir, db.env);
    await post(service.url, installActivity(head, connector.url, conversation));
    await connector.waitFor(2);
  }, 90_000);
  afterAll(async () => {
    await service?.stop();
    await connector?.close();
  });

  const say = async (text: string) => {
    const activity = messageActivity(head, connector.url, conversation, text);
    expect((await post(service.url, activity)).status).toBe(200);
    return cardOf((await connector.waitForReplyTo(activity.id)).activity);
  };
  const press = async (verb: string, data: Record<string, unknown>) => {
    const res = await post(service.url, executeActivity(head, connector.url, conversation, 'card-1', verb, data));
    expect(res.status).toBe(200);
    return res.body.value as Card;
  };
  const supportPlans = () => withStore(db, async (store) => (await store.cases.list(SYSTEM, { pupilId: PUPIL })).filter((c): c is CaseView<'support-plan'> => c.kind === 'support-plan'));

  it('records an intervention from one card press, after showing a wrong date under its field', async () => {
    const form = await say(`record support ${PUPIL.toLowerCase()}`);
    expect(cardText(form)).toContain(`Record support tried · pupil ${PUPIL}`);
    const submit = actionData(form, 'support.record');
    const entered = { ...inputsOf(form), intervention: 'key-adult', provider: 'Mrs Example, form tutor', startDate: '12/01/2026', reviewDue: '09/01/2026' };

    const refused = await press('support.record', { ...submit, ...entered });
    expect(cardText(refused)).toContain('The review must be after the day it starts: give a later date.');
    expect(inputsOf(refused)).toMatchObject({ intervention: 'key-adult', provider: 'Mrs Example, form tutor', reviewDue: '09/01/2026' });
    expect(await supportPlans()).toEqual([]);

    const recorded = await press('support.record', { ...actionData(refused, 'support.record'), ...entered, reviewDue: '2026-04-24' });
    expect(cardText(recorded)).toMatch(/Recorded: a key adult with Mrs Example, form tutor from Monday 12 Jan 2026, review by Friday 24 Apr 2026 \(case support-plan-\w+\)/);
    const [plan, ...others] = await supportPlans();
    expect(others).toEqual([]);
    expect(plan!.context.plans).toMatchObject([{ intervention: 'key-adult', provider: 'Mrs Example, form tutor', startDate: '2026-01-12', reviewDue: '2026-04-24', external: false, agreedBy: 'demo-head' }]);
    const trail = await withStore(db, (store) => store.audit.entriesFor(plan!.id));
    expect(trail.filter((r) => r.action === 'event').map((r) => [r.event, r.actor])).toEqual([
      ['ASSESS', 'demo-head'],
      ['AGREE_PLAN', 'demo-head'],
    ]);
  });

  it("pre-fills the PEAP's school-based support question with it, for the head to confirm", async () => {
    let card = await say(`start peap ${PUPIL}`);
    for (let i = 0; i < 30 && !cardText(card).includes('Which school-based interventions have been tried'); i++) {
      expect(cardText(card)).toMatch(/question \d+ of \d+/);
      card = await press('peap.answer', { ...actionData(card, 'peap.answer'), answer: answerFor(card) });
    }
    const text = cardText(card);
    expect(text).toContain('From the record — confirm, or correct it:');
    const answer = elements(card).find((e) => e.id === 'answer');
    expect(String(answer?.value)).toMatch(/a key adult with Mrs Example, form tutor.*2026-01-12|2026-01-12.*a key adult with Mrs Example, form tutor/);
    expect(String(answer?.value)).toMatch(/review due 2026-04-24/);
    expect(actionData(card, 'support.form')).toMatchObject({ pupilId: PUPIL, peapCaseId: expect.stringMatching(/^peap-/) });
    peapId = String(actionData(card, 'peap.answer').caseId);
    expect(peapId).toMatch(/^peap-/);
  });

  it("shows it in 'Support tried' on the officer's case page in the web workspace", async () => {
    expect(peapId).not.toBe('');
    const browser = new WorkspaceBrowser(service.url);
    const signIn = await browser.get('/workspace/sign-in');
    expect((await browser.post('/workspace/sign-in', { staffId: 'demo-officer' }, signIn, { origin: service.url })).status).toBe(303);
    expect(browser.signedInAs()).toBe('demo-officer');
    const page = await browser.get(`/workspace/cases/${peapId}`);
    expect(page.status).toBe(200);
    const support = page.text.slice(page.text.indexOf('Support tried The pupil'));
    expect(support).toMatch(/^Support tried The pupil's support plans/);
    expect(support).toContain('a key adult');
    expect(support).toContain('Mrs Example, form tutor');
    expect(support).not.toContain('No support is recorded for this pupil');
  });
});
