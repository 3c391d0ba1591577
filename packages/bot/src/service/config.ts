/**
 * The service's settings, from environment variables (and `.env` in the working directory),
 * validated at start: a bad setting stops the service with a message naming it and what is
 * accepted. Without Microsoft or Slack credentials the service runs in local mode, and only then
 * (outside production) does an empty database get the fictional demo school unasked.
 */
import { existsSync } from 'node:fs';
import { isIsoDate } from '@before-exclusion/rules';
import { ehcLocalTargetWeeks, nurtureCapacity } from '@before-exclusion/workflows';
import { z } from 'zod';
import { MEETING_TIME_ACCEPTED, parseMeetingTime } from './tatsWeekly.js';

const list = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const minutes = (fallback: number) => z.coerce.number({ error: 'expected a number' }).positive('expected a positive number').default(fallback);
const optional = z
  .string()
  .optional()
  .transform((s) => (s?.trim() ? s.trim() : undefined));
/** A setting whose own reader (in workflows, beside the policy it sets) says what it accepts; its words kept, without the name repeated. */
const setting = (read: (raw: string | undefined) => number) =>
  optional.transform((raw, ctx) => {
    try {
      return read(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^[A-Z_]+ /, '') });
      return z.NEVER;
    }
  });

const settingsSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number({ error: 'expected a port number from 0 to 65535' }).int('expected a port number from 0 to 65535').min(0, 'expected a port number from 0 to 65535').max(65535, 'expected a port number from 0 to 65535').default(3978),
    /** Loopback by default: expose the service deliberately (behind TLS) when it goes live. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** The SQLite file, when DATABASE_URL is not set. */
    CASES_DB: z.string().min(1).default('data/cases.db'),
    /** PostgreSQL for several instances (postgres://user:password@host:port/database); unset = SQLite at CASES_DB. */
    DATABASE_URL: optional.refine((s) => s === undefined || /^postgres(ql)?:\/\//i.test(s), 'expected a postgres://… URL (leave it unset for SQLite at CASES_DB)'),
    AUDIT_ANCHOR_KEY: optional,
    /** Wraps each pupil's data key (their free text and name are sealed with it): 64 hex characters, e.g. openssl rand -hex 32. */
    PUPIL_DATA_KEY: optional.refine((s) => s === undefined || /^[0-9a-fA-F]{64}$/.test(s), 'expected 64 hex characters (32 bytes), e.g. from openssl rand -hex 32'),
    /** Where the audit anchor is kept: beside the SQLite file by default, data/audit.anchor for PostgreSQL. */
    AUDIT_ANCHOR_FILE: optional,
    /** A witness outside the host for each audit anchor: a file on another mount (appended to), or an http(s) URL (POSTed to). */
    AUDIT_WITNESS: optional,
    /** How often the service verifies the whole audit trail (and sends the anchor to the witness); it also does at start. */
    AUDIT_VERIFY_EVERY_MINUTES: minutes(60),
    /**
     * Teams without Bot Framework tokens beside Slack or OpenID Connect (on): for a trial or a test
     * on this computer only — refused in production and on a HOST that is not loopback.
     */
    TEAMS_LOCAL: z.enum(['on', 'off'], { error: 'expected on or off' }).default('off'),
    /** The Azure Bot registration; empty = local mode (no inbound token check). */
    MicrosoftAppId: optional,
    MicrosoftAppPassword: optional,
    MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'expected MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
    MicrosoftAppTenantId: optional,
    /** Microsoft 365 tenants whose users may talk to the bot (comma-separated ids); empty = any. */
    TEAMS_ALLOWED_TENANTS: list,
    SLACK_SIGNING_SECRET: optional,
    SLACK_BOT_TOKEN: optional,
    /** Slack workspaces (team ids) allowed; empty = any whose users are on the staff list. */
    SLACK_ALLOWED_TEAMS: list,
    /** Where Slack's Web API is (a test points it at a fake). */
    SLACK_API_URL: optional,
    /** A trust's question file (peap-questions/1) and rule pack (rule-pack/1). */
    QUESTIONS_FILE: optional,
    RULES_FILE: optional,
    /** How often the rules run over stored pupils, and deadlines and the outbox are worked. */
    EVALUATE_EVERY_MINUTES: minutes(60),
    TICK_EVERY_SECONDS: minutes(30),
    /**
     * Schools whose MIS the service pulls (a JSON file: schoolSystems/misConnections.ts), and how
     * often. Unset: no pulls. The tokens it names are read from the environment, never logged.
     */
    MIS_SCHOOLS_FILE: optional,
    MIS_PULL_EVERY_MINUTES: minutes(15),
    /** The deployment secret pupil ids are derived with from the MIS id (schoolSystems/pupilPseudonym.ts); required in production with MIS_SCHOOLS_FILE. */
    PUPIL_ID_KEY: optional,
    /**
     * When the team around the school meets each week, in England's time: each school's list goes
     * then to its headteachers and the inclusion officers covering it (tatsWeekly.ts). `off`: not sent.
     */
    TATS_WEEKLY_AT: z
      .string()
      .default('monday 08:00')
      .transform((text, ctx) => {
        const time = parseMeetingTime(text);
        if (time === undefined) ctx.addIssue({ code: 'custom', message: `is ${JSON.stringify(text)}: expected ${MEETING_TIME_ACCEPTED}` });
        return time ?? 'off';
      }),
    /** Places on the nurture outreach caseload at any one time (default 30, seed 001): checked at start, not first when a place is given. */
    NURTURE_OUTREACH_CAPACITY: setting((raw) => nurtureCapacity({ NURTURE_OUTREACH_CAPACITY: raw })),
    /** The local target in weeks for an EHC plan for a child in care or on a child-protection plan (default 16, Halton's): checked at start. */
    EHC_LOCAL_TARGET_WEEKS_CIC: setting((raw) => ehcLocalTargetWeeks({ EHC_LOCAL_TARGET_WEEKS_CIC: raw })),
    /** The longest one outbound send (a Teams or Slack message) may take before it is abandoned and retried later. */
    SEND_TIMEOUT_SECONDS: minutes(10),
    /**
     * On an empty database: load the fictional demo school (on), or start empty (off). Unset: on
     * only for a local trial — never by default in production or with any credentials set
     * ({@link demoOffByDefault}), where fictional pupils would enter a real append-only audit log.
     */
    DEMO: z.enum(['on', 'off'], { error: 'expected on or off (unset: on only for a local trial without credentials, off in production — NODE_ENV=production — or with Microsoft, Slack or OIDC_ credentials)' }).optional(),
    /** Work as if today were this school date (YYYY-MM-DD); the clock still runs. The demo uses 2026-03-20. */
    SCHOOL_DATE: optional.refine((s) => s === undefined || isIsoDate(s), 'expected a date written YYYY-MM-DD'),
    /** The web workspace's public base URL (https://host/workspace): a case's status links to `${WORKSPACE_URL}/cases/ID`. */
    WORKSPACE_URL: optional
      .refine((s) => s === undefined || isHttpUrl(s), 'expected an http(s) URL, such as https://before-exclusion.example.org/workspace')
      .transform((s) => s?.replace(/\/+$/, '')),
    /**
     * OpenID Connect sign-in to the web workspace from a browser outside Teams (web/oidcSignIn.ts).
     * The issuer defaults to Microsoft Entra ID's for MicrosoftAppTenantId
     * (https://login.microsoftonline.com/TENANT/v2.0), the client to the bot's own app registration
     * (MicrosoftAppId, MicrosoftAppPassword); the redirect URI is WORKSPACE_URL/sign-in/oidc/callback.
     */
    OIDC_ISSUER: optional.refine((s) => s === undefined || isIssuerUrl(s), 'expected the issuer\'s https URL, such as https://login.microsoftonline.com/TENANT_ID/v2.0 (plain http only on this computer: localhost or 127.0.0.1)'),
    OIDC_CLIENT_ID: optional,
    OIDC_CLIENT_SECRET: optional,
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /**
     * Signs the web workspace's session cookie. Required in production, and the same on every
     * instance behind one address; unset elsewhere, each process makes its own (signing in again
     * after a restart).
     */
    WORKSPACE_SESSION_SECRET: optional.refine((s) => s === undefined || s.length >= 32, 'expected at least 32 characters (a long random secret, e.g. openssl rand -hex 32)'),
  })
  .superRefine((c, ctx) => {
    const slack = Boolean(c.SLACK_SIGNING_SECRET && c.SLACK_BOT_TOKEN);
    if (c.NODE_ENV === 'production' && !c.MicrosoftAppId && !slack) {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppId'], message: 'is empty: in production the bot needs its Microsoft App ID (Teams) or SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (Slack), or every request would be accepted without a token' });
    }
    if (c.TEAMS_LOCAL === 'on' && (c.NODE_ENV === 'production' || !isLoopbackAddress(c.HOST))) {
      ctx.addIssue({ code: 'custom', path: ['TEAMS_LOCAL'], message: `is on: Teams without tokens is only for this computer — not in production, nor with HOST ${c.HOST}` });
    }
    if (c.TEAMS_LOCAL === 'off' && teamsEndpoint(c) === 'local' && !isLoopbackAddress(c.HOST)) {
      ctx.addIssue({ code: 'custom', path: ['HOST'], message: `is ${c.HOST}, not a loopback address: without MicrosoftAppId (or Slack or OpenID Connect credentials) the bot takes requests without a token, so it listens on this computer only — set HOST=127.0.0.1, or configure the credentials` });
    }
    if (c.MicrosoftAppId && !c.MicrosoftAppPassword && c.MicrosoftAppType !== 'UserAssignedMSI') {
      ctx.addIssue({ code: 'custom', path: ['MicrosoftAppPassword'], message: 'is needed with MicrosoftAppId (the client secret of the Azure Bot registration)' });
    }
    if (c.NODE_ENV === 'production' && !c.AUDIT_ANCHOR_KEY) {
      ctx.addIssue({ code: 'custom', path: ['AUDIT_ANCHOR_KEY'], message: 'is empty: in production the audit anchor must be signed with a key kept outside the database folder' });
    }
    if (c.NODE_ENV === 'production' && !c.WORKSPACE_SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['WORKSPACE_SESSION_SECRET'], message: 'is empty: in production the web workspace must sign its session cookies with a secret kept outside the code (the same on every instance)' });
    }
    if (c.NODE_ENV === 'production' && c.OIDC_ISSUER?.startsWith('http:')) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'is plain http: in production the issuer must be https (http is only for a test provider on this computer)' });
    }
    if (c.NODE_ENV === 'production' && c.MIS_SCHOOLS_FILE && !c.PUPIL_ID_KEY) {
      ctx.addIssue({ code: 'custom', path: ['PUPIL_ID_KEY'], message: 'is empty: in production pupils pulled from a school\'s MIS need ids derived with the deployment\'s own secret (at least 32 characters, e.g. openssl rand -hex 32)' });
    }
    if (Boolean(c.SLACK_SIGNING_SECRET) !== Boolean(c.SLACK_BOT_TOKEN)) {
      ctx.addIssue({ code: 'custom', path: [c.SLACK_BOT_TOKEN ? 'SLACK_SIGNING_SECRET' : 'SLACK_BOT_TOKEN'], message: 'is needed too: Slack needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN' });
    }
  });

