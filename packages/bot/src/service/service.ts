/**
 * The service `pnpm start` runs: one process serving the Teams endpoint (`POST /api/messages`),
 * Slack's (`/slack/…`, when Slack is configured), the web workspace (`/workspace`), the privacy
 * notice and terms of use (`/privacy`, `/terms`) and `GET /healthz`; firing due deadlines and
 * sending the outbox every few seconds; running the rules over stored pupils periodically. On an
 * empty database it loads the demo school when DEMO is on (by default, for a local trial only: see
 * config.ts). Today is workflows' schoolDay, as for the `cases` command. Stopping it finishes the
 * requests in flight, then closes the database.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import { RulesEvaluator, defaultRulePack } from '@before-exclusion/rules';
import { loadRulePackFile } from '@before-exclusion/rules/node';
import { CaseStore, claimInstance, evaluateStoredPupils, schoolClock, schoolDay, StoreBusy, type Clock } from '@before-exclusion/workflows';
import { Assistant } from '../conversation/assistant.js';
import type { Channel } from '../conversation/channel.js';
import { loadQuestionSet } from '@before-exclusion/workflows';
import { mountSlack } from '../slack/slackApp.js';
import { createTeamsBot } from '../teams/teamsBot.js';
import { signInMethods } from '../web/signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from '../web/workspace.js';
import { demoOffByDefault, isLocalMode, servedOverHttps, teamsEndpoint, workspaceUrl, type Config } from './config.js';
import { isEmpty, loadDemo } from './demo.js';
import { errorText, type Logger } from './log.js';
import { alertStaffOfBreak, watchAuditTrail } from './auditWatch.js';
import { ChannelQueue } from './channelQueue.js';
import { staffNotifier } from './notifier.js';
import { scheduleWeeklyList, weeklyListSender } from './tatsWeekly.js';
import { mountPolicyPages } from './policyPages.js';
import { misPupilIdKey, scheduleMisPulls, type MisPulls } from './misPulls.js';

/** How long /healthz waits for the database's answer before saying it is busy. */
const HEALTH_PING_MS = 50;

export interface RunningService {
  readonly url: string;
  readonly store: CaseStore;
  /** Fires due deadlines and sends the outbox now (the timer does this every TICK_EVERY_SECONDS). */
  tick(): Promise<void>;
  /** Runs the rules over stored pupils now. */
  evaluate(): Promise<void>;
  /** Stops taking requests, finishes those in flight, stops the timers, closes the database. */
  close(): Promise<void>;
}

