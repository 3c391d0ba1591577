/**
 * Signing in from a browser outside Teams, with OpenID Connect — Microsoft Entra ID by default,
 * the bot's own app registration as the client — through openid-client (panva's certified
 * relying party library): the authorization code flow with PKCE, `state` and `nonce`.
 *
 * 1. The sign-in page's button, "Sign in with your Microsoft account", is a link to
 *    GET `/sign-in/oidc/start` (a link, not a form: the content security policy's `form-action
 *    'self'` would stop a form redirected to the provider). It makes a fresh state, nonce and PKCE
 *    code verifier, keeps them in the session cookie — signed and HttpOnly, and holding nothing
 *    else meanwhile — and sends the browser to the provider's authorization endpoint, found by
 *    discovery from the issuer (once, on first use, and again after a failure), asking for
 *    `openid profile` and nothing more: no refresh token, no API.
 * 2. The provider sends the browser back to GET `/sign-in/oidc/callback` (WORKSPACE_URL +
 *    that path, the redirect URI registered with the provider) with a code. The pending sign-in
 *    is taken out of the session — it is good for one callback, within ten minutes — the state
 *    compared, and the code exchanged, with the verifier and the client secret, for an ID token.
 *    openid-client checks it: the provider's signature against its published keys (asked for
 *    with `enableNonRepudiationChecks` — without it the library would trust the TLS connection
 *    alone), issuer, audience (this client), expiry, and the nonce.
 * 3. The token's tenant (`tid`) must be on TEAMS_ALLOWED_TENANTS when that list is not empty, and
 *    its `oid` is mapped to a member of staff with `store.staff.byTeamsId`, as the bot maps the
 *    sender of a message and the Teams tab its token. The session then holds the staff id, the
 *    way of signing in (`oidc`) and the time (session.ts): no token is kept, and the access token
 *    that comes with the ID token is dropped unread.
 *
 * Whatever goes wrong — no sign-in started in this browser, a changed state, a refused or
 * unreachable provider, a token that fails a check, a tenant not allowed, someone not on the staff
 * list — the person sees one page that says only that they cannot sign in, the session (and any
 * signed-in person in it) is ended, and the log gets the reason as a fixed phrase: never the code,
 * a token or anything it says.
 *
 * Signing out ends the workspace's session only. It does not send the browser on to the
 * provider's end_session_endpoint: that would also sign the person out of everything else
 * Microsoft in the browser. So that a shared computer does not silently sign the next person in
 * as the last, the provider is asked to show its account picker every time
 * (`prompt=select_account`).
 */
import type { Request, Response } from 'express';
import * as client from 'openid-client';
import { isLoopbackHost, isLocalMode, oidcSettings, type Config } from '../service/config.js';
import { errorText, type Logger } from '../service/log.js';
import { endSession, newSessionId } from './session.js';
import type { SignIn } from './signIn.js';

/** Where the sign-in page's button goes: it starts a sign-in with the provider. */
export const OIDC_START_PATH = '/sign-in/oidc/start';
/** Where the provider sends the browser back: WORKSPACE_URL + this is the redirect URI to register. */
export const OIDC_CALLBACK_PATH = '/sign-in/oidc/callback';

/** Only the ID token, and in it who the person is: no offline_access, no API. */
const SCOPE = 'openid profile';
/** How long a started sign-in waits for its callback. */
const PENDING_MS = 10 * 60 * 1000;
/** How long a request to the provider (discovery, keys, the token endpoint) may take, in seconds. */
const PROVIDER_TIMEOUT_S = 10;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OidcSettings {
  /** The issuer identifier, exactly as the provider's discovery document gives it (https). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** WORKSPACE_URL + OIDC_CALLBACK_PATH: what the provider has registered for this client. */
  readonly redirectUri: string;
  /** Entra ID tenant ids (`tid`) whose people may sign in; empty = any the issuer vouches for. */
  readonly allowedTenants: readonly string[];
}

/** A sign-in started in this browser, kept in its session cookie until the callback. */
interface Pending {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  /** When it was started (ms since the epoch). */
  readonly at: number;
}

/**
 * OpenID Connect sign-in with these settings.
 * @throws TypeError when the settings are unusable (an issuer or redirect URI that is not https, a tenant that is not an id).
 */