export const configSchema = settingsSchema.transform((c) => ({ ...c, DEMO: demoSetting(c) }));

export type Config = z.output<typeof configSchema>;

type DemoSettings = Pick<z.output<typeof settingsSchema>, 'DEMO' | 'NODE_ENV' | 'MicrosoftAppId' | 'SLACK_SIGNING_SECRET' | 'SLACK_BOT_TOKEN' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET'>;

function demoSetting(c: DemoSettings): 'on' | 'off' {
  return c.DEMO ?? (demoOffByDefault(c) ? 'off' : 'on');
}

/**
 * Why DEMO is off unless set to on, or undefined when a local trial has it on by default: in
 * production, or with credentials for any channel (real people may be there), an empty database
 * waits for the school's own staff and pupils instead of the fictional ones.
 */
export function demoOffByDefault(c: Omit<DemoSettings, 'DEMO'>): string | undefined {
  if (c.NODE_ENV === 'production') return 'NODE_ENV is production';
  if (c.MicrosoftAppId) return 'MicrosoftAppId is set';
  if (c.SLACK_SIGNING_SECRET || c.SLACK_BOT_TOKEN) return 'Slack is configured';
  if (c.OIDC_ISSUER || c.OIDC_CLIENT_ID || c.OIDC_CLIENT_SECRET) return 'OIDC_ settings are set';
  return undefined;
}

