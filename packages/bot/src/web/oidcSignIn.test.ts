/**
 * Signing in from a browser outside Teams with OpenID Connect, over HTTP, as a browser does it: the
 * workspace with the service's settings over a real store (the demo school), and a small fake
 * OpenID provider on 127.0.0.1 (node:http) standing in for Microsoft Entra ID — its discovery
 * document, its key set (an RS256 key made here with jose), an authorization endpoint that sends
 * the browser back with a code, and a token endpoint that checks the client secret, the redirect
 * URI and the PKCE verifier and answers with an ID token for the nonce it was given. No network.
 * The browser is fetch, following each redirect by hand and keeping the workspace's cookies.
 *
 * Two settings: the production ones — the bot's app registration as the client, an https
 * WORKSPACE_URL (a proxy in front: the browser is sent to the public address, and this test
 * carries it to the local port), beside the Teams tab — and OpenID Connect alone on
 * http://127.0.0.1 (NODE_ENV=test), with no Microsoft app id: its settings end the local trial, so
 * no staff list beside it.
 *
 * The demo officer (DEMO_OFFICER_AAD_ID) signs in and sees the case list; a wrong nonce, another
 * audience, an expired or unsigned or forged token, a changed state, a tenant off the allow-list,
 * an unknown oid, a provider that says no, a callback with no sign-in started in this browser or
 * too long ago, an unreachable provider: one and the same page, no session, and a reason in the log
 * with nothing from the token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload, type KeyLike } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseStore } from '@before-exclusion/workflows';
import { ConfigError, isLocalMode, loadConfig, oidcSettings } from '../service/config.js';
import { DEMO_OFFICER_AAD_ID } from '../service/demo.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, demoStore } from '../testing/fixtures.js';
import { OIDC_CALLBACK_PATH, OIDC_START_PATH } from './oidcSignIn.js';
import { signInMethods } from './signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';
import { WorkspaceBrowser as Browser, WorkspacePage as Page } from '../testing/workspaceBrowser.js';

const CLIENT_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const CLIENT_SECRET = 'the-app-registrations-client-secret';
const TENANT = 'f2b1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const OTHER_TENANT = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const STRANGER_OID = '99999999-2222-4333-8444-555555555555';
const PUBLIC_URL = 'https://bx.example.org/workspace';
const KID = 'oidc-test-key';
const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';
/** What the ID token says about the person besides their ids: never to be shown or logged. */
const NAME = 'Demo Officer';
const USERNAME = 'officer@demo.example';

const now = () => Math.floor(Date.now() / 1000);
const base64url = (bytes: Buffer) => bytes.toString('base64url');

// --- The fake provider ------------------------------------------------------------------

interface Authorization {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly nonce: string;
  readonly challenge: string;
  used: boolean;
}

/** What the provider does next: the authorization endpoint's error, the ID token's claims changed (undefined removes one), its key. */
interface Next {
  authorizeError?: string;
  claims?: Record<string, unknown>;
  key?: KeyLike;
  kid?: string;
  unsigned?: boolean;
}

class FakeProvider {
  readonly #server: Server;
  readonly #codes = new Map<string, Authorization>();
  readonly authorizations: URLSearchParams[] = [];
  readonly tokenRequests: URLSearchParams[] = [];
  readonly idTokens: string[] = [];
  readonly codes: string[] = [];
  next: Next = {};

  private constructor(
    server: Server,
    readonly origin: string,
    readonly signingKey: KeyLike,
    readonly jwks: string,
  ) {
    this.#server = server;
  }

  /** The issuer, shaped like Entra ID's: https://login.microsoftonline.com/TENANT/v2.0. */
  get issuer(): string {
    return `${this.origin}/${TENANT}/v2.0`;
  }

