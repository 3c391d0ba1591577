/**
 * The Teams channel as a head meets it, driven through botbuilder's `TestAdapter` over a real
 * store holding the demo school (SQLite, and PostgreSQL too when TEST_DATABASE_URL names a
 * server): who is let in, a typed command becoming a question card, a card button (Universal
 * Action, or the Action.Submit fallback) saving the answer and moving on, and prompts sent
 * unprompted — once per case, or as one digest for a backlog.
 */
import { SYSTEM, evaluateStoredPupils, openByHand, type CaseStore } from '@before-exclusion/workflows';
import { TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CASES_PER_PAGE, PERSONAL_CHAT_ONLY_REPLY, type Assistant } from '../conversation/assistant.js';
import type { Channel } from '../conversation/channel.js';
import { PLAYGROUND_USER_AAD_ID } from '../service/demo.js';
import { staffNotifier } from '../service/notifier.js';
import { BACKENDS, demoAssistant, demoStore, silentLogger, TODAY } from '../testing/fixtures.js';
import { createTeamsApplication, teamsSender } from './teamsBot.js';

type Element = Record<string, unknown>;

/** A `TestAdapter` that can also send unprompted, as the real adapter does with `continueConversationAsync`. */
class ProactiveTestAdapter extends TestAdapter {
  override async continueConversationAsync(_botAppId: unknown, reference: Partial<ConversationReference>, logic: unknown, maybeLogic?: unknown): Promise<void> {
    const run = (typeof logic === 'function' ? logic : maybeLogic) as (context: TurnContext) => Promise<void>;
    const context = new TurnContext(this, TurnContext.applyConversationReference({ type: 'event' }, reference, true));
    await this.runMiddleware(context, run);
  }
}

const HEAD = { id: '29:demo-head', aadObjectId: PLAYGROUND_USER_AAD_ID };
const WORKSPACE = 'https://bx.example.org/workspace';
const STRANGER = { id: '29:stranger', aadObjectId: '11111111-2222-3333-4444-555555555555' };

let store: CaseStore;
let assistant: Assistant;
let adapter: ProactiveTestAdapter;
let reached: string[];

/** An activity from a Teams user in a one-to-one chat with the bot (or the chat type given). */
function fromUser(activity: Partial<Activity>, user = HEAD, conversationType = 'personal'): Partial<Activity> {
  return { channelId: 'msteams', from: user, conversation: { id: `chat-${user.id}`, conversationType, isGroup: conversationType !== 'personal', name: '' }, ...activity } as Partial<Activity>;
}

const say = (text: string, user = HEAD, conversationType = 'personal') => adapter.processActivity(fromUser({ type: 'message', text }, user, conversationType));

/** What the bot has sent, taken off the queue. */
function sent(): Partial<Activity>[] {
  return adapter.activeQueue.splice(0);
}

/** The Adaptive Card an activity carries (the reply card, or an invoke response's card). */
function cardOf(activity: Partial<Activity> | undefined): Element {
  if (activity?.type === 'invokeResponse') return (activity.value as { body: { value: Element } }).body.value;
  const attachment = activity?.attachments?.[0];
  expect(attachment?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return attachment?.content as Element;
}

/** Every element of a card, depth first. */
function elements(node: unknown): Element[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object') return [];
  const e = node as Element;
  return [e, ...elements(e.body), ...elements(e.items), ...elements(e.actions)];
}

const texts = (card: Element): string[] => elements(card).flatMap((e) => (e.type === 'TextBlock' ? [String(e.text)] : []));
const executeActions = (card: Element) => elements(card).filter((e) => e.type === 'Action.Execute') as { title: string; verb: string; data: Record<string, unknown>; fallback: Element }[];

/** The data of the card's answer button: what Teams sends back when it is pressed. */
function answerButton(card: Element): { verb: string; caseId: string; questionId: string; revision: number } {
  const button = executeActions(card).find((a) => a.verb === 'peap.answer');
  if (!button) throw new Error(`no answer button on the card: ${texts(card).join(' | ')}`);
  return button.data as { verb: string; caseId: string; questionId: string; revision: number };
}

/** Presses a button as a Universal Action (Action.Execute), with the card's inputs merged into its data. */
const execute = (data: Record<string, unknown>, user = HEAD) =>
  adapter.processActivity(fromUser({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: data.verb, data }, trigger: 'manual' } }, user));

