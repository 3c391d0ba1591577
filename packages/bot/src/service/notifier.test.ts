import { CASE_SENT, SYSTEM, type CaseStore } from '@before-exclusion/workflows';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../conversation/channel.js';
import type { Reply } from '../conversation/replies.js';
import { BACKENDS, demoAssistant, demoStore, TODAY } from '../testing/fixtures.js';
import { ChannelQueue } from './channelQueue.js';
import { staffNotifier } from './notifier.js';

/** A channel on a test's terms: whom it can reach, and what a send does (answer, hang or fail). */
function fakeChannel(name: string, behaviour: { reachable?: boolean; send?: 'answer' | 'hang' | 'fail' } = {}) {
  const sent: { staffId: string; replies: readonly Reply[]; at: number }[] = [];
  const state = { reachable: behaviour.reachable ?? true, send: behaviour.send ?? 'answer', hanging: 0 };
  const channel: Channel = {
    name,
    canReach: async (staffId) => state.reachable && staffId === 'demo-head',
    send: async (staffId, replies) => {
      if (state.send === 'hang') {
        state.hanging++;
        return new Promise<void>(() => {});
      }
      if (state.send === 'fail') throw new Error(`${name} answered 503`);
      sent.push({ staffId, replies, at: Date.now() });
    },
  };
  return { channel, sent, state };
}