  static async start(): Promise<FakeProvider> {
    const pair = await generateKeyPair('RS256');
    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, use: 'sig', alg: 'RS256' }] });
    let provider!: FakeProvider;
    const server = createServer((req, res) => {
      provider.handle(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new FakeProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, pair.privateKey, jwks);
    return provider;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(req.url ?? '/', this.origin);
    const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (req.method === 'GET' && url.pathname === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.origin}/${TENANT}/oauth2/v2.0/authorize`,
        token_endpoint: `${this.origin}/${TENANT}/oauth2/v2.0/token`,
        jwks_uri: `${this.origin}/${TENANT}/discovery/v2.0/keys`,
        end_session_endpoint: `${this.origin}/${TENANT}/oauth2/v2.0/logout`,
        response_types_supported: ['code', 'id_token', 'code id_token'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        code_challenge_methods_supported: ['S256'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'name', 'preferred_username', 'oid', 'tid', 'ver'],
      });
    }
    if (req.method === 'GET' && url.pathname === `/${TENANT}/discovery/v2.0/keys`) return json(200, JSON.parse(this.jwks));
    if (req.method === 'GET' && url.pathname === `/${TENANT}/oauth2/v2.0/authorize`) {
      const q = url.searchParams;
      this.authorizations.push(q);
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== CLIENT_ID || !redirectUri) return { status: 400, headers: {}, body: 'unknown client' };
      const back = new URL(redirectUri);
      const error = this.next.authorizeError;
      if (error) {
        this.next = {};
        back.searchParams.set('error', error);
        back.searchParams.set('error_description', `AADSTS65004: User ${USERNAME} declined to consent.`);
      } else {
        if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce')) return { status: 400, headers: {}, body: 'not a PKCE code request' };
        const code = base64url(randomBytes(24));
        this.codes.push(code);
        this.#codes.set(code, { clientId: CLIENT_ID, redirectUri, nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, used: false });
        back.searchParams.set('code', code);
      }
      const state = q.get('state');
      if (state !== null) back.searchParams.set('state', state);
      return { status: 302, headers: { location: back.href }, body: '' };
    }
    if (req.method === 'POST' && url.pathname === `/${TENANT}/oauth2/v2.0/token`) {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      const form = new URLSearchParams(text);
      this.tokenRequests.push(form);
      const grant = this.#codes.get(form.get('code') ?? '');
      if (form.get('client_id') !== CLIENT_ID || form.get('client_secret') !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.used || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
      if (base64url(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) !== grant.challenge) return json(400, { error: 'invalid_grant' });
      grant.used = true;
      const idToken = await this.idToken(grant.nonce);
      this.idTokens.push(idToken);
      return json(200, { token_type: 'Bearer', scope: 'openid profile', expires_in: 3600, access_token: base64url(randomBytes(32)), id_token: idToken });
    }
    return { status: 404, headers: {}, body: '' };
  }

  /** An ID token as Entra ID (v2.0) issues it to this client for the demo officer, changed as `next` says. */
  async idToken(nonce: string): Promise<string> {
    const { claims: overrides = {}, key = this.signingKey, kid = KID, unsigned = false } = this.next;
    this.next = {};
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: CLIENT_ID,
      iat: now() - 10,
      nbf: now() - 10,
      exp: now() + 3600,
      nonce,
      sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
      tid: TENANT,
      oid: DEMO_OFFICER_AAD_ID,
      name: NAME,
      preferred_username: USERNAME,
      ver: '2.0',
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete claims[name];
      else claims[name] = value;
    }
    if (unsigned) return new UnsecuredJWT(claims as JWTPayload).encode();
    return new SignJWT(claims as JWTPayload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid }).sign(key);
  }
}

// --- A browser (../testing/workspaceBrowser.ts) and a sign-in --------------------------

/** The steps of one sign-in: the workspace's start, the provider's answer, the callback. */
interface Flow {
  readonly start: Page;
  readonly authorize: Page;
  readonly callback: Page;
  /** The callback address the provider sent the browser to. */
  readonly callbackUrl: string;
}

/** From the sign-in page's button, through the provider, to the callback's answer; `tamper` changes the callback address first. */
async function signInThrough(browser: Browser, tamper: (callback: URL) => URL = (u) => u): Promise<Flow> {
  const page = await browser.get('/workspace/sign-in');
  expect(page.status).toBe(200);
  const href = page.html.match(/<a href="([^"]+)"[^>]*class="govuk-button"[^>]*>\s*Sign in with your Microsoft account/)?.[1];
  expect(href, 'the sign-in page offers the Microsoft account').toBe(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
  const start = await browser.get(href!);
  expect(start.status).toBe(303);
  const authorize = await browser.get(start.location!);
  expect(authorize.status).toBe(302);
  const callbackUrl = tamper(new URL(authorize.location!)).href;
  return { start, authorize, callback: await browser.get(callbackUrl), callbackUrl };
}

// --- The workspace -----------------------------------------------------------------------

let provider: FakeProvider;
let strangerKey: KeyLike;

beforeAll(async () => {
  provider = await FakeProvider.start();
  strangerKey = (await generateKeyPair('RS256')).privateKey;
});

afterAll(async () => {
  await provider?.close();
});

interface Setup {
  readonly name: string;
  readonly methods: readonly string[];
  /** The settings, given the provider's issuer and the workspace's local origin. */
  env(issuer: string, origin: string): Record<string, string>;
  /** The workspace's public address, given its local origin. */
  publicUrl(origin: string): string;
  /** What the sign-in page shows beside the button. */
  readonly beside: string;
}

const SETUPS: readonly Setup[] = [
  {
    name: 'beside the Teams tab, with the production settings (the bot\'s app registration, an https WORKSPACE_URL behind a proxy)',
    methods: ['teams-tab', 'oidc'],
    env: (issuer) => ({ MicrosoftAppId: CLIENT_ID, MicrosoftAppPassword: CLIENT_SECRET, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, OIDC_ISSUER: issuer, WORKSPACE_URL: PUBLIC_URL, TEAMS_ALLOWED_TENANTS: TENANT }),
    publicUrl: () => PUBLIC_URL,
    beside: 'Not in Teams?',
  },
  {
    name: 'on 127.0.0.1 (NODE_ENV=test) with no Microsoft app id, alone: OIDC settings end the staff list',
    methods: ['oidc'],
    env: (issuer, origin) => ({ NODE_ENV: 'test', OIDC_ISSUER: issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, WORKSPACE_URL: `${origin}${WORKSPACE_PATH}`, TEAMS_ALLOWED_TENANTS: TENANT }),
    publicUrl: (origin) => `${origin}${WORKSPACE_PATH}`,
    beside: 'Sign in with the Microsoft account your school or trust gave you',
  },
];

describe.each(BACKENDS)('OpenID Connect sign-in from a browser, on %s', (backend) => {
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

  afterEach(() => {
    vi.useRealTimers();
  });

  /** The workspace as the service mounts it with these settings; its log lines from start are cleared. */
  async function serve(setup: Setup, issuer = provider.issuer): Promise<Browser> {
    const app = express();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadConfig(setup.env(issuer, origin));
    const signIn = signInMethods(config, { log });
    expect(signIn.map((m) => m.method)).toEqual(setup.methods);
    app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn, publicUrl: config.WORKSPACE_URL }));
    lines.length = 0;
    return new Browser(origin, setup.publicUrl(origin));
  }

  describe.each(SETUPS)('$name', (setup) => {
    it('signs the demo officer in with their Microsoft account and shows their cases; the session holds their staff id, how and when, and nothing from the token; signing out ends it', async () => {
      const browser = await serve(setup);
      const page = await browser.get('/workspace/sign-in');
      expect(page.text).toContain('Sign in with your Microsoft account');
      expect(page.text).toContain(setup.beside);
      const authorizations = provider.authorizations.length;
      const tokenRequests = provider.tokenRequests.length;

      const flow = await signInThrough(browser);
      // Sent to the provider's authorization endpoint: a code with PKCE (S256), state and nonce, openid profile only.
      const authorize = new URL(flow.start.location!);
      expect(authorize.origin + authorize.pathname).toBe(`${provider.origin}/${TENANT}/oauth2/v2.0/authorize`);
      const asked = Object.fromEntries(provider.authorizations[authorizations]!);
      expect(asked).toEqual({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: `${setup.publicUrl(new URL(browser.origin).origin)}${OIDC_CALLBACK_PATH}`,
        scope: 'openid profile',
        state: expect.stringMatching(/^[\w-]{43}$/),
        nonce: expect.stringMatching(/^[\w-]{43}$/),
        code_challenge: expect.stringMatching(/^[\w-]{43}$/),
        code_challenge_method: 'S256',
        prompt: 'select_account',
      });
      expect(asked.state).not.toBe(asked.nonce);
      // Meanwhile the session (signed, HttpOnly) holds the pending sign-in and no one.
      const pendingCookie = flow.start.setCookies.find((c) => c.startsWith('workspace.session='))!;
      expect(pendingCookie).toMatch(/; httponly/i);
      expect(pendingCookie).toMatch(/; path=\/workspace/i);
      expect(flow.start.setCookies.some((c) => c.startsWith('workspace.session.sig='))).toBe(true);

      // Back with a code: exchanged with the client secret and the PKCE verifier for the registered redirect URI.
      expect(new URL(flow.callbackUrl).pathname).toBe(`${WORKSPACE_PATH}${OIDC_CALLBACK_PATH}`);
      expect(flow.callback.status).toBe(303);
      expect(flow.callback.location).toBe('/workspace/cases');
      const exchange = Object.fromEntries(provider.tokenRequests[tokenRequests]!);
      expect(exchange).toMatchObject({ grant_type: 'authorization_code', client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uri: asked.redirect_uri });
      expect(exchange.code_verifier).toMatch(/^[\w-]{43,128}$/);
      expect(provider.tokenRequests).toHaveLength(tokenRequests + 1);
      // A new session id, the staff id, how and when: no token, no claim.
      expect(browser.session()).toEqual({ sid: expect.stringMatching(/^[\w-]{22}$/), staffId: 'demo-officer', method: 'oidc', iat: expect.any(Number) });

      const officer = await store.staff.actorFor('demo-officer');
      const cases = await browser.get('/workspace/cases');
      expect(cases.status).toBe(200);
      expect(cases.text).toContain('Signed in as Demo Inclusion Officer (fictional), inclusion officer');
      expect(cases.text).toContain(`${(await store.cases.list(officer)).length} cases`);
      // A browser signs out here (beside a Teams tab too: there teams-tab.mjs hides the button inside Teams).
      expect(cases.html).toContain('action="/workspace/sign-out"');
      expect(lines.some((l) => l.includes('signed in') && l.includes('demo-officer'))).toBe(true);
      for (const line of lines) {
        for (const secret of [provider.idTokens.at(-1)!, provider.codes.at(-1)!, DEMO_OFFICER_AAD_ID, NAME, USERNAME, asked.state!, asked.nonce!]) expect(line).not.toContain(secret);
      }

      const out = await browser.post('/workspace/sign-out', { _csrf: cases.csrf() });
      expect(out.status).toBe(303);
      expect(out.location).toBe('/workspace/sign-in');
      expect(browser.cookie('workspace.session')).toBeUndefined();
      expect((await browser.get('/workspace/cases')).location).toBe('/workspace/sign-in');
    });

    it('refuses every bad answer, and a good one for someone it does not know, with one page that says nothing, no session, and the reason in the log only', async () => {
      const refusals: [string, () => void, (callback: URL) => URL, string][] = [
        ['a wrong nonce', () => (provider.next = { claims: { nonce: 'another-sign-ins-nonce' } }), (u) => u, 'ID token nonce does not match'],
        ['another audience', () => (provider.next = { claims: { aud: 'another-client' } }), (u) => u, 'ID token for another audience'],
        ['another issuer', () => (provider.next = { claims: { iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` } }), (u) => u, 'ID token from another issuer'],
        ['an expired ID token', () => (provider.next = { claims: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 600 } }), (u) => u, 'ID token expired'],
        ['an unsigned ID token', () => (provider.next = { unsigned: true }), (u) => u, 'ID token signing algorithm not allowed'],
        ['an ID token signed with a key the provider does not publish', () => (provider.next = { key: strangerKey, kid: 'not-published' }), (u) => u, 'ID token signed with an unknown key'],
        ['an ID token forged with the real key id', () => (provider.next = { key: strangerKey }), (u) => u, 'ID token signature does not verify'],
        // One character changed (to another one: a random state may already start with x).
        ['a changed state', () => {}, (u) => (u.searchParams.set('state', `${u.searchParams.get('state')!.startsWith('x') ? 'y' : 'x'}${u.searchParams.get('state')!.slice(1)}`), u), 'state does not match'],
        ['no state', () => {}, (u) => (u.searchParams.delete('state'), u), 'state does not match'],
        ['a changed code', () => {}, (u) => (u.searchParams.set('code', 'not-the-code'), u), 'the token endpoint refused the code (invalid_grant)'],
        ['the provider saying no', () => (provider.next = { authorizeError: 'access_denied' }), (u) => u, 'the provider answered with an error (access_denied)'],
        ['a tenant off the allow-list', () => (provider.next = { claims: { tid: OTHER_TENANT } }), (u) => u, 'tenant not allowed'],
        ['no tenant', () => (provider.next = { claims: { tid: undefined } }), (u) => u, 'tenant not allowed'],
        ['no oid', () => (provider.next = { claims: { oid: undefined } }), (u) => u, 'no oid claim (is the profile scope granted?)'],
        ['someone not on the staff list', () => (provider.next = { claims: { oid: STRANGER_OID } }), (u) => u, 'not on the staff list'],
      ];
      const pages: string[] = [];
      for (const [what, arrange, tamper, reason] of refusals) {
        const browser = await serve(setup);
        arrange();
        const tokens = provider.idTokens.length;
        const flow = await signInThrough(browser, tamper);
        const refused = flow.callback;
        expect(refused.status, what).toBe(403);
        expect(refused.text, what).toContain('You cannot sign in to the workspace');
        expect(refused.setCookies.some((c) => /^workspace\.session=[^;]/.test(c)), what).toBe(false);
        expect(browser.cookie('workspace.session'), what).toBeUndefined();
        const cases = await browser.get('/workspace/cases');
        expect(cases.status, what).toBe(303);
        expect(cases.location, what).toBe('/workspace/sign-in');
        // Nothing revealed on the page: neither the reason nor anything the provider said.
        const said = [...provider.idTokens.slice(tokens), provider.codes.at(-1)!, DEMO_OFFICER_AAD_ID, STRANGER_OID, TENANT, OTHER_TENANT, NAME, USERNAME, 'AADSTS'];
        for (const secret of [reason, ...said]) expect(refused.html, what).not.toContain(secret);
        pages.push(refused.html.replace(/value="[^"]+"/g, ''));
        // The log has the reason, and nothing from the provider's answer.
        const refusal = lines.filter((l) => l.includes('sign-in refused'));
        expect(refusal, what).toHaveLength(1);
        expect(JSON.parse(refusal[0]!), what).toEqual({ m: 'workspace: OpenID Connect sign-in refused', channel: 'web', verb: 'sign-in', status: 403, error: reason });
        for (const line of lines) for (const secret of said) expect(line, what).not.toContain(secret);
      }
      // One page whatever the reason.
      expect(new Set(pages).size).toBe(1);
    });

    it('refuses a callback with no sign-in started in this browser: another browser\'s code and state (login CSRF), or the same callback again', async () => {
      // An attacker's own sign-in, stopped before the callback, handed to someone else's browser.
      const attacker = await serve(setup);
      provider.next = { claims: { oid: DEMO_OFFICER_AAD_ID } };
      const start = await attacker.get(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
      // The same site in production; in a local trial each test server has its own port: the path and query are what matter.
      const sent = new URL((await attacker.get(start.location!)).location!);
      const theirs = `${sent.pathname}${sent.search}`;
      const victim = await serve(setup);
      const tokens = provider.tokenRequests.length;
      const forged = await victim.get(theirs);
      expect(forged.status).toBe(403);
      expect(forged.text).toContain('You cannot sign in to the workspace');
      expect(victim.cookie('workspace.session')).toBeUndefined();
      expect(JSON.parse(lines.find((l) => l.includes('sign-in refused'))!).error).toBe('no sign-in was started in this browser');
      // Refused before the code was ever sent to the provider.
      expect(provider.tokenRequests).toHaveLength(tokens);

      // With a sign-in of its own pending, the other browser's callback still does not match.
      await victim.get(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
      lines.length = 0;
      expect((await victim.get(theirs)).status).toBe(403);
      expect(JSON.parse(lines.find((l) => l.includes('sign-in refused'))!).error).toBe('state does not match');
      expect(provider.tokenRequests).toHaveLength(tokens);

      // A callback is good once: again (the back button, a replay), it is refused, and the session it started ends.
      const browser = await serve(setup);
      const flow = await signInThrough(browser);
      expect(flow.callback.status).toBe(303);
      expect((await browser.get('/workspace/cases')).status).toBe(200);
      lines.length = 0;
      expect((await browser.get(flow.callbackUrl)).status).toBe(403);
      expect(JSON.parse(lines.find((l) => l.includes('sign-in refused'))!).error).toBe('no sign-in was started in this browser');
      expect((await browser.get('/workspace/cases')).status).toBe(303);
    });
  });

  it('offers the Microsoft account on the Teams tab\'s sign-in page, for a browser outside Teams, and where the staff list is refused', async () => {
    const browser = await serve(SETUPS[0]!);
    const page = await browser.get('/workspace/sign-in');
    expect(page.text).toContain('Signing you in');
    // Hidden by teams-tab.mjs once Teams answers: inside Teams the tab signs in by itself.
    expect(page.html).toMatch(/<div data-hidden-in-teams>\s*<h2 class="govuk-heading-m">Not in Teams\?<\/h2>/);
    const chosen = await browser.post('/workspace/sign-in', { _csrf: page.csrf(), staffId: 'demo-officer' });
    expect(chosen.status).toBe(403);
    expect(chosen.text).toContain('Sign in from Teams');
    expect(chosen.html).toContain(`href="${WORKSPACE_PATH}${OIDC_START_PATH}"`);
    expect((browser.session() as { staffId?: string } | undefined)?.staffId).toBeUndefined();
    // Signed in from a browser, Sign out is there — marked to be hidden inside Teams.
    expect((await signInThrough(browser)).callback.status).toBe(303);
    expect((await browser.get('/workspace/cases')).html).toContain('<form method="post" action="/workspace/sign-out" data-hidden-in-teams>');
  });

  it("goes on from the provider's redirect (another site's) to the cases through a page of the workspace's own, which the case list serves", async () => {
    const browser = await serve(SETUPS[0]!);
    const start = await browser.get(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
    const callback = (await browser.get(start.location!)).location!;
    const crossSite = { 'sec-fetch-site': 'cross-site' };
    const back = await browser.get(callback, crossSite);
    expect(back.status).toBe(200);
    expect(back.text).toContain('You are signed in');
    expect(back.html).toContain('<meta http-equiv="refresh" content="0; url=/workspace/cases">');
    expect(back.html).toContain('href="/workspace/cases"');
    expect((browser.session() as { staffId?: string }).staffId).toBe('demo-officer');
    // A redirect would have carried the provider's mark to the case list, which refuses it; the page's own link does not.
    expect((await browser.get('/workspace/cases', crossSite)).status).toBe(403);
    expect((await browser.get('/workspace/cases', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });

  it('ends the session already in the browser when a sign-in is refused', async () => {
    const browser = await serve(SETUPS[0]!);
    expect((await signInThrough(browser)).callback.status).toBe(303);
    expect((await browser.get('/workspace/cases')).status).toBe(200);
    provider.next = { claims: { oid: STRANGER_OID } };
    expect((await signInThrough(browser)).callback.status).toBe(403);
    expect(browser.cookie('workspace.session')).toBeUndefined();
    expect((await browser.get('/workspace/cases')).status).toBe(303);
  });

  it('refuses a sign-in started more than ten minutes before its callback', async () => {
    const browser = await serve(SETUPS[0]!);
    const start = await browser.get(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
    const callback = (await browser.get(start.location!)).location!;
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 11 * 60 * 1000 });
    const late = await browser.get(callback);
    vi.useRealTimers();
    expect(late.status).toBe(403);
    expect(JSON.parse(lines.find((l) => l.includes('sign-in refused'))!).error).toBe('the sign-in was started too long ago');
    expect(browser.cookie('workspace.session')).toBeUndefined();
  });

  it('refuses, with the same page, when the provider cannot be reached — and the service runs on', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const browser = await serve(SETUPS[0]!, `http://127.0.0.1:${port}/${TENANT}/v2.0`);
    const start = await browser.get(`${WORKSPACE_PATH}${OIDC_START_PATH}`);
    expect(start.status).toBe(403);
    expect(start.text).toContain('You cannot sign in to the workspace');
    expect(JSON.parse(lines.find((l) => l.includes('sign-in refused'))!).error).toMatch(/^the provider's configuration could not be read: /);
    expect(browser.cookie('workspace.session')).toBeUndefined();
    expect((await browser.get('/workspace/sign-in')).status).toBe(200);
  });

  it('shows its own sign-in page when it is the only way in: one button, and Sign out once signed in', async () => {
    const app = express();
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // A Microsoft app id with no Teams tab (over http, allowed for OIDC on 127.0.0.1 in tests only).
    const config = loadConfig({ NODE_ENV: 'test', MicrosoftAppId: CLIENT_ID, MicrosoftAppPassword: CLIENT_SECRET, OIDC_ISSUER: provider.issuer, WORKSPACE_URL: `${origin}${WORKSPACE_PATH}` });
    const signIn = signInMethods(config, { log });
    expect(signIn.map((m) => m.method)).toEqual(['oidc']);
    app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn }));
    const browser = new Browser(origin, `${origin}${WORKSPACE_PATH}`);
    const page = await browser.get('/workspace/sign-in');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign in with the Microsoft account your school or trust gave you');
    expect(page.text).not.toContain('Who are you?');
    expect(page.text).not.toContain('Signing you in');
    expect(page.html).not.toContain('name="staffId"');
    expect((await signInThrough(browser)).callback.status).toBe(303);
    const cases = await browser.get('/workspace/cases');
    expect(cases.status).toBe(200);
    expect(cases.html).toContain('action="/workspace/sign-out"');
    expect(cases.html).not.toContain('teams-tab.mjs');
  });
});

