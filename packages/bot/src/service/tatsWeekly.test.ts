/**
 * The weekly list's schedule and message: TATS_WEEKLY_AT read (and refused in words), the meeting's
 * day and time in England's time whatever the season, and the message a long or empty list makes.
 * Its delivery through the channels is proven end to end in tests/teams-replay/weeklyList.test.ts
 * and tests/slack-replay/weeklyList.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultRulePack } from '@before-exclusion/rules';
import { SYSTEM as SYSTEM_ACTOR, type CaseStore, type TatsEntry, type TatsList } from '@before-exclusion/workflows';
import type { Channel } from '../conversation/channel.js';
import type { Reply } from '../conversation/replies.js';
import { BACKENDS, demoStore, silentLogger } from '../testing/fixtures.js';
import { messageBlocks } from '../slack/blocks.js';
import { replyCard } from '../teams/cards.js';
import { ConfigError, loadConfig } from './config.js';
import { meetingOn, parseMeetingTime, scheduleWeeklyList, TATS_WEEKLY, WEEKLY_LIST_SHOWN, weeklyListReply, weeklyListSender } from './tatsWeekly.js';

const MONDAY_8 = { day: 'monday', hour: 8, minute: 0 } as const;

describe('the meeting time (TATS_WEEKLY_AT)', () => {
  it('reads a weekday and a 24-hour time in any case, or off', () => {
    expect(parseMeetingTime('Monday 08:00')).toEqual(MONDAY_8);
    expect(parseMeetingTime(' thursday  7:45 ')).toEqual({ day: 'thursday', hour: 7, minute: 45 });
    expect(parseMeetingTime('OFF')).toBe('off');
    for (const bad of ['monday', '08:00', 'mon 08:00', 'monday 24:00', 'monday 8am', 'funday 08:00']) expect(parseMeetingTime(bad)).toBeUndefined();
  });

  it('is Monday 08:00 by default, and a setting it cannot read stops the service naming it and what is accepted', () => {
    expect(loadConfig({}).TATS_WEEKLY_AT).toEqual(MONDAY_8);
    expect(loadConfig({ TATS_WEEKLY_AT: 'off' }).TATS_WEEKLY_AT).toBe('off');
    expect(() => loadConfig({ TATS_WEEKLY_AT: 'mondays at 8' })).toThrow(ConfigError);
    try {
      loadConfig({ TATS_WEEKLY_AT: 'mondays at 8' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual(['TATS_WEEKLY_AT is "mondays at 8": expected a day and a time in England on the 24-hour clock, such as "monday 08:00", or "off"']);
    }
  });

  it("comes at the time in England: 08:00 GMT in winter, 07:00 UTC in summer; not before, and not on another day", () => {
    expect(meetingOn(new Date('2026-03-23T07:59:59Z'), MONDAY_8)).toBeUndefined();
    expect(meetingOn(new Date('2026-03-23T08:00:00Z'), MONDAY_8)).toBe('2026-03-23');
    expect(meetingOn(new Date('2026-03-23T23:59:00Z'), MONDAY_8)).toBe('2026-03-23');
    // British Summer Time from 29 March 2026: 08:00 in England is 07:00 UTC.
    expect(meetingOn(new Date('2026-03-30T06:59:00Z'), MONDAY_8)).toBeUndefined();
    expect(meetingOn(new Date('2026-03-30T07:00:00Z'), MONDAY_8)).toBe('2026-03-30');
    // Sunday 23:30 UTC in summer is already Monday 00:30 in England: the day, but not yet the time.
    expect(meetingOn(new Date('2026-06-07T23:30:00Z'), { day: 'monday', hour: 0, minute: 15 })).toBe('2026-06-08');
    expect(meetingOn(new Date('2026-03-24T08:00:00Z'), MONDAY_8)).toBeUndefined();
  });
});

const entry = (pupilId: string, change: TatsEntry['change'], over: Partial<TatsEntry> = {}): TatsEntry => ({
  pupilId,
  schoolId: 'SCH-A',
  reasons: [{ reason: 'peap.required', title: 'PEAP required', detail: 'two suspensions in one half-term' }],
  since: change === 'new' ? 'new' : 'still',
  change,
  reasonsAdded: [],
  reasonsGone: [],
  actions: [],
  ...over,
});
const list = (entries: TatsEntry[], steppedOff: TatsList['steppedOff'] = []): TatsList => ({ week: '2026-03-23', lastWeek: '2026-03-16', schools: ['SCH-A'], entries, steppedOff });

describe('the weekly list as a message', () => {
  it('puts NEW and CHANGED first, words every reason (gone ones too), and keeps each open action with its owner and date', () => {
    const reply = weeklyListReply(
      list(
        [
          entry('P1', 'still'),
          entry('P2', 'changed', { reasonsAdded: ['attendance.persistent-absence'], reasons: [{ reason: 'attendance.persistent-absence', title: 'Persistent absence', detail: '' }], reasonsGone: ['peap.required'] }),
          entry('P3', 'new', { actions: [{ caseId: 'c1', action: 'Escalate to a PEAP', owner: 'head-a', dueDate: '2026-03-20', overdue: true }] }),
        ],
        [{ pupilId: 'P9', schoolId: 'SCH-A', reasons: ['ebsna.referral-suggested'] }],
      ),
      'School A',
      defaultRulePack(),
      'https://x.example/workspace/support?school=SCH-A',
    );
    expect(reply.pupils.map((p) => [p.pupilId, p.change])).toEqual([['P3', 'new'], ['P2', 'changed'], ['P1', 'still']]);
    expect(reply.pupils[1]).toMatchObject({ reasons: [{ title: 'Persistent absence', newThisWeek: true }], reasonsGone: ['PEAP required'] });
    expect(reply.pupils[0]!.actions).toEqual([{ action: 'Escalate to a PEAP', owner: 'head-a', dueDate: '2026-03-20', overdue: true }]);
    expect(reply.steppedOff).toEqual([{ pupilId: 'P9', reasons: [expect.stringMatching(/EBSNA/i)] }]);
    expect(reply.counts).toEqual({ on: 3, new: 1, changed: 1, off: 1, heldOff: 0 });
  });

  it('says who is back after a step down, who was stepped down off the list, and how many the step downs hold off', () => {
    const back = entry('P1', 'new', { steppedDown: { on: '2026-03-02', caseId: 'a1', backBecause: ['peap.required'] } });
    const tats = { ...list([back], [{ pupilId: 'P2', schoolId: 'SCH-A', reasons: ['peap.required'], steppedDownOn: '2026-03-16' }]), heldOff: [{ pupilId: 'P3', schoolId: 'SCH-A', on: '2026-03-09', caseId: 'a3' }] };
    const reply = weeklyListReply(tats, 'School A', defaultRulePack());
    expect(reply.counts).toEqual({ on: 1, new: 1, changed: 0, off: 1, heldOff: 1 });
    const card = JSON.stringify(replyCard([reply]));
    expect(card).toContain('**P1** · NEW · BACK after the step down of Monday 2 Mar 2026');
    expect(card).toContain('P2 — was: PEAP required (stepped down Monday 16 Mar 2026)');
    expect(card).toContain('1 on the list: 1 new, 0 changed; 1 off it since Monday 16 Mar 2026; 1 held off after a step down');
    const slack = JSON.stringify(messageBlocks([reply]));
    expect(slack).toContain('*P1* · :new: NEW · BACK after the step down of Monday 2 Mar 2026');
    expect(slack).toContain('(stepped down Monday 16 Mar 2026)');
  });

  it(`shows the first ${WEEKLY_LIST_SHOWN} of a long list and counts the whole`, () => {
    const many = Array.from({ length: 40 }, (_, i) => entry(`P${String(i).padStart(2, '0')}`, i % 2 ? 'new' : 'still'));
    const reply = weeklyListReply(list(many), 'School A', defaultRulePack());
    expect(reply.pupils).toHaveLength(WEEKLY_LIST_SHOWN);
    expect(reply.counts).toEqual({ on: 40, new: 20, changed: 0, off: 0, heldOff: 0 });
    expect(reply.pupils.slice(0, 20).every((p) => p.change === 'new')).toBe(true);
    expect(reply.workspaceUrl).toBeUndefined();
  });

  it('fits one Teams card and one Slack message however long the list, every shown pupil under its own id', () => {
    const action = { caseId: 'c', action: 'Refer to the EBSNA panel', owner: 'a-very-long-owner-name-of-a-service', dueDate: '2026-03-27', overdue: false };
    const many = Array.from({ length: 300 }, (_, i) => entry(`P${String(i).padStart(3, '0')}`, 'new', { actions: [action, action, action] }));
    const reply = weeklyListReply(list(many, many.map((e) => ({ pupilId: `X${e.pupilId}`, schoolId: 'SCH-A', reasons: ['peap.required'] }))), 'School A', defaultRulePack(), 'https://x.example/w');
    const blocks = messageBlocks([reply]);
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks.filter((b) => String(b.block_id ?? '').startsWith('weekly-list-pupil-'))).toHaveLength(WEEKLY_LIST_SHOWN);
    expect(JSON.stringify(blocks)).toContain('275 more on the list: see the workspace.');
    const card = JSON.stringify(replyCard([reply]));
    // Teams refuses a message over about 28 KB.
    expect(Buffer.byteLength(card)).toBeLessThan(28_000);
    expect(card.match(/"id":"weekly-list-pupil-/g)).toHaveLength(WEEKLY_LIST_SHOWN);
    expect(card).toContain('275 more on the list: see the workspace.');
  });

  it('says in one line that nobody is on the list, and nobody left it', () => {
    const reply = weeklyListReply(list([]), 'School A', defaultRulePack());
    const texts = JSON.stringify(replyCard([reply]).body);
    expect(texts).toContain('Nobody is on the list this week, and nobody left it since last week.');
    expect(messageBlocks([reply]).map((b) => b.type)).toEqual(['header', 'section']);
  });
});

/** A channel at the test's edge: whom it can reach, and what it was sent. */
function recordingChannel(name: string, reachable: Set<string>) {
  const sent: { staffId: string; replies: readonly Reply[] }[] = [];
  const channel: Channel = { name, canReach: async (id) => reachable.has(id), send: async (staffId, replies) => void sent.push({ staffId, replies }) };
  return { channel, sent };
}

