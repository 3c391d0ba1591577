/**
 * Benchmark (not a test): N simulated headteachers (default 200), all at once, each completing a
 * whole pre-exclusion interview through the running service's `/api/messages` — a message, then
 * every question answered with `Action.Execute`, then the decision — against a fake connector
 * on loopback. Prints p50/p95/p99 and mean turn latency and turns/s, beside a bare echo bot on the same
 * adapter (teams-ai + botbuilder + express) driven with as many turns in the same run, then
 * checks the store: no answer lost or duplicated (exit code 1 if any). Every head waits for each
 * reply before the next turn, so at saturation the mean latency is about heads ÷ turns per second.
 *
 * The service's store is SQLite in a fresh folder by default. With `--db postgres://…` (or
 * BENCH_DATABASE_URL) it is PostgreSQL instead: the bench creates a fresh database
 * `bench_<random>` on that server (the login needs CREATEDB) and points the service at it with
 * DATABASE_URL; the database is left there afterwards.
 *
 *   pnpm bench:bot [--heads 200] [--db postgres://user@host:5432/postgres]
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CaseStore, SYSTEM, createPostgresDatabase, isPostgresUrl } from '../../packages/workflows/dist/index.js';
import { startFakeConnector } from '../support/fakeConnector.js';
import { dataDir, root, startServer, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { actionData, answerFor, cardOf, cardText, executeActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';

const { values: args } = parseArgs({ options: { heads: { type: 'string', default: '200' }, db: { type: 'string' } }, strict: true });
const HEADS = Number(args.heads);
if (!Number.isInteger(HEADS) || HEADS < 1) {
  console.error(`--heads expects a whole number above 0, found "${args.heads}"`);
  process.exit(2);
}
const POSTGRES_SERVER = args.db ?? (process.env.BENCH_DATABASE_URL || undefined);
if (POSTGRES_SERVER !== undefined && !isPostgresUrl(POSTGRES_SERVER)) {
  console.error(`--db (or BENCH_DATABASE_URL) expects a postgres://… URL of a server to create the bench's database on, found "${POSTGRES_SERVER}"; leave it out for SQLite`);
  process.exit(2);
}
const ANCHOR_KEY = 'bench-anchor-key-0123456789';

/** Where the service's store is, and the settings that point the service at it. */
interface BenchStore {
  readonly url: string;
  readonly anchorPath: string;
  readonly env: Record<string, string>;
  /** Safe to print. */
  readonly label: string;
}

async function benchStore(dir: string): Promise<BenchStore> {
  if (POSTGRES_SERVER) {
    const url = await createPostgresDatabase(POSTGRES_SERVER, `bench_${randomBytes(6).toString('hex')}`);
    const anchorPath = join(dir, 'audit.anchor');
    const u = new URL(url);
    return { url, anchorPath, env: { DATABASE_URL: url, AUDIT_ANCHOR_FILE: anchorPath, AUDIT_ANCHOR_KEY: ANCHOR_KEY }, label: `PostgreSQL database ${u.pathname.slice(1)} on ${u.host}` };
  }
  const url = join(dir, 'cases.db');
  return { url, anchorPath: `${url}.anchor`, env: { CASES_DB: url, AUDIT_ANCHOR_KEY: ANCHOR_KEY }, label: `SQLite ${url}` };
}

const openStore = (at: BenchStore) => CaseStore.open({ url: at.url, anchorPath: at.anchorPath, anchorKey: ANCHOR_KEY });

const id = (i: number) => String(i + 1).padStart(4, '0');
const head = (i: number): TeamsUser => ({ id: `29:bench-head-${id(i)}`, name: `Bench Head ${id(i)}`, aadObjectId: `bench-aad-${id(i)}` });

