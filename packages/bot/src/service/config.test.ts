/**
 * The service's settings: defaults that run a local trial, and a clear refusal — naming each
 * setting and what is accepted — for what it cannot safely start with.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, demoOffByDefault, isLocalMode, isLoopbackAddress, loadConfig, localSignInRefusal, servedOverHttps, teamsEndpoint, workspaceUrl } from './config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('settings', () => {
  it('runs a local trial with no settings at all: loopback, the demo, no authentication', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3978, HOST: '127.0.0.1', CASES_DB: 'data/cases.db', DEMO: 'on', TEAMS_ALLOWED_TENANTS: [] });
    expect(isLocalMode(config)).toBe(true);
  });

  it('reads the support settings at start, and refuses one it cannot use, saying what is accepted', () => {
    expect(loadConfig({})).toMatchObject({ NURTURE_OUTREACH_CAPACITY: 30, EHC_LOCAL_TARGET_WEEKS_CIC: 16 });
    expect(loadConfig({ NURTURE_OUTREACH_CAPACITY: '12', EHC_LOCAL_TARGET_WEEKS_CIC: '18' })).toMatchObject({ NURTURE_OUTREACH_CAPACITY: 12, EHC_LOCAL_TARGET_WEEKS_CIC: 18 });
    expect(problems({ NURTURE_OUTREACH_CAPACITY: 'thirty', EHC_LOCAL_TARGET_WEEKS_CIC: '21' })).toEqual([
      'NURTURE_OUTREACH_CAPACITY is "thirty": expected a whole number of places from 1 to 10000 (default 30)',
      'EHC_LOCAL_TARGET_WEEKS_CIC is "21": expected a whole number of weeks from 1 to 20 (default 16)',
    ]);
  });

  it('loads the fictional demo school unasked only for a local trial: never by default in production or with credentials', () => {
    const production = { NODE_ENV: 'production', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: 'x'.repeat(32) };
    expect(loadConfig(production).DEMO).toBe('off');
    expect(demoOffByDefault(loadConfig(production))).toBe('NODE_ENV is production');
    expect(loadConfig({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' }).DEMO).toBe('off');
    expect(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }).DEMO).toBe('off');
    expect(loadConfig({ OIDC_CLIENT_ID: 'web-client' }).DEMO).toBe('off');
    // Asked for, it is on anywhere (a demonstration site); a local trial can turn it off.
    expect(loadConfig({ ...production, DEMO: 'on' }).DEMO).toBe('on');
    expect(loadConfig({ DEMO: 'off' }).DEMO).toBe('off');
    expect(problems({ DEMO: 'yes' })).toEqual([expect.stringMatching(/^DEMO: expected on or off \(unset: on only for a local trial without credentials, off in production/)]);
  });

  it('refuses production without a channel (a Microsoft App ID, or Slack), an audit anchor key or a workspace session secret', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found).toEqual([
      'MicrosoftAppId is empty: in production the bot needs its Microsoft App ID (Teams) or SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (Slack), or every request would be accepted without a token',
      expect.stringMatching(/^AUDIT_ANCHOR_KEY is empty/),
      expect.stringMatching(/^WORKSPACE_SESSION_SECRET is empty: in production/),
    ]);
  });

  it('starts a Slack-only production deployment, with Teams off rather than without tokens', () => {
    const slackOnly = loadConfig({ NODE_ENV: 'production', SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: 'x'.repeat(32), HOST: '0.0.0.0' });
    expect(teamsEndpoint(slackOnly)).toBe('closed');
    expect(teamsEndpoint(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe('closed');
    expect(teamsEndpoint(loadConfig({ OIDC_CLIENT_ID: 'c' }))).toBe('closed');
    expect(teamsEndpoint(loadConfig({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' }))).toBe('tokens');
    expect(teamsEndpoint(loadConfig({}))).toBe('local');
    // Teams without tokens beside Slack, asked for: on this computer only.
    expect(teamsEndpoint(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', TEAMS_LOCAL: 'on' }))).toBe('local');
    expect(problems({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1', TEAMS_LOCAL: 'on', HOST: '0.0.0.0' })).toEqual(['TEAMS_LOCAL is on: Teams without tokens is only for this computer — not in production, nor with HOST 0.0.0.0']);
  });

  it('refuses a HOST other than loopback without credentials: nobody on the network may talk to a bot that takes no token', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      expect(problems({ HOST: host })).toEqual([
        `HOST is ${host}, not a loopback address: without MicrosoftAppId (or Slack or OpenID Connect credentials) the bot takes requests without a token, so it listens on this computer only — set HOST=127.0.0.1, or configure the credentials`,
      ]);
    }
    expect(problems({ HOST: '::1' })).toEqual([]);
    expect(problems({ HOST: '0.0.0.0', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' })).toEqual([]);
  });

  it("takes the workspace's session secret when it is long enough; without one outside production the service makes its own", () => {
    expect(loadConfig({}).WORKSPACE_SESSION_SECRET).toBeUndefined();
    expect(loadConfig({ WORKSPACE_SESSION_SECRET: 'x'.repeat(32) }).WORKSPACE_SESSION_SECRET).toBe('x'.repeat(32));
    expect(problems({ WORKSPACE_SESSION_SECRET: 'short' })).toEqual([expect.stringMatching(/^WORKSPACE_SESSION_SECRET: expected at least 32 characters/)]);
  });

  it("links to the web workspace at WORKSPACE_URL, or in local mode at the service itself where someone can sign in; otherwise nowhere", () => {
    expect(workspaceUrl(loadConfig({}))).toBe('http://127.0.0.1:3978/workspace');
    const oidc = { OIDC_ISSUER: 'https://login.example.org/tenant/v2.0', OIDC_CLIENT_ID: 'client', OIDC_CLIENT_SECRET: 'secret' };
    expect(workspaceUrl(loadConfig({ HOST: '0.0.0.0', ...oidc }), 41234)).toBe('http://localhost:41234/workspace');
    // Nobody could sign in there: no staff list (Slack's people), no OpenID Connect.
    expect(workspaceUrl(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBeUndefined();
    expect(workspaceUrl(loadConfig({ WORKSPACE_URL: 'https://bx.example.org/workspace/' }))).toBe('https://bx.example.org/workspace');
    expect(workspaceUrl(loadConfig({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' }))).toBeUndefined();
    expect(problems({ WORKSPACE_URL: 'bx.example.org/workspace' })).toEqual([expect.stringMatching(/^WORKSPACE_URL: expected an http\(s\) URL/)]);
  });

  it('serves the workspace as HTTPS in production, or wherever WORKSPACE_URL is https', () => {
    expect(servedOverHttps(loadConfig({}))).toBe(false);
    expect(servedOverHttps(loadConfig({ WORKSPACE_URL: 'http://127.0.0.1:3978/workspace' }))).toBe(false);
    expect(servedOverHttps(loadConfig({ WORKSPACE_URL: 'https://bx.example.org/workspace' }))).toBe(true);
    expect(servedOverHttps(loadConfig({ WORKSPACE_URL: 'HTTPS://bx.example.org/workspace' }))).toBe(true);
    expect(servedOverHttps(loadConfig({ NODE_ENV: 'production', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: 'x'.repeat(32) }))).toBe(true);
  });

  it('allows the local trial\'s staff list only with no credentials at all and a loopback HOST, saying why not', () => {
    expect(localSignInRefusal(loadConfig({}))).toBeUndefined();
    expect(localSignInRefusal(loadConfig({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' }))).toBe('MicrosoftAppId is set');
    expect(localSignInRefusal(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe('Slack is configured');
    expect(localSignInRefusal(loadConfig({ OIDC_CLIENT_SECRET: 's' }))).toBe('OIDC_ settings are set');
    expect(localSignInRefusal(loadConfig({ HOST: '0.0.0.0', TEAMS_LOCAL: 'off', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' }))).toBe('MicrosoftAppId is set');
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]']) expect(isLoopbackAddress(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'bx.example.org', 'localhost.example.org', '::ffff:7f00:1']) expect(isLoopbackAddress(host), host).toBe(false);
  });

  it('names each bad setting and what is accepted', () => {
    const found = problems({ PORT: 'eighty', DEMO: 'maybe', SCHOOL_DATE: '20/03/2026', MicrosoftAppId: 'abc', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: expected a/),
        expect.stringMatching(/^DEMO: expected on or off/),
        expect.stringMatching(/^SCHOOL_DATE: expected a date written YYYY-MM-DD/),
      ]),
    );
  });

  it('reads lists and Slack settings as pairs', () => {
    expect(loadConfig({ TEAMS_ALLOWED_TENANTS: ' t1, t2 ,,' }).TEAMS_ALLOWED_TENANTS).toEqual(['t1', 't2']);
    expect(problems({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).toEqual([expect.stringMatching(/^MicrosoftAppPassword is needed/)]);
    expect(problems({ SLACK_SIGNING_SECRET: 'secret' })).toEqual(['SLACK_BOT_TOKEN is needed too: Slack needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN']);
  });
});