/** Thrown for settings the service cannot start with; the message lists each. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the service cannot start with these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and checks the settings.
 * @param env — the environment (default `process.env`, after loading `.env` if present).
 * @throws ConfigError naming each bad setting and what is accepted.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnv()): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}${i.message.startsWith('is ') ? ' ' : ': '}${i.message}`));
  return parsed.data;
}

function readEnv(): NodeJS.ProcessEnv {
  // Variables already set win over .env, as with every dotenv loader.
  if (existsSync('.env')) process.loadEnvFile('.env');
  return process.env;
}

function isHttpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}

/**
 * An OpenID Connect issuer: https, or plain http on a loopback host only — a test's fake provider
 * on this computer, where nothing travels over a network to be read or changed on the way.
 */
function isIssuerUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname))) && !url.search && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** localhost, 127.x.x.x or [::1] (a URL's `hostname`): this computer, never another. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** OpenID Connect sign-in's settings as given, or as they default to the Microsoft app registration's; undefined where unknown. */
export interface OidcSettingsFromConfig {
  readonly issuer: string | undefined;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Whether any OIDC_… setting is set: someone asked for OpenID Connect, even without a Microsoft app id. */
  readonly asked: boolean;
}

export function oidcSettings(config: Config): OidcSettingsFromConfig {
  const tenant = config.MicrosoftAppTenantId;
  return {
    issuer: config.OIDC_ISSUER ?? (tenant ? `https://login.microsoftonline.com/${encodeURIComponent(tenant)}/v2.0` : undefined),
    clientId: config.OIDC_CLIENT_ID ?? config.MicrosoftAppId,
    clientSecret: config.OIDC_CLIENT_SECRET ?? config.MicrosoftAppPassword,
    asked: Boolean(config.OIDC_ISSUER ?? config.OIDC_CLIENT_ID ?? config.OIDC_CLIENT_SECRET),
  };
}

/**
 * Where the web workspace is, for links to a case: WORKSPACE_URL, or in local mode the service
 * itself (`http://HOST:PORT/workspace`, with the port it actually listens on); otherwise none.
 */
export function workspaceUrl(config: Config, port: number = config.PORT): string | undefined {
  if (config.WORKSPACE_URL) return config.WORKSPACE_URL;
  // Without its own address, the workspace is linked only where someone can sign in to it: a local trial, or OpenID Connect.
  if (!isLocalMode(config) || (localSignInRefusal(config) !== undefined && !config.OIDC_ISSUER)) return undefined;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${port}/workspace`;
}

type EndpointSettings = Pick<z.output<typeof settingsSchema>, 'NODE_ENV' | 'MicrosoftAppId' | 'SLACK_SIGNING_SECRET' | 'SLACK_BOT_TOKEN' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'TEAMS_LOCAL'>;

/**
 * How `POST /api/messages` takes requests: with Bot Framework tokens (a Microsoft App ID); in
 * local mode without (a trial on this computer: no credentials of any kind, or TEAMS_LOCAL=on);
 * or not at all — a Slack-only (or OpenID Connect) deployment, where Teams unauthenticated would
 * let anyone in as anyone.
 */
export function teamsEndpoint(c: EndpointSettings): 'tokens' | 'local' | 'closed' {
  if (c.MicrosoftAppId) return 'tokens';
  if (c.TEAMS_LOCAL === 'on') return 'local';
  const credentials = c.SLACK_SIGNING_SECRET || c.SLACK_BOT_TOKEN || c.OIDC_ISSUER || c.OIDC_CLIENT_ID || c.OIDC_CLIENT_SECRET;
  return c.NODE_ENV === 'production' || credentials ? 'closed' : 'local';
}

/**
 * Local mode for the bot: no Microsoft credentials, so no inbound token check on /api/messages —
 * for Agents Playground and tests. It says nothing about the web workspace: see
 * {@link localSignInRefusal} for when the workspace offers its staff list.
 */
export function isLocalMode(config: Config): boolean {
  return !config.MicrosoftAppId;
}

/**
 * Why the web workspace may not offer local sign-in (choosing oneself from the staff list) with
 * these settings, or undefined when it may: a local trial on this computer alone — not in
 * production, no credentials for any channel (no Microsoft app id, no Slack secrets, no
 * OIDC_… setting: each means real people, so no list of them for anyone who asks), and the
 * service listening on a loopback address only (HOST), so that nobody on the network reaches it.
 */
export function localSignInRefusal(config: Config): string | undefined {
  if (config.NODE_ENV === 'production') return 'NODE_ENV is production';
  if (config.MicrosoftAppId) return 'MicrosoftAppId is set';
  if (config.SLACK_SIGNING_SECRET || config.SLACK_BOT_TOKEN) return 'Slack is configured';
  if (oidcSettings(config).asked) return 'OIDC_ settings are set';
  if (!isLoopbackAddress(config.HOST)) return `HOST (${config.HOST}) is not a loopback address`;
  return undefined;
}

/** HOST as the service listens on it (127.0.0.1, ::1, localhost): this computer only. 0.0.0.0 and :: are every address. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.trim().toLowerCase();
  return h === '::1' || isLoopbackHost(h.startsWith('[') ? h : h.includes(':') ? `[${h}]` : h);
}

/**
 * Whether the workspace is reached over HTTPS — secure cookies, HSTS, upgrade-insecure-requests:
 * in production, or wherever WORKSPACE_URL (its public address, TLS ended by a proxy in front) is https.
 */
export function servedOverHttps(config: Config): boolean {
  return config.NODE_ENV === 'production' || (config.WORKSPACE_URL !== undefined && new URL(config.WORKSPACE_URL).protocol === 'https:');
}