export async function startService(config: Config, log: Logger): Promise<RunningService> {
  // The store's clock is the service's: set once the store says whether it holds the demo.
  let clock: Clock = schoolClock(config.SCHOOL_DATE);
  // One service per SQLite file (two would both fire deadlines and send the outbox); PostgreSQL takes many.
  const instance = await claimInstance(config.DATABASE_URL ?? config.CASES_DB);
  if (instance?.tookOverFrom) {
    const { host, pid, since } = instance.tookOverFrom;
    log.warn(`instance lock: taken over from a service that stopped without releasing it (host ${host}, pid ${pid}, since ${since})`);
  }
  const store = await CaseStore.open({
    url: config.DATABASE_URL ?? config.CASES_DB,
    clock: () => clock(),
    ...(config.AUDIT_ANCHOR_KEY ? { anchorKey: config.AUDIT_ANCHOR_KEY } : {}),
    ...(config.PUPIL_DATA_KEY ? { pupilDataKey: config.PUPIL_DATA_KEY } : {}),
    ...(config.AUDIT_ANCHOR_FILE ? { anchorPath: config.AUDIT_ANCHOR_FILE } : {}),
    ...(config.AUDIT_WITNESS ? { witness: config.AUDIT_WITNESS } : {}),
    nurtureCapacity: config.NURTURE_OUTREACH_CAPACITY,
    ehcLocalTargetWeeks: config.EHC_LOCAL_TARGET_WEEKS_CIC,
  }).catch((error: unknown) => {
    instance?.release();
    throw error;
  });
  log.info(`case store: ${store.backend.dialect} at ${store.backend.location}`);
  if (!config.PUPIL_DATA_KEY && config.NODE_ENV === 'production') {
    log.warn('PUPIL_DATA_KEY is not set: pupils\' free text and names are sealed under the key file pupil-data.key beside the audit anchor; set PUPIL_DATA_KEY (openssl rand -hex 32) and keep it outside the database folder');
  }
  // The trail is verified before anything is written: a broken one stops writes (and /healthz says so).
  // A break is told to the officers in their chat once the channels are up (made further down).
  let channelsUp: (up: readonly { channel: Channel; queue: ChannelQueue }[]) => void = () => {};
  const alertChannels = new Promise<readonly { channel: Channel; queue: ChannelQueue }[]>((resolve) => (channelsUp = resolve));
  const audit = watchAuditTrail(store, log, config.AUDIT_VERIFY_EVERY_MINUTES, alertStaffOfBreak(store, alertChannels, log));
  await audit.check();
  // Instances starting together on an empty database: one loads the demo, the others wait and find it loaded.
  let demo: number | false | undefined = false;
  while (config.DEMO === 'on' && (demo = await store.leases.runExclusive('demo-load', 60_000, async () => (await isEmpty(store)) && (await loadDemo(store)).pupils)) === undefined) {
    await new Promise((r) => setTimeout(r, 200));
  }
  if (demo) log.info('demo: loaded the fictional Demo Academy', { count: demo });
  if (demo && config.NODE_ENV === 'production') log.warn('demo: loaded in production because DEMO=on: its fictional pupils are in this audit log for good');
  const offBecause = demoOffByDefault(config);
  if (config.DEMO === 'off' && offBecause && (await isEmpty(store))) log.info(`demo: not loaded (${offBecause}): the database holds no school yet; add staff and pupils with the cases command, or set DEMO=on for the fictional demo school`);
  const day = await schoolDay(store, { schoolDate: config.SCHOOL_DATE });
  clock = day.clock;
  const today = day.today;
  if (day.schoolDate) log.info(`working on school date ${day.schoolDate} (${day.source === 'demo' ? 'the demo school\'s' : 'SCHOOL_DATE'})`);

  const rules = config.RULES_FILE ? await loadRulePackFile(config.RULES_FILE) : defaultRulePack();
  // A case's status links to the web workspace: WORKSPACE_URL, or in local mode this service once it listens.
  let workspace = config.WORKSPACE_URL;
  const evaluator = new RulesEvaluator(rules);
  const questions = config.QUESTIONS_FILE ? loadQuestionSet(config.QUESTIONS_FILE) : undefined;
  const assistant = new Assistant(store, { today, evaluator, workspaceUrl: () => workspace, ...(questions ? { questions } : {}) });
  // A member of staff seen for the first time: what waits for them goes at the next tick.
  const onReachable = () => void store.outbox.retryUnsentNow(clock()).catch((error: unknown) => log.error('outbox: retry failed', { error: errorText(error) }));
  // Each channel's queue (made below, once the channels are known); someone new in a channel is told to it.
  const queues = new Map<string, ChannelQueue>();
  const reachedIn = (channel: string) => () => {
    onReachable();
    queues.get(channel)?.someoneReachable();
  };
  const teams = createTeamsBot(
    store,
    assistant,
    { appId: config.MicrosoftAppId, appPassword: config.MicrosoftAppPassword, appType: config.MicrosoftAppType, appTenantId: config.MicrosoftAppTenantId, allowedTenants: config.TEAMS_ALLOWED_TENANTS, sendTimeoutMs: config.SEND_TIMEOUT_SECONDS * 1000 },
    log,
    reachedIn('teams'),
  );
  const channels: Channel[] = [teams];

  let inFlight = 0;
  let stopping = false;
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    inFlight++;
    res.once('close', () => inFlight--);
    next();
  });
  if (config.SLACK_SIGNING_SECRET && config.SLACK_BOT_TOKEN) {
    channels.push(
      mountSlack(app, store, assistant, { signingSecret: config.SLACK_SIGNING_SECRET, botToken: config.SLACK_BOT_TOKEN, allowedTeams: config.SLACK_ALLOWED_TEAMS, apiUrl: config.SLACK_API_URL, timeoutMs: config.SEND_TIMEOUT_SECONDS * 1000 }, log, reachedIn('slack')),
    );
  }
  // Each channel sends from its own queue: a bounded wait per send, and a breaker that backs off
  // from a channel failing again and again; once it answers again, what waited goes at once.
  const sendTimeoutMs = config.SEND_TIMEOUT_SECONDS * 1000;
  for (const c of channels) {
    queues.set(
      c.name,
      new ChannelQueue(c.name, {
        sendTimeoutMs,
        onBackingOff: (retryAt) => log.warn(`${c.name}: backing off after repeated failures until ${retryAt}`, { channel: c.name }),
        onRecovered: () => {
          log.info(`${c.name}: answering again`, { channel: c.name });
          onReachable();
        },
      }),
    );
  }
  channelsUp(channels.map((channel) => ({ channel, queue: queues.get(channel.name)! })));
  const senders = {
    ...staffNotifier(store, assistant, channels, clock, queues),
    ...weeklyListSender({ store, channels, queues, clock, today, rules, workspaceUrl: () => workspace, log }),
  };
  // The week's list for the team around the school, queued at the meeting's time (TATS_WEEKLY_AT).
  const weeklyList = config.TATS_WEEKLY_AT === 'off' ? undefined : scheduleWeeklyList(store, config.TATS_WEEKLY_AT, log);
  let pinging: Promise<'ok' | 'down'> | undefined;
  // The schools' MIS pulls, once scheduled (below): /healthz says which schools' pulls are failing.
  let misPulls: MisPulls | undefined;
  app.get('/healthz', async (_req, res) => {
    // The ping waits its turn behind writes, which may be waiting for another process's lock:
    // past HEALTH_PING_MS the database is reported busy rather than /healthz waiting too, and
    // while that ping is still waiting, at once (one ping at a time, never a pile of them).
    const waiting = pinging !== undefined;
    const ping = (pinging ??= store.ping().then((up) => (up ? ('ok' as const) : ('down' as const)), () => 'down' as const).finally(() => (pinging = undefined)));
    const database = stopping ? 'stopping' : waiting ? 'busy' : await Promise.race([ping, delay(HEALTH_PING_MS, 'busy' as const)]);
    const ok = (database === 'ok' || database === 'busy') && !audit.broken;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : stopping ? 'stopping' : audit.broken ? 'audit trail broken: writes stopped' : 'database down', database, audit: audit.health(), mode: isLocalMode(config) ? 'local' : 'secured', schoolDate: today(), channels: [...queues.values()].map((q) => q.health()), ...(misPulls ? { mis: misPulls.health() } : {}) });
  });
  // The privacy notice and terms of use the Teams app package links to.
  mountPolicyPages(app, log);
  app.use(
    WORKSPACE_PATH,
    workspaceRouter({
      store,
      log,
      today,
      evaluator,
      ...(questions ? { questions } : {}),
      // Without a configured secret (allowed outside production) sessions last as long as the process.
      sessionSecret: config.WORKSPACE_SESSION_SECRET ?? randomBytes(32).toString('hex'),
      https: servedOverHttps(config),
      signIn: signInMethods(config, { log }),
      publicUrl: config.WORKSPACE_URL,
    }),
  );
  const teamsMode = teamsEndpoint(config);
  app.post('/api/messages', express.json({ limit: '1mb' }), async (req, res) => {
    // Slack-only (or OpenID Connect) without a Microsoft App ID: no Teams here, rather than Teams without tokens.
    if (teamsMode === 'closed') return void res.status(404).set('Cache-Control', 'no-store').json({ error: 'Teams is not set up on this service' });
    try {
      await teams.process(req, res);
    } catch (error) {
      log.error('teams: request failed', { channel: 'teams', error: errorText(error) });
      if (!res.headersSent) res.status(500).end();
    }
  });

  // Last: whatever no route answered with a response of its own (a body that is not JSON on
  // /api/messages, say). Express's own handler would send the error's message and, outside
  // production, its stack; here the status alone goes back, and the log has what kind of error
  // it was — never its message, which can quote what was sent.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const status = httpStatusOf(error);
    const fields = { channel: 'http', status, error: errorKind(error) };
    if (status >= 500) log.error('request failed', fields);
    else log.warn('request refused', fields);
    res.status(status).set('Cache-Control', 'no-store').end();
  });

  const server = app.listen(config.PORT, config.HOST);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  workspace = workspaceUrl(config, port);
  const url = `http://${config.HOST}:${port}`;
  const teamsSays = { tokens: 'Bot Framework tokens required', local: 'local mode: no Microsoft credentials, requests are not authenticated', closed: 'Teams off: no Microsoft App ID' }[teamsMode];
  log.info(`listening on ${url} (${teamsSays})`, { port });

  // Deadlines and the rules, one at a time. Sending is not part of it: a channel that hangs must
  // not hold a deadline back.
  let ticking: Promise<void> = Promise.resolve();
  const fire = () =>
    (ticking = ticking.then(async () => {
      // Firing is a write: while a broken trail stops writes there is nothing to do (and nothing to log each tick).
      if (audit.broken) return;
      try {
        const fired = await store.fireDueDeadlines(clock());
        if (fired.fired) log.info('tick', { nFired: fired.fired });
        await weeklyList?.queueDue(clock());
      } catch (error) {
        log.error('tick failed', { error: errorText(error) });
      }
    }));
  // A delivery run never waits for an earlier one: each message is claimed by one run (its lease),
  // and each channel sends from its own queue, so what is new goes while a dead channel times out.
  const deliveries = new Set<Promise<void>>();
  const deliver = (): Promise<void> => {
    if (stopping) return Promise.resolve();
    const run = store.deliverOutbox(senders, clock()).then(
      (sent) => void (sent.sent || sent.failed ? log.info('outbox', { nSent: sent.sent, nFailed: sent.failed, nWaiting: sent.waiting }) : undefined),
      (error: unknown) => log.error('outbox: delivery failed', { error: errorText(error) }),
    );
    deliveries.add(run);
    void run.finally(() => deliveries.delete(run));
    return run;
  };
  /** Fires due deadlines, then sends the outbox; resolves when both are done. */
  const tick = async () => {
    await fire();
    await deliver();
  };
  const evaluate = () =>
    (ticking = ticking.then(async () => {
      try {
        const result = await evaluateStoredPupils(store, { asOf: today(), ...(config.RULES_FILE ? { rulesFile: config.RULES_FILE } : {}) });
        if (!result) return log.info('rules: another instance is evaluating them now');
        log.info('rules evaluated', { count: result.pupils, nTriggers: result.triggers, nOpened: result.opened, nUpdated: result.updated });
      } catch (error) {
        log.error('rules evaluation failed', { error: errorText(error) });
      }
    }));
  // The first evaluation runs in the background: requests are served meanwhile, and close() waits for it.
  void evaluate().then(tick);
  const timers = [setInterval(() => void fire().then(deliver), config.TICK_EVERY_SECONDS * 1000), setInterval(evaluate, config.EVALUATE_EVERY_MINUTES * 60_000)];
  for (const t of timers) t.unref();
  // Schools' MIS, pulled in a lane of their own (misPulls.ts): a hanging MIS holds up nothing else.
  const mis = (misPulls = config.MIS_SCHOOLS_FILE
    ? scheduleMisPulls(store, log, { file: config.MIS_SCHOOLS_FILE, everyMinutes: config.MIS_PULL_EVERY_MINUTES, pupilIdKey: misPupilIdKey(config, log), today, rulesFile: config.RULES_FILE, onChanged: tick })
    : undefined);

  return {
    url,
    store,
    tick,
    evaluate,
    async close() {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearInterval(t);
      await mis?.stop();
      await audit.stop();
      // Sends not yet started stay in the outbox for the next start; the one in flight ends by its timeout.
      for (const q of queues.values()) q.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + 10_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      server.closeAllConnections();
      await closed;
      await ticking;
      await Promise.race([Promise.allSettled(deliveries), delay(sendTimeoutMs + 1_000)]);
      await store.close();
      instance?.release();
      log.info('stopped');
    },
  };
}

/** An HTTP error's status (body-parser's 400, 413, 415…), or 500 for anything else. */
function httpStatusOf(error: unknown): number {
  // Another process held the database's write lock past the wait: nothing was saved; try again shortly.
  if (error instanceof StoreBusy) return 503;
  const status = error && typeof error === 'object' ? ((error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode) : undefined;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

/** What kind of error, for the log: body-parser's type (entity.parse.failed…) or the error's name — never its message. */
function errorKind(error: unknown): string {
  const type = error && typeof error === 'object' ? (error as { type?: unknown }).type : undefined;
  if (typeof type === 'string' && /^[\w.-]{1,64}$/.test(type)) return type;
  return error instanceof Error ? error.name.slice(0, 64) : typeof error;
}