describe('OpenID Connect sign-in from the settings', () => {
  function methodsWith(env: Record<string, string>) {
    const lines: string[] = [];
    const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
    const methods = signInMethods(loadConfig(env), { log: { debug: write, info: write, warn: write, error: write } });
    return { methods: methods.map((m) => m.method), log: lines.join('\n') };
  }
  const microsoft = { MicrosoftAppId: CLIENT_ID, MicrosoftAppPassword: CLIENT_SECRET, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, WORKSPACE_URL: PUBLIC_URL };

  it('is on with the Microsoft app registration and an https WORKSPACE_URL — Entra ID for the tenant, the app\'s id and secret — in production too, and says so at start', () => {
    expect(oidcSettings(loadConfig(microsoft))).toEqual({ issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, asked: false });
    const on = methodsWith(microsoft);
    expect(on.methods).toEqual(['teams-tab', 'oidc']);
    expect(on.log).toContain(`workspace: OpenID Connect sign-in on, for https://login.microsoftonline.com/${TENANT}/v2.0`);
    expect(on.log).toContain(`"url":"${PUBLIC_URL}/sign-in/oidc/callback"`);
    expect(on.log).not.toContain(CLIENT_SECRET);
    expect(methodsWith({ ...microsoft, NODE_ENV: 'production', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: SECRET }).methods).toEqual(['teams-tab', 'oidc']);
    // OIDC_… settings win over the app registration's.
    const own = oidcSettings(loadConfig({ ...microsoft, OIDC_ISSUER: 'https://idp.example.org/v2.0', OIDC_CLIENT_ID: 'web-client', OIDC_CLIENT_SECRET: 'web-secret' }));
    expect(own).toEqual({ issuer: 'https://idp.example.org/v2.0', clientId: 'web-client', clientSecret: 'web-secret', asked: true });
  });

  it('is not available — said in the log, not a crash — without an issuer, a secret, WORKSPACE_URL, or https', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...microsoft, MicrosoftAppTenantId: '' }, /OpenID Connect sign-in is not available: no issuer: set MicrosoftAppTenantId/],
      [{ ...microsoft, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppPassword: '' }, /not available: no client secret/],
      [{ ...microsoft, WORKSPACE_URL: '' }, /not available: WORKSPACE_URL is not set/],
      [{ ...microsoft, WORKSPACE_URL: 'http://bx.example.org/workspace' }, /not available: WORKSPACE_URL is not https/],
      // Plain http on 127.0.0.1: in tests only.
      [{ ...microsoft, WORKSPACE_URL: 'http://127.0.0.1:3978/workspace' }, /not available: WORKSPACE_URL is not https/],
      [{ ...microsoft, TEAMS_ALLOWED_TENANTS: 'contoso.onmicrosoft.com' }, /OpenID Connect sign-in is not available: the settings cannot be used: allowedTenants holds .*contoso\.onmicrosoft\.com/],
      [{ OIDC_ISSUER: 'https://idp.example.org/v2.0', OIDC_CLIENT_SECRET: 's', WORKSPACE_URL: PUBLIC_URL }, /not available: no client id/],
    ];
    for (const [env, why] of cases) {
      const { methods, log } = methodsWith(env);
      expect(methods, JSON.stringify(env)).not.toContain('oidc');
      expect(log, JSON.stringify(env)).toMatch(why);
    }
    expect(methodsWith({ ...microsoft, NODE_ENV: 'test', WORKSPACE_URL: 'http://127.0.0.1:3978/workspace' }).methods).toEqual(['oidc']);
  });

  it('says nothing in local mode when nothing asks for it, where local sign-in stays; with OIDC settings it is offered alone — no staff list beside it', () => {
    const local = methodsWith({ WORKSPACE_URL: PUBLIC_URL });
    expect(local.methods).toEqual(['local']);
    expect(local.log).not.toContain('OpenID Connect');
    const oidc = methodsWith({ OIDC_ISSUER: 'https://idp.example.org/v2.0', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's', WORKSPACE_URL: PUBLIC_URL });
    expect(oidc.methods).toEqual(['oidc']);
    expect(oidc.log).toContain('local sign-in (the staff list) is not offered: OIDC_ settings are set');
  });

  it('checks OIDC_ISSUER at start: an https URL, or plain http on this computer outside production', () => {
    const problem = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return undefined;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems.join('\n');
      }
    };
    expect(problem({ OIDC_ISSUER: 'https://login.microsoftonline.com/common/v2.0' })).toBeUndefined();
    expect(problem({ OIDC_ISSUER: 'http://127.0.0.1:4000/tenant/v2.0' })).toBeUndefined();
    expect(problem({ OIDC_ISSUER: 'http://idp.example.org/v2.0' })).toMatch(/^OIDC_ISSUER: expected the issuer's https URL/);
    expect(problem({ OIDC_ISSUER: 'login.microsoftonline.com' })).toMatch(/^OIDC_ISSUER: expected/);
    expect(problem({ OIDC_ISSUER: 'https://idp.example.org/v2.0?tenant=x' })).toMatch(/^OIDC_ISSUER: expected/);
    expect(problem({ ...microsoft, NODE_ENV: 'production', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: SECRET, OIDC_ISSUER: 'http://127.0.0.1:4000/v2.0' })).toMatch(/OIDC_ISSUER is plain http: in production/);
  });
});