/** Presses a button as the Action.Submit fallback: a message carrying the data, replying to the card. */
const submit = (data: Record<string, unknown>, replyToId?: string) => adapter.processActivity(fromUser({ type: 'message', value: data, ...(replyToId ? { replyToId } : {}) }));

/** The head starts DEMO-003's PEAP by typing; returns the question card. */
async function startPeap(): Promise<Element> {
  await say('start peap DEMO-003');
  const [reply] = sent();
  return cardOf(reply);
}

describe.each(BACKENDS)('the Teams channel on %s', (backend) => {
  beforeEach(async () => {
    ({ store } = await demoStore({ evaluate: false, backend }));
    assistant = demoAssistant(store, { workspaceUrl: WORKSPACE });
    reached = [];
    const app = createTeamsApplication(store, assistant, silentLogger, (staffId) => reached.push(staffId));
    adapter = new ProactiveTestAdapter(async (context) => {
      await app.run(context);
    });
  });

  afterEach(() => store.close());

  describe('who the bot talks to', () => {
    it('gives someone not on the staff list the polite refusal and nothing else', async () => {
      await say('start peap DEMO-003', STRANGER);
      const replies = sent();
      expect(replies).toHaveLength(1);
      expect(texts(cardOf(replies[0]))).toEqual(['Sorry — I can only help staff your school or council has set up. Please ask your administrator to add you.']);
      expect(executeActions(cardOf(replies[0]))).toEqual([]);
      expect(await store.cases.list(await store.staff.actorFor('demo-head'))).toEqual([]);
      expect(reached).toEqual([]);
    });

    it('refuses a stranger pressing a button, saving nothing', async () => {
      const question = answerButton(await startPeap());
      await execute({ ...question, answer: '2026-03-23' }, STRANGER);
      const [response] = sent();
      expect(texts(cardOf(response))).toEqual([expect.stringMatching(/^Sorry — I can only help staff/)]);
      expect((await store.cases.get(await store.staff.actorFor('demo-head'), question.caseId)).revision).toBe(question.revision);
    });

    it('remembers where to reach a head the first time they message the bot one-to-one', async () => {
      const channel = teamsSender(store, adapter, '');
      expect(await channel.canReach('demo-head')).toBe(false);
      await say('hello');
      await say('my cases');
      expect(await channel.canReach('demo-head')).toBe(true);
      expect(reached).toEqual(['demo-head']);
    });

    it('greets a head who installs the app with the menu, and can reach them from then on', async () => {
      const installed = (user: typeof HEAD) => adapter.processActivity(fromUser({ type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }], recipient: { id: 'bot', name: 'Bot' } }, user));
      await installed(HEAD);
      const [welcome, ...rest] = sent();
      expect(rest).toEqual([]);
      expect(texts(cardOf(welcome))[0]).toBe('Before Exclusion');
      expect(executeActions(cardOf(welcome)).map((a) => a.title)).toEqual(['My cases', 'Start a PEAP', 'Check a suspension']);
      expect(await teamsSender(store, adapter, '').canReach('demo-head')).toBe(true);

      await installed(STRANGER);
      expect(sent()).toEqual([]);
    });

    it('refuses "status" — typed or pressed — in a group chat or a channel, saying to ask in a personal chat, and reads nothing', async () => {
      const [caseId] = await openPeaps('DEMO-003');
      const reads = async () => (await store.audit.entriesFor(caseId!)).filter((r) => r.action === 'case-read').length;
      const before = await reads();
      const refusal = PERSONAL_CHAT_ONLY_REPLY.type === 'message' ? PERSONAL_CHAT_ONLY_REPLY.text : '';
      expect(refusal).toMatch(/personal chat/);
      for (const conversationType of ['groupChat', 'channel']) {
        await say(`status ${caseId}`, HEAD, conversationType);
        const [reply, ...rest] = sent();
        expect(rest).toEqual([]);
        expect(texts(cardOf(reply))).toEqual([refusal]);
        expect(JSON.stringify(reply)).not.toMatch(/DEMO-003|peap-/);

        // A "Status" button pressed on a card there: the same refusal in place of the card.
        await adapter.processActivity(
          fromUser({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'case.status', data: { verb: 'case.status', caseId } }, trigger: 'manual' } }, HEAD, conversationType),
        );
        expect(texts(cardOf(sent()[0]))).toEqual([refusal]);
      }
      expect(await reads()).toBe(before);
    });

    it('says nothing about a pupil or a case in a team channel or group chat, whatever is typed or pressed', async () => {
      await evaluateStoredPupils(store, { asOf: TODAY });
      const [caseId] = await openPeaps('DEMO-003');
      const suspension = (await store.cases.list(SYSTEM)).find((c) => c.kind === 'suspension')!;
      const typed = ['hello', 'help', 'my cases', 'my cases DEMO-009', 'overview', 'start peap demo-003', 'check suspension DEMO-010 23/03/2026 6', `status ${caseId}`, `status ${suspension.id}`, 'stop'];
      const pressed = [
        { verb: 'cases.mine', page: 2 },
        { verb: 'duty.form', caseId: suspension.id, duty: 'notice', recipient: 'parents' },
        { verb: 'duty.record', caseId: suspension.id, duty: 'notice', recipient: 'parents', revision: suspension.revision, method: 'email', sentOn: TODAY },
        { verb: 'letter.form', caseId: suspension.id, kind: 'local-authority' },
        { verb: 'exclusion.form', pupilId: 'DEMO-010', startDate: '2026-03-23', sessions: '6' },
      ];
      const revision = suspension.revision;
      for (const conversationType of ['channel', 'groupChat']) {
        const replies: unknown[] = [];
        for (const text of typed) {
          await say(text, HEAD, conversationType);
          replies.push(...sent());
        }
        for (const data of pressed) {
          await adapter.processActivity(fromUser({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: data.verb, data }, trigger: 'manual' } }, HEAD, conversationType));
          replies.push(...sent());
        }
        expect(replies.length).toBe(typed.length + pressed.length);
        for (const reply of replies) expect(JSON.stringify(reply)).not.toMatch(/DEMO-\d|peap-|suspension-|Pre-exclusion assessment —/i);
      }
      // And nothing was recorded from there.
      expect((await store.cases.get(SYSTEM, suspension.id)).revision).toBe(revision);
    });

    it('does not take a group chat as the place to send a head their prompts', async () => {
      await say('hello', HEAD, 'groupChat');
      expect(sent()).toHaveLength(1);
      expect(await teamsSender(store, adapter, '').canReach('demo-head')).toBe(false);
      expect(reached).toEqual([]);
    });
  });

  describe('typed commands', () => {
    it('answers "start peap DEMO-003" with question 1 of the PEAP, its buttons carrying the case and revision', async () => {
      const card = await startPeap();
      expect(texts(card)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Started a pre-exclusion assessment for pupil DEMO-003/), expect.stringMatching(/^Pre-exclusion assessment · pupil DEMO-003 · question 1 of \d+ · The meeting$/), 'When is (or was) the pre-exclusion meeting?']),
      );
      const [button] = executeActions(card);
      expect(button).toMatchObject({ title: 'Save and continue', verb: 'peap.answer', data: { verb: 'peap.answer', questionId: 'meeting.date', revision: 1, caseId: expect.stringMatching(/^peap-/) } });
      // Clients without Universal Actions press the Action.Submit fallback, which carries the same data.
      expect(button?.fallback).toMatchObject({ type: 'Action.Submit', data: button?.data });
    });

    it('answers "status CASE-ID" in a personal chat with the case read back, a button to continue and a link to the workspace', async () => {
      const question = answerButton(await startPeap());
      await execute({ ...question, answer: '2026-03-23' });
      sent();
      await say(`status ${question.caseId}`);
      const card = cardOf(sent()[0]);
      const lines = texts(card);
      expect(lines[0]).toBe('Pre-exclusion assessment — DEMO-003');
      const meeting = lines.indexOf('When is (or was) the pre-exclusion meeting?');
      expect(lines[meeting + 1]).toBe('Monday 23 Mar 2026');
      expect(lines.at(-1)).toBe('Friday 20 Mar 2026 09:00 · demo-head (headteacher) · set the meeting for Monday 23 Mar 2026');
      expect(executeActions(card).map((a) => a.title)).toEqual(['Continue the assessment']);
      expect(elements(card).find((e) => e.type === 'Action.OpenUrl')).toMatchObject({ url: `${WORKSPACE}/cases/${question.caseId}` });
    });

    it('says what it can do when a message is not a command', async () => {
      await say('can you exclude DEMO-003 please');
      const [reply] = sent();
      expect(texts(cardOf(reply))[0]).toMatch(/^I did not understand "can you exclude DEMO-003 please"\.\n\nWhat I can do:/);
    });
  });

  describe('card buttons', () => {
    it('answers an Action.Execute with an invoke response whose card is the next question', async () => {
      const question = answerButton(await startPeap());
      await execute({ ...question, answer: '2026-03-23' });
      const replies = sent();
      expect(replies).toHaveLength(1);
      expect(replies[0]).toMatchObject({ type: 'invokeResponse', value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' } } });
      const next = cardOf(replies[0]);
      expect(texts(next)).toContainEqual(expect.stringMatching(/· question 2 of \d+ · The exclusions$/));
      expect(answerButton(next)).toMatchObject({ caseId: question.caseId, questionId: 'exclusion.details', revision: question.revision + 1 });
      expect((await store.cases.get(await store.staff.actorFor('demo-head'), question.caseId, 'peap')).context).toMatchObject({ meetingDate: '2026-03-23' });
    });

    it('shows the same card with the problem when the answer is not valid', async () => {
      const question = answerButton(await startPeap());
      await execute({ ...question, answer: 'next Monday' });
      const card = cardOf(sent()[0]);
      expect(texts(card)).toContain('Please give a date, written YYYY-MM-DD.');
      expect(answerButton(card)).toEqual(question);
    });

    it('says what is wrong with a button whose data is incomplete', async () => {
      await execute({ verb: 'peap.answer', questionId: 'meeting.date', revision: 1, answer: '2026-03-23' });
      expect(texts(cardOf(sent()[0]))).toEqual([expect.stringMatching(/^That button's data is incomplete: /)]);
    });

    it('answers an Action.Submit with a new card, and turns the pressed card into a receipt', async () => {
      await say('start peap DEMO-003');
      const original = adapter.activeQueue[0]!;
      const question = answerButton(cardOf(original));
      await submit({ ...question, answer: '2026-03-23' }, original.id);
      const [receipt, next, ...rest] = sent();
      expect(rest).toEqual([]);
      expect(receipt?.id).toBe(original.id);
      expect(texts(cardOf(receipt))).toEqual(['Done — see below.']);
      expect(executeActions(cardOf(receipt))).toEqual([]);
      expect(texts(cardOf(next))).toContainEqual(expect.stringMatching(/· question 2 of \d+ · The exclusions$/));
    });

    it('says a card pressed a second time was already saved', async () => {
      const question = answerButton(await startPeap());
      await execute({ ...question, answer: '2026-03-23' });
      sent();
      await execute({ ...question, answer: '2026-03-23' });
      const card = cardOf(sent()[0]);
      expect(texts(card)).toContain('That answer was already saved.');
      expect(answerButton(card).questionId).toBe('exclusion.details');
    });
  });

  describe('sending unprompted', () => {
    it("cannot reach a head before they have messaged the bot, then sends to their one-to-one chat as a new message", async () => {
      const channel = teamsSender(store, adapter, '');
      const [peapId] = await openPeaps('DEMO-003');
      await expect(channel.send('demo-head', [await assistant.prompt(peapId!)])).rejects.toThrow('demo-head has not been seen in Teams yet');
      expect(sent()).toEqual([]);

      await say('hello');
      sent();
      await channel.send('demo-head', [await assistant.prompt(peapId!)]);
      const [prompt, ...rest] = sent();
      expect(rest).toEqual([]);
      expect(prompt).toMatchObject({ type: 'message', conversation: { id: `chat-${HEAD.id}` }, recipient: HEAD });
      expect(prompt?.replyToId).toBeUndefined();
      const card = cardOf(prompt);
      expect(texts(card)[0]).toBe('Action needed · Pre-exclusion assessment — DEMO-003');
      expect(executeActions(card)).toEqual([expect.objectContaining({ title: 'Start the PEAP', data: { verb: 'peap.resume', caseId: peapId } })]);
    });
  });

  /** Opens a PEAP as the rules do for each pupil, in order; each queues a prompt for the head. */
  async function openPeaps(...pupilIds: string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const pupilId of pupilIds) {
      const trigger = { key: `${pupilId}/test`, ruleId: 'peap.required', ruleVersion: 1, explanation: 'a test trigger' };
      const input = { pupilId, schoolId: 'DEMO-SCH', openedBy: 'trigger', trigger, halfTerm: '2025/26 spring-2', exclusionIds: [] };
      ids.push((await store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId, openKey: trigger.key, input })).case.id);
    }
    return ids;
  }

  describe('the staff notifier over Teams', () => {
    const at = (time: string) => new Date(`${TODAY}T${time}Z`);
    let now: Date;
    const notifier = (channels: Channel[] = [teamsSender(store, adapter, '')]) => staffNotifier(store, assistant, channels, () => now);

    /** The card each delivery sent, by what it is about. */
    const delivered = () => sent().map((a) => texts(cardOf(a))[0]);

    beforeEach(() => {
      now = at('09:00:00');
    });

    it('delivers one prompt per case to the head exactly once, however often the outbox runs', async () => {
      const caseIds = await openPeaps('DEMO-003', 'DEMO-007');
      await say('hello');
      sent();
      const senders = notifier();

      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 2, failed: 0, waiting: 0 });
      const first = sent();
      expect(first.map((a) => texts(cardOf(a))[0])).toEqual(['Action needed · Pre-exclusion assessment — DEMO-003', 'Action needed · Pre-exclusion assessment — DEMO-007']);
      expect(first.map((a) => executeActions(cardOf(a))[0]?.data)).toEqual(caseIds.map((caseId) => ({ verb: 'peap.resume', caseId })));

      now = at('10:00:00');
      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 0, failed: 0, waiting: 0 });
      expect(sent()).toEqual([]);
    });

    it('keeps a prompt waiting until the head can be reached, then delivers it', async () => {
      await openPeaps('DEMO-003');
      const senders = notifier();
      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 0, failed: 0, waiting: 1 });
      expect((await store.outbox.entries()).map((e) => e.lastError)).toEqual(['no headteacher of school DEMO-SCH can be reached in a channel yet']);

      await say('hello');
      sent();
      now = at('09:05:00');
      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 1, failed: 0, waiting: 0 });
      expect(delivered()).toEqual(['Action needed · Pre-exclusion assessment — DEMO-003']);
      const [entry] = await store.outbox.entries();
      expect(entry).toMatchObject({ lastError: null, sentAt: expect.any(String) });
      expect(await store.outbox.deliveries()).toEqual([{ outboxId: entry!.id, channel: 'teams', staffId: 'demo-head' }]);
    });

    it('sends three prompts due together as one digest card listing each case', async () => {
      const caseIds = await openPeaps('DEMO-003', 'DEMO-007', 'DEMO-015');
      await say('hello');
      sent();
      const senders = notifier();

      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 3, failed: 0, waiting: 0 });
      const [digest, ...rest] = sent();
      expect(rest).toEqual([]);
      const card = cardOf(digest);
      expect(texts(card)[0]).toBe('3 cases have opened for your school and need your attention');
      const continues = executeActions(card).filter((a) => a.verb === 'peap.resume');
      expect(continues.map((a) => a.data.caseId).sort()).toEqual([...caseIds].sort());
      // Each message the digest carried is recorded as delivered, and sent.
      const entries = await store.outbox.entries({ kind: 'prompt-headteacher' });
      expect(entries.map((e) => e.caseId).sort()).toEqual([...caseIds].sort());
      expect(entries.every((e) => e.sentAt !== null && e.lastError === null)).toBe(true);
      expect(await store.outbox.deliveries()).toEqual(entries.map((e) => ({ outboxId: e.id, channel: 'teams', staffId: 'demo-head' })));

      now = at('10:00:00');
      expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 0, failed: 0, waiting: 0 });
      expect(sent()).toEqual([]);
    });

    it("sends the first morning's backlog from the rules as one card, PEAPs first", async () => {
      await evaluateStoredPupils(store, { asOf: TODAY });
      const n = (await store.outbox.entries({ kind: 'prompt-headteacher' })).length;
      await say('hello');
      sent();

      expect(await store.deliverOutbox(notifier(), now)).toMatchObject({ sent: n, failed: 0 });
      const [digest, ...rest] = sent();
      expect(rest).toEqual([]);
      const lines = texts(cardOf(digest));
      expect(lines[0]).toBe(`${n} cases have opened for your school and need your attention`);
      // A page of the backlog, PEAPs first, with the way to the rest rather than dropping them silently.
      const titles = lines.flatMap((t) => t.match(/^\*\*(.+?) — /)?.slice(1) ?? []);
      expect(titles).toHaveLength(Math.min(n, CASES_PER_PAGE));
      expect(titles.indexOf('Pre-exclusion assessment')).toBe(0);
      expect(titles.filter((t) => t === 'Pre-exclusion assessment').length).toBe(Math.min(CASES_PER_PAGE, titles.length, (await store.cases.list(SYSTEM)).filter((c) => c.kind === 'peap').length));
      if (n > CASES_PER_PAGE) {
        expect(lines).toContainEqual(`PEAPs first. ${n - CASES_PER_PAGE} more are in your cases.`);
        expect(executeActions(cardOf(digest)).map((a) => a.title)).toContain('All my cases');
      }
    });
  });
});
