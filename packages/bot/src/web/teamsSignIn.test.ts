/**
 * Signing in from a Teams personal tab, over HTTP, as the tab does it: the workspace with the
 * service's settings for Teams (a Microsoft app id, WORKSPACE_URL, an allowed tenant) over a real
 * store (the demo school); tokens signed here with a key whose set a local server publishes — no
 * network, no Teams client. The tab's page is fetched, its CSRF token read, and the token posted
 * with it, as assets/teams-tab.mjs does once Teams has given it.
 *
 * A good token for the demo officer signs them in and their cases show; every other token — for
 * another API or host, another tenant, expired, unsigned, signed by someone else, or for someone
 * not on the staff list — gets one and the same page, starts no session, and leaves in the log a
 * reason and nothing from the token. The cookies are SameSite=None; Secure there, and local
 * sign-in is not offered.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload, type KeyLike } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStore } from '@before-exclusion/workflows';
import { teamsManifest } from '../teams/appPackage.js';
import { loadConfig } from '../service/config.js';
import { DEMO_OFFICER_AAD_ID } from '../service/demo.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, demoStore } from '../testing/fixtures.js';
import { signInMethods, type SignIn } from './signIn.js';
import { TEAMS_TAB_PATH } from './teamsSignIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';
import { WorkspaceBrowser as Browser, WorkspacePage as Page } from '../testing/workspaceBrowser.js';

const APP_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const HOST = 'bx.example.org';
const WORKSPACE_URL = `https://${HOST}/workspace`;
const TENANT = 'f2b1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const OTHER_TENANT = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const STRANGER_OID = '99999999-2222-4333-8444-555555555555';
const KID = 'tab-test-key';
const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';

/** The service's settings for Teams: an app id, the workspace's public address, one allowed tenant. */
const teamsConfig = (more: Record<string, string> = {}) =>
  loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'p', WORKSPACE_URL, TEAMS_ALLOWED_TENANTS: TENANT, ...more });

// --- The key set, published on 127.0.0.1 --------------------------------------------------

let signingKey: KeyLike;
let strangerKey: KeyLike;
let keys: { url: string; close(): Promise<void> };

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, use: 'sig', alg: 'RS256' }] });
  const server: Server = createServer((req, res) => {
    if (req.url === '/keys') res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  keys = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
});

afterAll(async () => {
  await keys?.close();
});

const now = () => Math.floor(Date.now() / 1000);

/** A Teams tab SSO token (v2.0) for the demo officer, as Entra ID issues it; `overrides` change or (undefined) remove claims. */
function token(overrides: Record<string, unknown> = {}, key: KeyLike = signingKey, kid = KID): Promise<string> {
  const claims: Record<string, unknown> = {
    aud: APP_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
    tid: TENANT,
    oid: DEMO_OFFICER_AAD_ID,
    scp: 'access_as_user',
    azp: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346',
    ver: '2.0',
    name: 'Demo Officer',
    preferred_username: 'officer@demo.example',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete claims[name];
    else claims[name] = value;
  }
  return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);
}

// --- The workspace -----------------------------------------------------------------------

