/**
 * The week's list for the team around the school, as the people who meet receive it in Teams: the
 * service as `pnpm start` runs it (the demo school, TATS_WEEKLY_AT=monday 08:00), its clock set by
 * the test to Monday 23 March 2026 before eight and then moved past it, a fake Bot Connector on
 * loopback. The demo head and the demo inclusion officer each get exactly one card in their
 * one-to-one chat; the pupils on it are exactly those an evaluation made here selects — the rules
 * library's evaluator over the list's triggers, the children in care without a Boxall Profile and
 * plan, the support plans whose review falls due in the week — worked out in this file, not by
 * the workflows' list; an open action shows under its pupil; each delivery is that person's
 * audited read; and a second instance on the same database sends nobody the list again. On
 * SQLite, and on PostgreSQL when there is a server (there two instances tick through the meeting
 * time together, and a third joins later).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, defaultRulePack, leftBefore, RulesEvaluator } from '../../packages/rules/dist/index.js';
import { CaseStore, openByHand, SYSTEM, TATS_TRIGGERS } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector, type SentActivity } from '../support/fakeConnector.js';
import { backends } from '../support/postgres.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, type ServiceDatabase } from '../support/stores.js';
import { cardOf, cardText, elements, installActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const officer: TeamsUser = { id: '29:demo-officer', name: 'Demo Officer', aadObjectId: '7b1e9c4d-2a3f-4e5b-9c6d-1f2a3b4c5d6e' };
const HEAD_CHAT = 'a:demo-head-personal-chat';
const OFFICER_CHAT = 'a:demo-officer-personal-chat';
const SCHOOL = 'DEMO-SCH';
/** A Monday in term: the meeting's day. England is on GMT until 29 March, so 08:00 there is 08:00 UTC. */
const WEEK = '2026-03-23';
const BEFORE = `${WEEK}T07:50:00Z`;
const AFTER = `${WEEK}T08:00:05Z`;
/** Shown on the card under a container of its own; the test reads who is on the list from them. */
const PUPIL_ID_PREFIX = 'weekly-list-pupil-';

const shiftedClock = pathToFileURL(join(root, 'tests/support/shiftedClock.mjs')).href;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The weekly lists the bot sent, by conversation. */
function weeklyCards(connector: FakeConnector): SentActivity[] {
  return connector.sent.filter((a) => a.method === 'POST' && a.activity.attachments?.length && cardText(cardOf(a.activity)).startsWith('Team around the school'));
}

/** The pupils a card lists, by the ids of their containers. */
function pupilsOn(sent: SentActivity): string[] {
  return elements(cardOf(sent.activity))
    .map((e) => e.id)
    .filter((id): id is string => typeof id === 'string' && id.startsWith(PUPIL_ID_PREFIX))
    .map((id) => id.slice(PUPIL_ID_PREFIX.length))
    .sort();
}

/**
 * Who the week's list should hold, worked out here from the record: each pupil the rules library's
 * evaluator finds meeting one of the list's triggers on the meeting's date; each child in care with
 * no support plan holding a Boxall Profile and a plan; each open support plan whose review falls
 * due by the end of the week.
 */
async function selectedByTheRules(store: CaseStore): Promise<Set<string>> {
  const evaluator = new RulesEvaluator(defaultRulePack());
  const calendar = await store.pupils.calendarFor(SCHOOL, WEEK);
  if (!calendar) throw new Error('the demo school has no calendar for the week');
  const plans = (await store.cases.list(SYSTEM, { schoolId: SCHOOL })).filter((c) => c.kind === 'support-plan');
  const boxallAndPlan = new Set(
    plans.filter((p) => (p.context.plans as unknown[]).length > 0 && (p.context.measures as { measure: string }[]).some((m) => m.measure === 'boxall')).map((p) => p.pupilId),
  );
  const selected = new Set<string>();
  for (const record of await store.pupils.inSchools([SCHOOL])) {
    if (leftBefore(record, WEEK)) continue;
    const triggers = await evaluator.evaluate(record, calendar, WEEK);
    if (triggers.some((t) => TATS_TRIGGERS.includes(t.trigger))) selected.add(record.id);
    if (record.lookedAfter && !boxallAndPlan.has(record.id)) selected.add(record.id);
  }
  for (const plan of plans) {
    const due = plan.context.nextReviewDue as string | undefined;
    if (plan.status === 'active' && due && due <= addDays(WEEK, 6)) selected.add(plan.pupilId);
  }
  return selected;
}