describe.each(BACKENDS)('the weekly list delivered from the outbox (%s store)', (backend) => {
  let store: CaseStore;
  const before = new Date('2026-03-23T07:59:00Z');
  const at = new Date('2026-03-23T08:00:00Z');
  let today = '2026-03-23';

  beforeEach(async () => {
    ({ store } = await demoStore({ evaluate: false, backend }));
    today = '2026-03-23';
  });
  afterEach(() => store.close());

  const senderFor = (channels: Channel[]) =>
    weeklyListSender({ store, channels, queues: new Map(), clock: () => at, today: () => today, rules: defaultRulePack(), workspaceUrl: () => 'http://localhost:3978/workspace', log: silentLogger });

  it('queues one list per school at the meeting time, sends one to each person who meets, once — and nothing while audit writes are stopped', async () => {
    const schedule = scheduleWeeklyList(store, MONDAY_8, silentLogger);
    await schedule.queueDue(before);
    expect(await store.outbox.entries({ kind: TATS_WEEKLY })).toEqual([]);
    await schedule.queueDue(at);
    await scheduleWeeklyList(store, MONDAY_8, silentLogger).queueDue(at); // another instance
    expect((await store.outbox.entries({ kind: TATS_WEEKLY })).map((e) => e.idempotencyKey)).toEqual(['tats-weekly/DEMO-SCH/2026-03-23']);

    const teams = recordingChannel('teams', new Set(['demo-head', 'demo-officer']));
    const senders = senderFor([teams.channel]);
    store.audit.stopWrites('the audit trail did not verify (test)');
    expect(await store.deliverOutbox(senders, at)).toEqual({ sent: 0, failed: 0, waiting: 0 });
    expect(teams.sent).toEqual([]);
    store.audit.stopWrites(undefined);

    expect(await store.deliverOutbox(senders, at)).toMatchObject({ sent: 1, failed: 0 });
    expect(teams.sent.map((s) => [s.staffId, s.replies.map((r) => r.type)])).toEqual([
      ['demo-head', ['weekly-list']],
      ['demo-officer', ['weekly-list']],
    ]);
    const reply = teams.sent[0]!.replies[0] as Extract<Reply, { type: 'weekly-list' }>;
    expect(reply).toMatchObject({ schoolName: 'Demo Academy (fictional)', week: '2026-03-23', workspaceUrl: 'http://localhost:3978/workspace/support?school=DEMO-SCH&week=2026-03-23' });
    // Each delivery is that person's read of the school's cases.
    const reads = (await store.audit.entriesOf('case-list-read')).map((r) => [r.actor, (r.data as { filter: unknown }).filter]);
    expect(reads).toEqual([
      ['demo-head', { schoolId: 'DEMO-SCH' }],
      ['demo-officer', { schoolId: 'DEMO-SCH' }],
    ]);
    await store.outbox.retryUnsentNow(at);
    await store.deliverOutbox(senders, at);
    expect(teams.sent).toHaveLength(2);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('waits while nobody who meets can be reached, and goes once someone can; a list whose next week has come is dropped unsent', async () => {
    await scheduleWeeklyList(store, MONDAY_8, silentLogger).queueDue(at);
    const reachable = new Set<string>();
    const teams = recordingChannel('teams', reachable);
    expect(await store.deliverOutbox(senderFor([teams.channel]), at)).toMatchObject({ sent: 0, waiting: 1 });
    reachable.add('demo-officer');
    await store.outbox.retryUnsentNow(at);
    expect(await store.deliverOutbox(senderFor([teams.channel]), at)).toMatchObject({ sent: 1 });
    expect(teams.sent.map((s) => s.staffId)).toEqual(['demo-officer']);

    // Next Monday's list supersedes one still waiting from last week.
    await store.staff.upsertSchool({ id: 'OTHER-SCH', name: 'Other School' }, SYSTEM_ACTOR);
    await store.staff.upsert({ id: 'other-head', displayName: 'Other Head', role: 'headteacher', schoolIds: ['OTHER-SCH'] }, SYSTEM_ACTOR);
    await scheduleWeeklyList(store, MONDAY_8, silentLogger).queueDue(at);
    reachable.add('other-head');
    today = '2026-03-30';
    await store.outbox.retryUnsentNow(at);
    expect(await store.deliverOutbox(senderFor([teams.channel]), at)).toMatchObject({ sent: 1 });
    expect(teams.sent.map((s) => s.staffId)).toEqual(['demo-officer']);
  });
});