describe.each(BACKENDS)('signing in from a Teams tab, on %s', (backend) => {
  let store: CaseStore;
  const servers: { close(): Promise<void> }[] = [];
  const lines: string[] = [];
  const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
  const log: Logger = { debug: write, info: write, warn: write, error: write };

  beforeAll(async () => {
    ({ store } = await demoStore({ backend }));
  });

  afterAll(async () => {
    for (const s of servers.splice(0)) await s.close();
    await store?.close();
  });

  /** The workspace as the service mounts it with these sign-in methods (Teams settings by default). */
  async function serve(signIn: readonly SignIn[] = signInMethods(teamsConfig(), { log, teamsJwksUrl: keys.url }), publicUrl?: string): Promise<Browser> {
    const app = express();
    app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn, publicUrl }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  /** Opens the tab's page and posts `sso` with the page's CSRF token, as teams-tab.mjs does. */
  async function signInWith(browser: Browser, sso: string): Promise<Page> {
    const tab = await browser.get(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`);
    expect(tab.status).toBe(200);
    return browser.post(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`, { _csrf: tab.csrf(), token: sso });
  }

  it('signs the demo officer in with a good token, and shows their cases; the cookies are SameSite=None; Secure; Partitioned', async () => {
    const browser = await serve();
    const tab = await browser.get('/workspace/sign-in/teams');
    expect(tab.status).toBe(200);
    expect(tab.text).toContain('Signing you in');
    expect(tab.html).toContain('<form id="teams-sign-in" method="post" action="/workspace/sign-in/teams">');
    expect(tab.html).toContain('<input type="hidden" name="token" value="">');
    // Framed by Teams: no X-Frame-Options, frame-ancestors naming Teams; no inline script.
    expect(tab.headers.get('x-frame-options')).toBeNull();
    expect(tab.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft");
    expect(tab.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(tab.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // The SDK from this service (node_modules), never a CDN.
    expect(tab.html).toContain('<script src="/workspace/assets/MicrosoftTeams.min.js"></script>');
    expect(tab.html).toContain('<script type="module" src="/workspace/assets/teams-tab.mjs"></script>');
    expect(tab.html).toContain('<link rel="stylesheet" href="/workspace/assets/teams.css">');
    expect(tab.html).not.toMatch(/src="https?:/);
    const csrfCookie = tab.setCookies.find((c) => c.startsWith('__Secure-workspace.csrf='))!;
    expect(csrfCookie).toMatch(/; samesite=none/i);
    expect(csrfCookie).toMatch(/; secure/i);
    expect(csrfCookie).toMatch(/; partitioned/i);

    const signedIn = await browser.post('/workspace/sign-in/teams', { _csrf: tab.csrf(), token: await token() });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/workspace/cases');
    const session = signedIn.setCookies.find((c) => c.startsWith('workspace.session='))!;
    expect(session).toMatch(/; samesite=none/i);
    expect(session).toMatch(/; secure/i);
    expect(session).toMatch(/; partitioned/i);
    expect(session).toMatch(/; httponly/i);
    expect(session).toMatch(/; path=\/workspace/i);
    // The session holds a session id, the staff id, how and when they signed in: nothing from the token.
    expect(JSON.parse(Buffer.from(browser.cookie('workspace.session')!, 'base64').toString())).toEqual({ sid: expect.stringMatching(/^[\w-]{22}$/), staffId: 'demo-officer', method: 'teams-tab', iat: expect.any(Number) });
    // Teams may frame the workspace here: it is a Teams tab.
    expect(signedIn.headers.get('content-security-policy')).toContain("frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft");

    const officer = await store.staff.actorFor('demo-officer');
    const cases = await browser.get('/workspace/cases');
    expect(cases.status).toBe(200);
    expect(cases.text).toContain('Signed in as Demo Inclusion Officer (fictional), inclusion officer');
    expect(cases.text).toContain(`${(await store.cases.list(officer)).length} cases`);
    // Every page in the tab follows Teams' theme.
    expect(cases.html).toContain('<script src="/workspace/assets/teams-theme.js"></script>');
    // Teams says who is signed in: no Sign out button, which would sign straight back in.
    expect(cases.html).not.toContain('action="/workspace/sign-out"');
    expect(lines.some((l) => l.includes('signed in') && l.includes('demo-officer'))).toBe(true);
  });

  it('takes the Application ID URI on WORKSPACE_URL\'s host as audience, and no other host', async () => {
    const browser = await serve();
    expect((await signInWith(browser, await token({ aud: `api://${HOST}/${APP_ID}`, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' }))).status).toBe(303);
    const fresh = await serve();
    expect((await signInWith(fresh, await token({ aud: `api://other.example.org/${APP_ID}` }))).status).toBe(403);
    expect(fresh.cookie('workspace.session')).toBeUndefined();
  });

  it('refuses every bad token, and a good one for someone not on the staff list, with one page that says nothing, no session, and the reason in the log only', async () => {
    const refusals: [string, Promise<string> | string, string][] = [
      ['another API', token({ aud: 'https://graph.microsoft.com' }), 'wrong audience'],
      ['another app', token({ aud: OTHER_TENANT }), 'wrong audience'],
      ['another tenant', token({ tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }), 'tenant not allowed'],
      ['expired', token({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 600 }), 'token expired'],
      ['unsigned', new UnsecuredJWT({ aud: APP_ID, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, oid: DEMO_OFFICER_AAD_ID, scp: 'access_as_user', exp: now() + 3600 }).encode(), 'signing algorithm not allowed'],
      ['signed by someone else', token({}, strangerKey, 'not-published'), 'signed with an unknown key'],
      ['forged with the real key id', token({}, strangerKey), 'bad signature'],
      ['not a token', 'not.a.token', 'malformed token'],
      ['empty', '', 'no token'],
      ['someone not on the staff list', token({ oid: STRANGER_OID }), 'not on the staff list'],
    ];
    const pages: string[] = [];
    for (const [what, pending, reason] of refusals) {
      const sso = await pending;
      const browser = await serve();
      lines.length = 0;
      const refused = await signInWith(browser, sso);
      expect(refused.status, what).toBe(403);
      expect(refused.text, what).toContain('You cannot sign in to the workspace');
      expect(refused.setCookies.some((c) => /^workspace\.session=[^;]/.test(c)), what).toBe(false);
      expect(browser.cookie('workspace.session'), what).toBeUndefined();
      const cases = await browser.get('/workspace/cases');
      expect(cases.status, what).toBe(303);
      expect(cases.location, what).toBe('/workspace/sign-in');
      // Nothing revealed: neither the reason nor anything the token says.
      for (const secret of [reason, DEMO_OFFICER_AAD_ID, STRANGER_OID, TENANT, OTHER_TENANT, 'officer@demo.example', 'Demo Officer']) expect(refused.html, what).not.toContain(secret);
      pages.push(refused.html.replace(/value="[^"]+"/g, ''));
      // The log has the reason, as a fixed phrase, and nothing from the token.
      const refusal = lines.filter((l) => l.includes('Teams sign-in refused'));
      expect(refusal, what).toHaveLength(1);
      expect(JSON.parse(refusal[0]!), what).toEqual({ m: 'workspace: Teams sign-in refused', channel: 'web', verb: 'sign-in', status: 403, error: reason });
      for (const line of lines) {
        if (sso) expect(line, what).not.toContain(sso);
        for (const secret of [DEMO_OFFICER_AAD_ID, STRANGER_OID, TENANT, OTHER_TENANT, 'officer@demo.example']) expect(line, what).not.toContain(secret);
      }
    }
    // One page whatever the reason.
    expect(new Set(pages).size).toBe(1);
  });

  it('ends the session already in the browser when a token is refused', async () => {
    const browser = await serve();
    expect((await signInWith(browser, await token())).status).toBe(303);
    expect((await browser.get('/workspace/cases')).status).toBe(200);
    expect((await signInWith(browser, await token({ oid: STRANGER_OID }))).status).toBe(403);
    expect(browser.cookie('workspace.session')).toBeUndefined();
    expect((await browser.get('/workspace/cases')).status).toBe(303);
  });

  it('refuses the token without the tab page\'s CSRF token, or with another browser\'s: the token POST is a form like any other', async () => {
    const browser = await serve();
    const sso = await token();
    const missing = await browser.post('/workspace/sign-in/teams', { token: sso });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Your form could not be sent');
    expect(browser.signedInAs()).toBeUndefined();

    const other = await serve();
    const theirs = (await other.get('/workspace/sign-in/teams')).csrf();
    const forged = await browser.post('/workspace/sign-in/teams', { _csrf: theirs, token: sso });
    expect(forged.status).toBe(403);
    expect(browser.signedInAs()).toBeUndefined();
    // Signing out is a form too, here as anywhere.
    expect((await signInWith(browser, sso)).status).toBe(303);
    expect((await browser.post('/workspace/sign-out', {})).status).toBe(403);
    expect((await browser.get('/workspace/cases')).status).toBe(200);
  });

  it("serves the tab's page to Teams' frame (another site's), and takes the token only from the workspace's own origin — behind a proxy, WORKSPACE_URL's", async () => {
    // Behind a proxy: the service hears 127.0.0.1, the browser is on WORKSPACE_URL.
    const browser = await serve(undefined, WORKSPACE_URL);
    const framed = { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'iframe' };
    const sso = await token();
    for (const origin of ['https://teams.microsoft.com', 'https://attacker.example', 'null', `http://${HOST}`]) {
      const tab = await browser.get(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`, framed);
      expect(tab.status).toBe(200);
      const forged = await browser.post(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`, { _csrf: tab.csrf(), token: sso }, undefined, { origin, 'sec-fetch-site': 'cross-site' });
      expect(forged.status, origin).toBe(403);
      expect(forged.text, origin).toContain('Your form could not be sent');
      expect(browser.signedInAs(), origin).toBeUndefined();
    }
    expect(lines.some((l) => l.includes('form refused: sent from another origin'))).toBe(true);
    const tab = await browser.get(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`, framed);
    const signedIn = await browser.post(`${WORKSPACE_PATH}${TEAMS_TAB_PATH}`, { _csrf: tab.csrf(), token: sso }, undefined, { origin: `https://${HOST}`, 'sec-fetch-site': 'same-origin' });
    expect(signedIn.status).toBe(303);
    expect(browser.signedInAs()).toBe('demo-officer');
    // The case list, from the tab's own page: the same origin, served.
    expect((await browser.get('/workspace/cases', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('offers no local sign-in with a Microsoft app id: the staff list is not shown, and choosing from it is refused', async () => {
    const methods = signInMethods(teamsConfig(), { teamsJwksUrl: keys.url });
    expect(methods.map((m) => m.method)).toEqual(['teams-tab']);
    const browser = await serve(methods);
    const page = await browser.get('/workspace/sign-in');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Signing you in');
    expect(page.text).not.toContain('Demo Head');
    expect(page.text).not.toContain('Who are you?');
    const chosen = await browser.post('/workspace/sign-in', { _csrf: page.csrf(), staffId: 'demo-officer' });
    expect(chosen.status).toBe(403);
    expect(chosen.text).toContain('Sign in from Teams');
    expect(browser.signedInAs()).toBeUndefined();
  });

  it('serves the Teams JS SDK, the tab script and the theme from its own assets', async () => {
    const browser = await serve();
    const sdk = await fetch(`${browser.origin}/workspace/assets/MicrosoftTeams.min.js`);
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toMatch(/javascript/);
    expect(await sdk.text()).toContain('microsoftTeams');
    for (const asset of ['teams-tab.mjs', 'teams-theme.js', 'teams.css', 'MicrosoftTeams.min.js.map']) {
      expect((await fetch(`${browser.origin}/workspace/assets/${asset}`)).status, asset).toBe(200);
    }
  });

  it('serves the tab page at the address the Teams app package gives its static tab', async () => {
    const manifest = teamsManifest({ appId: APP_ID, version: '1.0.0', developerName: 'Test', websiteUrl: 'https://example.org', privacyUrl: 'https://example.org/p', termsUrl: 'https://example.org/t', workspaceUrl: WORKSPACE_URL });
    const tab = manifest.staticTabs![0]!;
    expect(manifest.webApplicationInfo?.resource).toBe(`api://${HOST}/${APP_ID}`);
    const browser = await serve();
    const page = await browser.get(new URL(tab.contentUrl).pathname);
    expect(page.status).toBe(200);
    expect(page.html).toContain('id="teams-sign-in"');
    expect((await browser.get(new URL(tab.websiteUrl).pathname)).location).toBe('/workspace/sign-in');
  });
});

describe('Teams tab sign-in from the settings', () => {
  function methodsWith(env: Record<string, string>) {
    const lines: string[] = [];
    const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
    const methods = signInMethods(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'p', ...env }), { log: { debug: write, info: write, warn: write, error: write } });
    return { methods: methods.map((m) => m.method), lines };
  }

  it('is on with a Microsoft app id and an https WORKSPACE_URL, in production too, and says so at start', () => {
    const on = methodsWith({ WORKSPACE_URL });
    expect(on.methods).toEqual(['teams-tab']);
    expect(on.lines.join('\n')).toContain(`Teams tab sign-in on, for api://${HOST}/${APP_ID}`);
    expect(methodsWith({ WORKSPACE_URL, NODE_ENV: 'production', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: SECRET }).methods).toEqual(['teams-tab']);
  });

  it('is not available — said in the log, not a crash — without WORKSPACE_URL, over http, or with a tenant that is not an id', () => {
    const unset = methodsWith({});
    expect(unset.methods).toEqual([]);
    expect(unset.lines.join('\n')).toMatch(/Teams tab sign-in is not available: WORKSPACE_URL is not set/);
    const http = methodsWith({ WORKSPACE_URL: 'http://bx.example.org/workspace' });
    expect(http.methods).toEqual([]);
    expect(http.lines.join('\n')).toMatch(/not available: WORKSPACE_URL is not https/);
    const tenant = methodsWith({ WORKSPACE_URL, TEAMS_ALLOWED_TENANTS: 'contoso.onmicrosoft.com' });
    expect(tenant.methods).toEqual([]);
    expect(tenant.lines.join('\n')).toMatch(/not available: .*TEAMS_ALLOWED_TENANTS.*allowedTenants/);
  });

  it('is never on in local mode, where local sign-in stays', () => {
    expect(signInMethods(loadConfig({ WORKSPACE_URL })).map((m) => m.method)).toEqual(['local']);
  });
});