export function oidcSignIn(settings: OidcSettings): SignIn {
  const issuer = parseUrl(settings.issuer, 'issuer');
  // The provider's metadata, keys and tokens must come over https, or anyone on the way could
  // change them. Plain http is allowed for a provider on this computer (a loopback host) only:
  // the tests' fake provider. Nothing reaches it over a network.
  const insecure = issuer.protocol === 'http:' && isLoopbackHost(issuer.hostname);
  if (issuer.protocol !== 'https:' && !insecure) throw new TypeError('oidc: the issuer must be an https URL (plain http only on this computer, for tests)');
  const redirect = parseUrl(settings.redirectUri, 'redirectUri');
  if (redirect.protocol !== 'https:' && !(redirect.protocol === 'http:' && isLoopbackHost(redirect.hostname))) throw new TypeError('oidc: the redirect URI must be https (plain http only on this computer, for tests)');
  if (typeof settings.clientId !== 'string' || !settings.clientId) throw new TypeError('oidc: clientId is empty');
  if (typeof settings.clientSecret !== 'string' || !settings.clientSecret) throw new TypeError('oidc: clientSecret is empty');
  const tenants = new Set<string>();
  for (const tenant of settings.allowedTenants) {
    if (typeof tenant !== 'string' || !GUID.test(tenant.trim())) throw new TypeError(`oidc: allowedTenants holds ${JSON.stringify(tenant)}, which is not a tenant id (a GUID)`);
    tenants.add(tenant.trim().toLowerCase());
  }
  const redirectUri = redirect.href;

  let discovered: Promise<client.Configuration> | undefined;
  /** The provider's configuration, discovered once; a failure is forgotten, so that the next sign-in tries again. */
  const provider = (): Promise<client.Configuration> => {
    discovered ??= client
      .discovery(issuer, settings.clientId, undefined, client.ClientSecretPost(settings.clientSecret), {
        timeout: PROVIDER_TIMEOUT_S,
        execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  return {
    method: 'oidc',
    link: { text: 'Sign in with your Microsoft account', path: OIDC_START_PATH },
    mount(router, context) {
      const { store, log, pages } = context;

      /** One page for every refusal; the reason goes to the log only, and no session is left. */
      const refuse = (req: Request, res: Response, reason: string) => {
        endSession(req);
        log.warn('workspace: OpenID Connect sign-in refused', { channel: 'web', verb: 'sign-in', status: 403, error: reason });
        pages.send(res, 'oidc-sign-in-refused', { ...context.layout(req, res), pageTitle: 'You cannot sign in' }, 403);
      };

      // The sign-in page, when no other way of signing in has one (local sign-in and the Teams tab show the button on theirs).
      router.get('/sign-in', (req, res) => pages.send(res, 'oidc-sign-in', context.layout(req, res)));

      router.get(OIDC_START_PATH, async (req, res) => {
        let configuration: client.Configuration;
        try {
          configuration = await provider();
        } catch (error) {
          return refuse(req, res, `the provider's configuration could not be read: ${reasonFor(error)}`);
        }
        const pending: Pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), at: Date.now() };
        // The pending sign-in and a new session id, nothing else: whoever was signed in here is not, until the callback says who is.
        req.session = { sid: newSessionId(), oidc: pending };
        const url = client.buildAuthorizationUrl(configuration, {
          redirect_uri: redirectUri,
          scope: SCOPE,
          state: pending.state,
          nonce: pending.nonce,
          code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
          code_challenge_method: 'S256',
          prompt: 'select_account',
        });
        res.redirect(303, url.href);
      });

      router.get(OIDC_CALLBACK_PATH, async (req, res) => {
        const pending = pendingIn(req);
        // Good for one callback: taken out of the session whatever happens next.
        endSession(req);
        if (!pending) return refuse(req, res, 'no sign-in was started in this browser');
        if (Date.now() - pending.at > PENDING_MS) return refuse(req, res, 'the sign-in was started too long ago');
        const callback = new URL(redirectUri);
        callback.search = new URL(req.originalUrl, 'http://callback.invalid').search;
        const states = callback.searchParams.getAll('state');
        if (states.length !== 1 || states[0] !== pending.state) return refuse(req, res, 'state does not match');

        let claims: client.IDToken | undefined;
        try {
          const tokens = await client.authorizationCodeGrant(await provider(), callback, {
            pkceCodeVerifier: pending.verifier,
            expectedState: pending.state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          });
          claims = tokens.claims();
        } catch (error) {
          return refuse(req, res, reasonFor(error));
        }
        if (!claims) return refuse(req, res, 'no ID token');
        const tid = claims['tid'];
        if (tenants.size > 0 && !(typeof tid === 'string' && tenants.has(tid.toLowerCase()))) return refuse(req, res, 'tenant not allowed');
        const oid = claims['oid'];
        if (typeof oid !== 'string' || !oid) return refuse(req, res, 'no oid claim (is the profile scope granted?)');
        const actor = await store.staff.byTeamsId(oid);
        if (!actor) return refuse(req, res, 'not on the staff list');
        context.signedIn(req, res, actor.id);
      });
    },
  };
}

/**
 * OpenID Connect sign-in as the settings allow it: the issuer (OIDC_ISSUER, or Entra ID's for
 * MicrosoftAppTenantId), the client (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, or the Microsoft app's
 * id and password), and an https WORKSPACE_URL for the callback — plain http://127.0.0.1 only with
 * NODE_ENV=test. Where something is missing there is none, and the log says why, once, at start —
 * unless nothing asked for it (local mode with no OIDC_… setting). Discovery waits for the first
 * sign-in: the service starts whether or not the provider can be reached.
 */
export function oidcSignInFor(config: Config, log: Logger): SignIn | undefined {
  const { issuer, clientId, clientSecret, asked } = oidcSettings(config);
  if (!asked && isLocalMode(config)) return undefined;
  const unavailable = (why: string) => {
    log.warn(`workspace: OpenID Connect sign-in is not available: ${why}`, { channel: 'web' });
    return undefined;
  };
  if (!issuer) return unavailable('no issuer: set MicrosoftAppTenantId (Microsoft Entra ID) or OIDC_ISSUER');
  if (!clientId) return unavailable('no client id: set OIDC_CLIENT_ID (or MicrosoftAppId)');
  if (!clientSecret) return unavailable('no client secret: set OIDC_CLIENT_SECRET (or MicrosoftAppPassword)');
  if (!config.WORKSPACE_URL) return unavailable(`WORKSPACE_URL is not set (the workspace's public address: the provider sends people back to WORKSPACE_URL${OIDC_CALLBACK_PATH})`);
  const workspace = new URL(config.WORKSPACE_URL);
  const testing = config.NODE_ENV === 'test' && workspace.protocol === 'http:' && isLoopbackHost(workspace.hostname);
  if (workspace.protocol !== 'https:' && !testing) return unavailable('WORKSPACE_URL is not https (plain http only on 127.0.0.1 with NODE_ENV=test)');
  const redirectUri = `${config.WORKSPACE_URL}${OIDC_CALLBACK_PATH}`;
  try {
    const signIn = oidcSignIn({ issuer, clientId, clientSecret, redirectUri, allowedTenants: config.TEAMS_ALLOWED_TENANTS });
    log.info(`workspace: OpenID Connect sign-in on, for ${issuer}`, { channel: 'web', url: redirectUri });
    return signIn;
  } catch (error) {
    if (error instanceof TypeError) return unavailable(`the settings cannot be used: ${error.message.replace(/^oidc: /, '')}`);
    throw error;
  }
}

/** The sign-in started in this browser, if its session holds one. */
function pendingIn(req: Request): Pending | undefined {
  const pending: unknown = req.session?.oidc;
  if (!pending || typeof pending !== 'object') return undefined;
  const { state, nonce, verifier, at } = pending as Record<string, unknown>;
  if (typeof state !== 'string' || typeof nonce !== 'string' || typeof verifier !== 'string' || typeof at !== 'number') return undefined;
  return { state, nonce, verifier, at };
}

function parseUrl(value: string, what: string): URL {
  try {
    return new URL(value);
  } catch {
    throw new TypeError(`oidc: ${what} is not a URL`);
  }
}

/** The ID token checks openid-client makes, by the claim that failed, in words for the log. */
const CLAIM_REFUSALS: Readonly<Record<string, string>> = {
  nonce: 'ID token nonce does not match',
  aud: 'ID token for another audience',
  azp: 'ID token for another party (azp)',
  iss: 'ID token from another issuer',
  exp: 'ID token expired',
  nbf: 'ID token not yet valid',
  iat: 'ID token issued at a bad time',
  auth_time: 'ID token authentication too old',
};

/**
 * Why openid-client refused, as a fixed phrase for the log: an OAuth error code, the claim that
 * failed, the library's own message — never the values (they are in the errors' causes, which are
 * not read here).
 */
export function reasonFor(error: unknown): string {
  if (error instanceof client.AuthorizationResponseError) return `the provider answered with an error (${oauthCode(error.error)})`;
  if (error instanceof client.ResponseBodyError) return `the token endpoint refused the code (${oauthCode(error.error)})`;
  if (error instanceof client.ClientError) {
    const inner = error.cause instanceof Error ? error.cause : undefined;
    const claim = inner && inner.cause && typeof inner.cause === 'object' ? (inner.cause as { claim?: unknown }).claim : undefined;
    if ((error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') && typeof claim === 'string' && CLAIM_REFUSALS[claim]) return CLAIM_REFUSALS[claim];
    if (inner?.message === 'JWT signature verification failed') return 'ID token signature does not verify';
    if (inner?.message === 'unexpected JWT "alg" header parameter') return 'ID token signing algorithm not allowed';
    if (error.code === 'OAUTH_KEY_SELECTION_FAILED') return 'ID token signed with an unknown key';
    return `${error.code ?? 'ClientError'}: ${(inner ?? error).message}`.slice(0, 200);
  }
  return errorText(error);
}

/** An OAuth error code as the provider sent it (access_denied…), or a placeholder if it is anything else. */
function oauthCode(code: unknown): string {
  return typeof code === 'string' && /^[a-z_]{1,64}$/.test(code) ? code : 'unrecognised error code';
}
