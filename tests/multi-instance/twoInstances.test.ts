/**
 * Two service instances (`pnpm start`'s build) on one PostgreSQL database behind a round-robin
 * proxy, as a council hosting every school would run them: 50 heads go through whole PEAP
 * interviews, their turns split across both instances; one instance is SIGKILLed mid-run and
 * started again. Afterwards every acknowledged answer is stored once, every prompt reached its
 * head once, every follow-up deadline fired once, and the audit chain verifies.
 *
 * Runs when TEST_DATABASE_URL names a PostgreSQL server (`pnpm test` starts a throwaway one).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseStore, SYSTEM, createPostgresDatabase } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/roundRobinProxy.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';

const SERVER = process.env.TEST_DATABASE_URL;
const HEADS = 50;
const SCHOOL_DATE = '2026-03-20';
const ANCHOR_KEY = 'test-anchor-key-0123456789abcdef';
const id = (i: number) => String(i + 1).padStart(3, '0');
const head = (i: number): TeamsUser => ({ id: `29:multi-head-${id(i)}`, name: `Multi Head ${id(i)}`, aadObjectId: `multi-aad-${id(i)}` });

describe.runIf(SERVER)('two instances on one PostgreSQL database', () => {
  let url: string;
  let dir: string;
  let env: Record<string, string>;
  let connector: FakeConnector;
  let proxy: RoundRobinProxy;
  const instances: ServiceProcess[] = [];

  const openStore = () => CaseStore.open({ url, anchorPath: join(dir, 'audit.anchor'), anchorKey: ANCHOR_KEY });

  beforeAll(async () => {
    url = await createPostgresDatabase(SERVER!, `multi_${randomBytes(6).toString('hex')}`);
    dir = dataDir('multi-');
    // A school per head, one pupil at risk each: the rules open a PEAP per school.
    const pupils = join(dir, 'pupils.ndjson');
    writeFileSync(pupils, Array.from({ length: HEADS }, (_, i) => JSON.stringify({ format: 'pupil-record/1', id: `MULTI-${id(i)}`, schoolId: `SCH-${id(i)}`, atRiskOfPermanentExclusion: true })).join('\n'));
    const store = await openStore();
    await store.pupils.import(SYSTEM, { pupils, calendar: join(root, 'packages/rules/data/calendars/england-2025-26.example.json') });
    for (let i = 0; i < HEADS; i++) {
      await store.staff.upsert({ id: `multi-head-${id(i)}`, displayName: `Multi Head ${id(i)}`, role: 'headteacher', schoolIds: [`SCH-${id(i)}`], teamsAadId: head(i).aadObjectId }, SYSTEM);
    }
    await store.close();

    connector = await startFakeConnector();
    // Both instances share the database and the anchor file (a shared volume), as a council's would.
    env = { DATABASE_URL: url, AUDIT_ANCHOR_FILE: join(dir, 'audit.anchor'), AUDIT_ANCHOR_KEY: ANCHOR_KEY, DEMO: 'off', SCHOOL_DATE, TICK_EVERY_SECONDS: '0.3' };
    instances.push(await startService(dir, env), await startService(dir, env));
    proxy = await startRoundRobinProxy(instances.map((s) => s.url));

    // The rules have run (on one instance) and opened every school's PEAP before the heads arrive.
    const check = await openStore();
    try {
      for (const until = Date.now() + 30_000; (await check.cases.list(SYSTEM, { status: 'active' })).length < HEADS; ) {
        if (Date.now() > until) throw new Error('the rules did not open a PEAP for every school');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await check.close();
    }
  }, 90_000);

  afterAll(async () => {
    for (const s of instances) await s.stop().catch(() => undefined);
    await proxy?.close();
    await connector?.close();
  });

  /** The prompts the heads received: proactive cards saying action is needed, by conversation. */
  const prompts = () => connector.sent.filter((a) => a.method === 'POST' && a.activity.attachments?.length && cardText(cardOf(a.activity)).includes('Action needed'));

  /** Posts through the proxy; a turn cut off by a dying instance is tried again, as Teams retries. */
  async function post(activity: { id: string }): Promise<any> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${proxy.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      if (res.status === 200) return text ? JSON.parse(text) : undefined;
      if (attempt >= 20) throw new Error(`HTTP ${res.status} after ${attempt} retries: ${text.slice(0, 200)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** One head's whole interview; resolves to the number of answers acknowledged. */
  async function interview(i: number): Promise<number> {
    const user = head(i);
    const conversation = `a:multi-${id(i)}`;
    let reply: Awaited<ReturnType<FakeConnector['waitForReplyTo']>> | undefined;
    for (let attempt = 0; !reply; attempt++) {
      const start = messageActivity(user, connector.url, conversation, `start peap MULTI-${id(i)}`);
      await post(start);
      reply = await connector.waitForReplyTo(start.id, 10_000).catch((error: unknown) => {
        if (attempt >= 3) throw error;
        return undefined; // the instance died before replying: say it again
      });
    }
    let card = cardOf(reply.activity);
    let answered = 0;
    while (/question \d+ of/.test(cardText(card))) {
      const data = { ...actionData(card, 'peap.answer'), answer: answerFor(card, `answer ${answered + 1} from head ${id(i)}`) };
      card = (await post(executeActivity(user, connector.url, conversation, 'card', 'peap.answer', data))).value;
      answered++;
    }
    const decide = { ...actionData(card, 'peap.decide'), decision: 'no-exclusion-support-plan', rationale: 'support plan agreed', followUpDate: SCHOOL_DATE };
    card = (await post(executeActivity(user, connector.url, conversation, 'card', 'peap.decide', decide))).value;
    if (!/Decision recorded|already/.test(cardText(card))) throw new Error(`head ${i}: no decision:\n${cardText(card)}`);
    return answered;
  }

  it('stores every answer once, prompts each head once, fires each deadline once — with an instance killed mid-run', async () => {
    const run = Promise.all(Array.from({ length: HEADS }, (_, i) => interview(i)));
    // Mid-run: every head has been prompted, interviews are under way on both instances.
    for (const until = Date.now() + 60_000; prompts().length < HEADS; ) {
      if (Date.now() > until) throw new Error(`only ${prompts().length} of ${HEADS} heads were prompted`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 300));
    await instances[0]!.kill();
    instances[0] = await startService(dir, env);
    proxy.targets = instances.map((s) => s.url);
    const answered = await run;
    expect(Math.min(...answered)).toBeGreaterThan(5);

    // Both instances tick every 0.3 s: wait until the follow-up deadlines (due today) have fired.
    const store = await openStore();
    try {
      let peaps = await store.cases.list(SYSTEM, {});
      for (const until = Date.now() + 30_000; peaps.some((c) => c.state !== 'follow-up-review'); peaps = await store.cases.list(SYSTEM, {})) {
        if (Date.now() > until) throw new Error(`cases not at follow-up review: ${peaps.filter((c) => c.state !== 'follow-up-review').map((c) => `${c.id} ${JSON.stringify(c.state)}`).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(peaps).toHaveLength(HEADS);
      for (const view of peaps) {
        const trail = await store.audit.entriesFor(view.id);
        const events = trail.filter((r) => r.action === 'event');
        // Each acknowledged answer once: one audited event per answer saved, none twice.
        const answers = events.filter((r) => r.event === 'ANSWER' || r.event === 'SCHEDULE_MEETING');
        const peap = await store.cases.get(SYSTEM, view.id, 'peap');
        expect(answers.length).toBe(Object.keys(peap.context.answers).length + (peap.context.meetingDate ? 1 : 0));
        expect(events.filter((r) => r.event === 'DECIDE')).toHaveLength(1);
        // The follow-up deadline fired once.
        expect(events.filter((r) => r.event === 'DEADLINE_REACHED')).toHaveLength(1);
        expect(view.deadlines.find((d) => d.key === 'follow-up')?.status).toBe('fired');
      }
      // Each head prompted once in Teams: one proactive card per conversation.
      const perConversation = new Map<string, number>();
      for (const p of prompts()) perConversation.set(p.conversationId, (perConversation.get(p.conversationId) ?? 0) + 1);
      expect([...perConversation.values()].every((n) => n === 1), JSON.stringify([...perConversation].filter(([, n]) => n !== 1))).toBe(true);
      expect(perConversation.size).toBe(HEADS);
      expect(await store.outbox.deliveries()).toHaveLength(HEADS);
      // Both instances served turns, and the chain they wrote together is one chain.
      expect([...proxy.served.values()].filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      expect(await store.audit.verify()).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  }, 180_000);
});
