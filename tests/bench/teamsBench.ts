/**
 * Benchmark (not a test): N simulated headteachers (default 200), all at once, each completing a
 * whole pre-exclusion interview through the running service's `/api/messages` — a message, then
 * every question answered with `Action.Execute`, then the decision — against a fake connector
 * on loopback. Prints p50/p95/p99 and mean turn latency and turns/s, beside a bare echo bot on the same
 * adapter (teams-ai + botbuilder + express) driven with as many turns in the same run, then
 * checks the store: no answer lost or duplicated (exit code 1 if any). Every head waits for each
 * reply before the next turn, so at saturation the mean latency is about heads ÷ turns per second.
 *
 *   pnpm bench:bot [--heads 200]
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { CaseStore, SYSTEM, importPupils } from '../../packages/workflows/dist/index.js';
import { startFakeConnector } from '../support/fakeConnector.js';
import { dataDir, root, startServer, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';

const { values: args } = parseArgs({ options: { heads: { type: 'string', default: '200' } }, strict: true });
const HEADS = Number(args.heads);
if (!Number.isInteger(HEADS) || HEADS < 1) {
  console.error(`--heads expects a whole number above 0, found "${args.heads}"`);
  process.exit(2);
}

const id = (i: number) => String(i + 1).padStart(4, '0');
const head = (i: number): TeamsUser => ({ id: `29:bench-head-${id(i)}`, name: `Bench Head ${id(i)}`, aadObjectId: `bench-aad-${id(i)}` });

/** A school per head (so each sees only their pupil), one pupil at risk each, loaded before the service starts. */
async function prepare(dir: string): Promise<void> {
  const pupils = join(dir, 'pupils.ndjson');
  writeFileSync(pupils, Array.from({ length: HEADS }, (_, i) => JSON.stringify({ format: 'pupil-record/1', id: `BENCH-${id(i)}`, schoolId: `SCH-${id(i)}`, atRiskOfPermanentExclusion: true })).join('\n'));
  const store = CaseStore.open({ path: join(dir, 'cases.db'), anchorKey: 'bench-anchor-key' });
  await importPupils(store.db, store.audit, () => new Date(), SYSTEM, { pupils, calendar: join(root, 'packages/rules/data/calendars/england-2025-26.example.json') });
  for (let i = 0; i < HEADS; i++) {
    store.staff.upsert({ id: `bench-head-${id(i)}`, displayName: `Bench Head ${id(i)}`, role: 'headteacher', schoolIds: [`SCH-${id(i)}`], teamsAadId: head(i).aadObjectId }, SYSTEM);
  }
  store.close();
}