/** A school per head (so each sees only their pupil), one pupil at risk each, loaded before the service starts. */
async function prepare(dir: string, at: BenchStore): Promise<void> {
  const pupils = join(dir, 'pupils.ndjson');
  writeFileSync(pupils, Array.from({ length: HEADS + 1 }, (_, i) => JSON.stringify({ format: 'pupil-record/1', id: `BENCH-${id(i)}`, schoolId: `SCH-${id(i)}`, atRiskOfPermanentExclusion: true })).join('\n'));
  const store = await openStore(at);
  try {
    await store.pupils.import(SYSTEM, { pupils, calendar: join(root, 'packages/rules/data/calendars/england-2025-26.example.json') });
    // One more head than run at once: the last goes through an interview alone, unloaded.
    for (let i = 0; i <= HEADS; i++) {
      await store.staff.upsert({ id: `bench-head-${id(i)}`, displayName: `Bench Head ${id(i)}`, role: 'headteacher', schoolIds: [`SCH-${id(i)}`], teamsAadId: head(i).aadObjectId }, SYSTEM);
    }
  } finally {
    await store.close();
  }
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
  const at = await benchStore(dir);
  await prepare(dir, at);
  const servers: ServiceProcess[] = [];
  try {
    // BENCH_PROFILE=DIR: the service writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    const service = await startService(dir, { ...at.env, DEMO: 'off', SCHOOL_DATE: '2026-03-20', TICK_EVERY_SECONDS: '3600' }, profile);
    servers.push(service);
    // The baseline is not shipped: run from its TypeScript source (tsx resolves it from the repository root).
    const echo = await startServer(join(root, 'packages/bot/bench/echoBot.ts'), root, {}, ['--import', 'tsx']);
    servers.push(echo);
    console.log(`bench: ${HEADS} heads at once, each through a whole PEAP interview; the store: ${at.label}; Node ${process.version}`);

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

    // Unloaded: one head alone through an interview, and one user alone through as many echo turns.
    const alone: number[] = [];
    started = performance.now();
    await interview(service.url, connector.url, HEADS, alone, (a) => connector.waitForReplyTo(a));
    const aloneMs = performance.now() - started;
    const echoAlone: number[] = [];
    started = performance.now();
    for (let t = 0; t < alone.length; t++) await timedPost(echo.url, messageActivity(head(HEADS), connector.url, 'a:echo-alone', `turn ${t}`), echoAlone);
    const echoAloneMs = performance.now() - started;

    console.log(summary('product (PEAP interview)', product, productMs));
    console.log(summary('baseline (bare echo bot)', baseline, baselineMs));
    const p50 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 50);
    const mean = (l: number[]) => l.reduce((a, b) => a + b, 0) / l.length;
    console.log(`ratio at ${HEADS} at once: p50 latency ${(p50(product) / p50(baseline)).toFixed(2)}×, mean latency ${(mean(product) / mean(baseline)).toFixed(2)}×, throughput ${((product.length / productMs) / (baseline.length / baselineMs)).toFixed(2)}× the echo bot's`);
    console.log(summary('product, one head alone', alone, aloneMs));
    console.log(summary('baseline, one user alone', echoAlone, echoAloneMs));
    console.log(`ratio alone: p50 latency ${(p50(alone) / p50(echoAlone)).toFixed(2)}× the echo bot's`);

    // Every answer saved exactly once: each case decided, its answers all there, one audited event per answer.
    const store = await openStore(at);
    let lost = 0;
    let duplicated = 0;
    let cases = 0;
    let verified;
    try {
      for (const listed of await store.cases.list(SYSTEM)) {
        if (listed.kind !== 'peap') continue;
        cases++;
        const c = await store.cases.get(SYSTEM, listed.id, 'peap');
        const events = (await store.audit.entriesFor(c.id)).filter((r) => r.action === 'event' && (r.event === 'ANSWER' || r.event === 'SCHEDULE_MEETING')).length;
        const saved = Object.keys(c.context.answers).length + (c.context.meetingDate ? 1 : 0);
        const expected = (turns[0] ?? 2) - 2;
        if (c.state !== 'decided' || saved < expected) lost++;
        if (events > saved) duplicated++;
      }
      verified = await store.audit.verify();
    } finally {
      await store.close();
    }
    const interviews = HEADS + 1; // the heads at once, and the one alone
    console.log(`cases ${cases} of ${interviews}; interviews with a lost answer: ${lost + (interviews - cases)}; with a duplicated answer: ${duplicated}`);
    console.log(verified.ok ? `audit log verified: ${verified.rows} rows` : `AUDIT LOG BROKEN: ${verified.problem?.message}`);
    return lost + duplicated + (interviews - cases) === 0 && verified.ok ? 0 : 1;
  } finally {
    if (process.env.BENCH_LOG) writeFileSync(process.env.BENCH_LOG, servers[0]?.logs.join('\n') ?? '');
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