describe.each(backends())('the weekly list arrives in Teams as one card to each person who meets (%s store)', (backend) => {
  let connector: FakeConnector;
  let db: ServiceDatabase;
  let dir: string;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];
  /** The pupil given a support plan whose review falls due this week (and on the list for nothing else). */
  let planned = '';
  /** A pupil on the list with an action agreed last week and now overdue. */
  let acted = '';
  let expected: string[] = [];

  const clockFile = () => join(dir, 'clock');
  const setClock = (iso: string) => writeFileSync(clockFile(), String(Date.parse(iso) - Date.now()));
  /** The store as the service left it, at the test's clock (the meeting's morning). */
  const withStoreAt = async <T>(read: (store: CaseStore) => Promise<T>): Promise<T> => {
    const store = await CaseStore.open({ url: db.url, anchorPath: db.anchorPath, anchorKey: db.anchorKey, clock: () => new Date(`${WEEK}T07:55:00Z`) });
    try {
      return await read(store);
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dir = dataDir('weekly-');
    db = await serviceDatabase(backend, dir, 'weekly');
    setClock(BEFORE);
    env = { ...db.env, SCHOOL_DATE: WEEK, TATS_WEEKLY_AT: 'monday 08:00', TEST_CLOCK_FILE: clockFile() };
    connector = await startFakeConnector();
    services.push(await startService(dir, env, ['--import', shiftedClock]));
    // On PostgreSQL a council runs several instances: two here, both ticking when the meeting time comes.
    if (backend === 'postgres') services.push(await startService(dir, env, ['--import', shiftedClock]));
    // Both install the bot in a one-to-one chat: from then on they can be reached.
    await post(services[0]!.url, installActivity(head, connector.url, HEAD_CHAT));
    await post(services[0]!.url, installActivity(officer, connector.url, OFFICER_CHAT));
    await connector.waitFor(2);

    // A support plan whose review falls due on Wednesday, for a pupil no trigger puts on the list.
    await withStoreAt(async (store) => {
      const onTheirOwn = await selectedByTheRules(store);
      planned = (await store.pupils.inSchools([SCHOOL])).map((r) => r.id).find((id) => !onTheirOwn.has(id))!;
      const headActor = await store.staff.actorFor('demo-head');
      const { case: plan } = await openByHand(store, headActor, 'support-plan', planned, WEEK);
      await store.cases.send(headActor, { id: plan.id, kind: 'support-plan' }, [
        { type: 'ASSESS', assessedOn: '2026-03-13' },
        { type: 'AGREE_PLAN', intervention: 'mentoring', provider: 'School', startDate: '2026-03-16', reviewDue: '2026-03-25' },
      ] as never);
      // An action agreed at last week's meeting for a pupil on the list, now past its date.
      acted = [...onTheirOwn].sort()[0]!;
      await openByHand(store, headActor, 'tats-action', acted, WEEK, { action: 'attendance-meeting', owner: 'EWO', agreedOn: '2026-03-16', dueDate: '2026-03-20' });
      expected = [...(await selectedByTheRules(store))].sort();
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => undefined);
    await connector?.close();
  });

  it('sends nothing before the meeting time', async () => {
    await sleep(2_000); // four ticks
    expect(weeklyCards(connector)).toEqual([]);
    const reads = await withStoreAt((store) => store.audit.entriesOf('case-list-read'));
    expect(reads.filter((r) => (r.data as { filter?: { schoolId?: string } }).filter?.schoolId === SCHOOL)).toEqual([]);
  });

  it('at the meeting time, the head and the officer each get exactly one card, listing exactly the pupils the rules select', async () => {
    setClock(AFTER);
    for (const until = Date.now() + 20_000; weeklyCards(connector).length < 2 && Date.now() < until; ) await sleep(50);
    await sleep(1_500); // and nothing more comes
    const cards = weeklyCards(connector);
    expect(cards.map((c) => c.conversationId).sort()).toEqual([HEAD_CHAT, OFFICER_CHAT].sort());

    expect(expected).toContain(planned);
    expect(expected.length).toBeGreaterThan(1);
    // All of them shown: the demo's list is shorter than a card's 25.
    expect(expected.length).toBeLessThanOrEqual(25);
    for (const card of cards) {
      expect(pupilsOn(card)).toEqual(expected);
      const text = cardText(cardOf(card.activity));
      expect(text).toContain('Team around the school · Demo Academy (fictional) · week of Monday 23 Mar 2026');
      expect(text).toMatch(new RegExp(`${expected.length} on the list: \\d+ new, \\d+ changed; \\d+ off it since Monday 16 Mar 2026`));
      // The pupil whose plan falls due is new on the list, for that reason; no name anywhere, only ids.
      const plannedBlock = elements(cardOf(card.activity)).find((e) => e.id === `${PUPIL_ID_PREFIX}${planned}`)!;
      expect(cardText(plannedBlock).split('\n')).toEqual([`**${planned}** · NEW`, 'Support plan review due']);
    }
    expect(cardText(cardOf(cards[0]!.activity))).toEqual(cardText(cardOf(cards[1]!.activity)));
    // The open action under its pupil: what, who, and that it is overdue.
    const actedBlock = elements(cardOf(cards[0]!.activity)).find((e) => e.id === `${PUPIL_ID_PREFIX}${acted}`)!;
    expect(cardText(actedBlock)).toContain('• an attendance meeting with the family — EWO, **OVERDUE** since Friday 20 Mar 2026');
  });

  it("records each delivery: the outbox's one message for the school and week, delivered to each, and each person's read audited", async () => {
    const { entries, deliveries, reads } = await withStoreAt(async (store) => ({
      entries: await store.outbox.entries({ kind: 'tats-weekly' }),
      deliveries: await store.outbox.deliveries(),
      reads: await store.audit.entriesOf('case-list-read'),
    }));
    expect(entries).toEqual([expect.objectContaining({ idempotencyKey: `tats-weekly/${SCHOOL}/${WEEK}`, payload: { schoolId: SCHOOL, week: WEEK }, sentAt: expect.any(String) })]);
    expect(deliveries.filter((d) => d.outboxId === entries[0]!.id)).toEqual([
      { outboxId: entries[0]!.id, channel: 'teams', staffId: 'demo-head' },
      { outboxId: entries[0]!.id, channel: 'teams', staffId: 'demo-officer' },
    ]);
    const listReads = reads.filter((r) => (r.data as { filter?: { schoolId?: string } }).filter?.schoolId === SCHOOL);
    expect(listReads.map((r) => [r.actor, r.role]).sort()).toEqual([
      ['demo-head', 'headteacher'],
      ['demo-officer', 'inclusion-officer'],
    ]);
  });

  it('a second instance on the same database sends nobody the list again', async () => {
    // One service per SQLite file: the second starts as the first stops; on PostgreSQL a third joins the two.
    if (backend === 'sqlite') await services[0]!.stop();
    const second = await startService(dir, env, ['--import', shiftedClock]);
    services.push(second);
    await sleep(3_000); // six ticks, each asking to queue the week's lists
    expect(weeklyCards(connector)).toHaveLength(2);
    const entries = await withStoreAt((store) => store.outbox.entries({ kind: 'tats-weekly' }));
    expect(entries).toHaveLength(1);
  });
});