async function timedPost(url: string, activity: unknown, latencies: number[]): Promise<any> {
  const started = performance.now();
  const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  const text = await res.text();
  latencies.push(performance.now() - started);
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** One head's whole interview; returns the number of turns taken. */
async function interview(url: string, connectorUrl: string, i: number, latencies: number[], waitForReplyTo: (id: string) => Promise<{ activity: any }>): Promise<number> {
  const user = head(i);
  const conversation = `a:bench-${id(i)}`;
  const start = messageActivity(user, connectorUrl, conversation, `start peap BENCH-${id(i)}`);
  await timedPost(url, start, latencies);
  let card = cardOf((await waitForReplyTo(start.id)).activity);
  let turns = 1;
  while (/question \d+ of/.test(cardText(card))) {
    const data = { ...actionData(card, 'peap.answer'), answer: answerFor(card, `bench answer ${turns}`) };
    card = (await timedPost(url, executeActivity(user, connectorUrl, conversation, 'card', 'peap.answer', data), latencies)).value;
    turns++;
  }
  const decide = { ...actionData(card, 'peap.decide'), decision: 'no-exclusion-support-plan', rationale: 'bench', followUpDate: '2026-05-01' };
  card = (await timedPost(url, executeActivity(user, connectorUrl, conversation, 'card', 'peap.decide', decide), latencies)).value;
  if (!cardText(card).includes('Decision recorded')) throw new Error(`head ${i}: no decision recorded:\n${cardText(card)}`);
  return turns + 1;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function summary(name: string, latencies: number[], ms: number): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const f = (n: number) => n.toFixed(1).padStart(7);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  return `${name.padEnd(28)} turns ${String(latencies.length).padStart(6)}  p50 ${f(percentile(sorted, 50))} ms  p95 ${f(percentile(sorted, 95))} ms  p99 ${f(percentile(sorted, 99))} ms  mean ${f(mean)} ms  ${(latencies.length / (ms / 1000)).toFixed(0).padStart(6)} turns/s`;
}

async function main(): Promise<number> {
  const connector = await startFakeConnector();
  const dir = dataDir('bot-bench-');
  await prepare(dir);
  const servers: ServiceProcess[] = [];
  try {
    const service = await startService(dir, { DEMO: 'off', SCHOOL_DATE: '2026-03-20', TICK_EVERY_SECONDS: '3600' });
    servers.push(service);
    const echo = await startServer(join(root, 'packages/bot/dist/bench/echoBot.js'), dir);
    servers.push(echo);
    console.log(`bench: ${HEADS} heads at once, each through a whole PEAP interview; Node ${process.version}`);

    // The product: every head's interview, all concurrently.
    const product: number[] = [];
    let started = performance.now();
    const turns = await Promise.all(Array.from({ length: HEADS }, (_, i) => interview(service.url, connector.url, i, product, (a) => connector.waitForReplyTo(a))));
    const productMs = performance.now() - started;

    // The baseline: the same number of turns, by as many users at once, to a bare echo bot.
    const perUser = Math.round(turns.reduce((a, b) => a + b, 0) / HEADS);
    const baseline: number[] = [];
    started = performance.now();
    await Promise.all(
      Array.from({ length: HEADS }, async (_, i) => {
        for (let t = 0; t < perUser; t++) await timedPost(echo.url, messageActivity(head(i), connector.url, `a:echo-${id(i)}`, `turn ${t}`), baseline);
      }),
    );
    const baselineMs = performance.now() - started;

    console.log(summary('product (PEAP interview)', product, productMs));
    console.log(summary('baseline (bare echo bot)', baseline, baselineMs));
    const p50 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 50);
    console.log(`ratio: p50 latency ${(p50(product) / p50(baseline)).toFixed(2)}× the echo bot's; throughput ${((product.length / productMs) / (baseline.length / baselineMs)).toFixed(2)}× the echo bot's`);

    // Every answer saved exactly once: each case decided, its answers all there, one audited event per answer.
    const db = new Database(join(dir, 'cases.db'), { readonly: true });
    const cases = db.prepare("SELECT id, state, snapshot FROM cases WHERE kind = 'peap'").all() as { id: string; state: string; snapshot: string }[];
    const events = db.prepare("SELECT case_id, COUNT(*) AS n FROM audit_log WHERE action = 'event' AND event IN ('ANSWER', 'SCHEDULE_MEETING') GROUP BY case_id").all() as { case_id: string; n: number }[];
    db.close();
    const eventsOf = new Map(events.map((e) => [e.case_id, e.n]));
    let lost = 0;
    let duplicated = 0;
    for (const c of cases) {
      const context = JSON.parse(c.snapshot).context;
      const saved = Object.keys(context.answers).length + (context.meetingDate ? 1 : 0);
      const expected = (turns[0] ?? 2) - 2;
      if (JSON.parse(c.state) !== 'decided' || saved < expected) lost++;
      if ((eventsOf.get(c.id) ?? 0) > saved) duplicated++;
    }
    console.log(`cases ${cases.length} of ${HEADS}; interviews with a lost answer: ${lost + (HEADS - cases.length)}; with a duplicated answer: ${duplicated}`);
    return lost + duplicated + (HEADS - cases.length) === 0 ? 0 : 1;
  } finally {
    for (const s of servers) await s.stop();
    await connector.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