describe.each(BACKENDS)('the staff notifier, each channel from its own queue (%s store)', (backend) => {
  let store: CaseStore;
  const now = new Date(`${TODAY}T09:00:00Z`);

  beforeEach(async () => {
    ({ store } = await demoStore({ evaluate: false, backend }));
  });
  afterEach(() => store.close());

  /** Opens a PEAP as the rules do; each queues a prompt for the head. */
  async function openPeap(pupilId: string): Promise<string> {
    const trigger = { key: `${pupilId}/test`, ruleId: 'peap.required', ruleVersion: 1, explanation: 'a test trigger' };
    const input = { pupilId, schoolId: 'DEMO-SCH', openedBy: 'trigger', trigger, halfTerm: '2025/26 spring-2', exclusionIds: [] };
    return (await store.cases.open(SYSTEM, { kind: 'peap', schoolId: 'DEMO-SCH', pupilId, openKey: trigger.key, input })).case.id;
  }

  it('audits each case shown in a message: who received it, in which channel, once — and sends nothing while writes are stopped', async () => {
    const caseId = await openPeap('DEMO-003');
    const teams = fakeChannel('teams');
    const slack = fakeChannel('slack');
    const senders = staffNotifier(store, demoAssistant(store), [teams.channel, slack.channel], () => now);
    store.audit.stopWrites('the audit trail did not verify (test)');
    expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 0, failed: 0, waiting: 0 });
    expect(teams.sent.length + slack.sent.length).toBe(0);
    store.audit.stopWrites(undefined);

    expect(await store.deliverOutbox(senders, now)).toMatchObject({ sent: 1, failed: 0 });
    const shown = (await store.audit.entriesFor(caseId)).filter((r) => r.action === CASE_SENT);
    // One row per channel, in whichever order the two channels answered.
    expect(shown.map((r) => [r.actor, r.role, r.data])).toEqual(
      expect.arrayContaining([
        ['demo-head', 'headteacher', { channel: 'teams', message: 'prompt-headteacher' }],
        ['demo-head', 'headteacher', { channel: 'slack', message: 'prompt-headteacher' }],
      ]),
    );
    expect(shown).toHaveLength(2);
    await store.outbox.retryUnsentNow(now);
    await store.deliverOutbox(senders, now);
    expect((await store.audit.entriesFor(caseId)).filter((r) => r.action === CASE_SENT)).toHaveLength(2);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('sends to Teams at once while Slack hangs, and a retry sends to Slack alone', async () => {
    await openPeap('DEMO-003');
    const teams = fakeChannel('teams');
    const slack = fakeChannel('slack', { send: 'hang' });
    const queues = new Map([['slack', new ChannelQueue('slack', { sendTimeoutMs: 2_000 })]]);
    const senders = staffNotifier(store, demoAssistant(store), [slack.channel, teams.channel], () => now, queues);

    const started = Date.now();
    expect(await store.deliverOutbox(senders, now)).toEqual({ sent: 0, failed: 1, waiting: 0 });
    expect(teams.sent).toHaveLength(1);
    // Slack is first in the list, and hangs: Teams did not wait out Slack's 2 s.
    expect(teams.sent[0]!.at - started).toBeLessThan(1_000);
    const [entry] = await store.outbox.entries();
    expect(entry!.lastError).toMatch(/^not delivered: slack to demo-head: slack did not answer within 2000 ms/);
    expect(await store.outbox.deliveries()).toEqual([{ outboxId: entry!.id, channel: 'teams', staffId: 'demo-head' }]);

    // Slack answers again: the retry reaches Slack, and Teams does not get the prompt twice.
    slack.state.send = 'answer';
    expect(await store.deliverOutbox(senders, new Date(now.getTime() + 60 * 60_000))).toEqual({ sent: 1, failed: 0, waiting: 0 });
    expect(teams.sent).toHaveLength(1);
    expect(slack.sent).toHaveLength(1);
  });

  it('sends to a head who becomes reachable in Teams while Slack holds the message up, without waiting for Slack', async () => {
    await openPeap('DEMO-003');
    const teams = fakeChannel('teams', { reachable: false });
    const slack = fakeChannel('slack', { send: 'hang' });
    const queues = new Map([
      ['slack', new ChannelQueue('slack', { sendTimeoutMs: 3_000 })],
      ['teams', new ChannelQueue('teams')],
    ]);
    const senders = staffNotifier(store, demoAssistant(store), [slack.channel, teams.channel], () => now, queues);

    const delivering = store.deliverOutbox(senders, now);
    await new Promise((r) => setTimeout(r, 100));
    expect(teams.sent).toEqual([]);
    // The head installs the app in Teams: the service tells the Teams queue.
    const reached = Date.now();
    teams.state.reachable = true;
    queues.get('teams')!.someoneReachable();
    let settled = false;
    void delivering.then(() => (settled = true));
    while (teams.sent.length === 0 && !settled) await new Promise((r) => setTimeout(r, 10));
    // Sent while Slack still held its message up (3 s), not after.
    expect(teams.sent).toHaveLength(1);
    expect(settled).toBe(false);
    expect(teams.sent[0]!.at - reached).toBeLessThan(1_500);
    expect(await delivering).toEqual({ sent: 0, failed: 1, waiting: 0 });
    expect(teams.sent).toHaveLength(1);
  });

  it('lets a message go as it was when the service stops before its send started: not counted as a try', async () => {
    await openPeap('DEMO-003');
    await openPeap('DEMO-007');
    const slack = fakeChannel('slack', { send: 'hang' });
    const queue = new ChannelQueue('slack', { sendTimeoutMs: 300 });
    const senders = staffNotifier(store, demoAssistant(store), [slack.channel], () => now, new Map([['slack', queue]]));

    const delivering = store.deliverOutbox(senders, now);
    while (slack.state.hanging === 0) await new Promise((r) => setTimeout(r, 10)); // the first send hangs; the second waits its turn
    queue.stop();
    expect(await delivering).toEqual({ sent: 0, failed: 1, waiting: 1 });
    const [first, second] = await store.outbox.entries();
    expect(first).toMatchObject({ attempts: 1, lastError: expect.stringContaining('did not answer within 300 ms') });
    expect(second).toMatchObject({ attempts: 0, lastError: null, sentAt: null });
    // Due at once for the next start: another sender takes it straight away.
    const next = fakeChannel('slack');
    expect(await store.deliverOutbox(staffNotifier(store, demoAssistant(store), [next.channel], () => now), now)).toEqual({ sent: 1, failed: 0, waiting: 0 });
  });

  it('backs off from a channel that keeps failing: Slack is not called again until its probe, Teams is sent every prompt', async () => {
    for (const pupil of ['DEMO-003', 'DEMO-007', 'DEMO-015', 'DEMO-020']) await openPeap(pupil);
    const teams = fakeChannel('teams');
    let slackCalls = 0;
    const slack = fakeChannel('slack', { send: 'fail' });
    const counted: Channel = { ...slack.channel, send: (s, r) => (slackCalls++, slack.channel.send(s, r)) };
    const queues = new Map([['slack', new ChannelQueue('slack', { breaker: { failuresToOpen: 2, firstBackoffMs: 60_000 } })]]);
    // Four prompts: Teams gets them as one digest; Slack fails twice, then is skipped.
    const senders = staffNotifier(store, demoAssistant(store), [counted, teams.channel], () => now, queues);

    const result = await store.deliverOutbox(senders, now);
    expect(result.failed).toBe(4);
    expect(slackCalls).toBe(2);
    expect(queues.get('slack')!.health()).toMatchObject({ name: 'slack', state: 'backing-off', failures: 2 });
    expect(teams.sent).toHaveLength(1);
    expect((await store.outbox.deliveries()).filter((d) => d.channel === 'teams')).toHaveLength(4);
  });
});
