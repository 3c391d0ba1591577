/**
 * Signing in to the running service's web workspace where the staff list is not offered — with
 * Slack or Microsoft credentials set, local sign-in is refused (config.ts `localSignInRefusal`),
 * so a signed-in session comes from OpenID Connect, as in production: a small fake OpenID
 * provider on 127.0.0.1 (discovery, its RS256 key set, an authorization endpoint that sends the
 * browser back with a code, a token endpoint that checks the client secret, the redirect URI and
 * the PKCE verifier and answers with an ID token for the nonce it was given, whose `oid` is the
 * member of staff's Microsoft id), and a browser near enough — fetch, following no redirect by
 * itself, keeping the workspace's cookies.
 *
 * The service is started with `oidcServiceEnv(provider, port)` (NODE_ENV=test: plain http on
 * 127.0.0.1 is accepted for the issuer and WORKSPACE_URL) on a port chosen first (`freePort`),
 * because WORKSPACE_URL — the redirect URI's base, and the base of every link the chat gives to
 * the workspace — must name it before the service starts.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';

const TENANT = 'f2b1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
export const OIDC_CLIENT_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
export const OIDC_CLIENT_SECRET = 'the-test-oidc-client-secret';
/** The demo head's Microsoft (Entra ID) object id, as the demo staff list has it (teamsAadId). */
export const DEMO_HEAD_AAD_ID = '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d';
const KID = 'fake-oidc-key';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A free TCP port on 127.0.0.1, for a service whose own address must be known before it starts. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Grant {
  readonly redirectUri: string;
  readonly nonce: string;
  readonly challenge: string;
  used: boolean;
}

export class FakeOidcProvider {
  readonly #server: Server;
  readonly #key: KeyObject;
  readonly #jwks: unknown;
  readonly #grants = new Map<string, Grant>();
  /** Whose `oid` the next ID tokens carry. */
  oid = DEMO_HEAD_AAD_ID;

  private constructor(server: Server, readonly origin: string, key: KeyObject, jwks: unknown) {
    this.#server = server;
    this.#key = key;
    this.#jwks = jwks;
  }

  /** Shaped like Entra ID's: ORIGIN/TENANT/v2.0. */
  get issuer(): string {
    return `${this.origin}/${TENANT}/v2.0`;
  }

  static async start(): Promise<FakeOidcProvider> {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' }] };
    let provider!: FakeOidcProvider;
    const server = createServer((req, res) => {
      provider.#handle(req).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    provider = new FakeOidcProvider(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, privateKey, jwks);
    return provider;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const url = new URL(req.url ?? '/', this.origin);
    const json = (status: number, body: unknown) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const at = (path: string) => url.pathname === `/${TENANT}${path}`;
    if (req.method === 'GET' && at('/v2.0/.well-known/openid-configuration')) {
      return json(200, {
        issuer: this.issuer,
        authorization_endpoint: `${this.origin}/${TENANT}/oauth2/v2.0/authorize`,
        token_endpoint: `${this.origin}/${TENANT}/oauth2/v2.0/token`,
        jwks_uri: `${this.origin}/${TENANT}/discovery/v2.0/keys`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (req.method === 'GET' && at('/discovery/v2.0/keys')) return json(200, this.#jwks);
    if (req.method === 'GET' && at('/oauth2/v2.0/authorize')) {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== OIDC_CLIENT_ID || !redirectUri) return { status: 400, headers: {}, body: 'unknown client' };
      if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !q.get('nonce')) return { status: 400, headers: {}, body: 'not a PKCE code request' };
      const code = b64url(randomBytes(24));
      this.#grants.set(code, { redirectUri, nonce: q.get('nonce')!, challenge: q.get('code_challenge')!, used: false });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      if (q.get('state') !== null) back.searchParams.set('state', q.get('state')!);
      return { status: 302, headers: { location: back.href }, body: '' };
    }
    if (req.method === 'POST' && at('/oauth2/v2.0/token')) {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      const form = new URLSearchParams(text);
      const grant = this.#grants.get(form.get('code') ?? '');
      if (form.get('client_id') !== OIDC_CLIENT_ID || form.get('client_secret') !== OIDC_CLIENT_SECRET) return json(401, { error: 'invalid_client' });
      if (form.get('grant_type') !== 'authorization_code' || !grant || grant.used || grant.redirectUri !== form.get('redirect_uri')) return json(400, { error: 'invalid_grant' });
      if (b64url(createHash('sha256').update(form.get('code_verifier') ?? '').digest()) !== grant.challenge) return json(400, { error: 'invalid_grant' });
      grant.used = true;
      return json(200, { token_type: 'Bearer', scope: 'openid profile', expires_in: 3600, access_token: b64url(randomBytes(32)), id_token: this.#idToken(grant.nonce) });
    }
    return { status: 404, headers: {}, body: '' };
  }

  #idToken(nonce: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: this.issuer, aud: OIDC_CLIENT_ID, iat: now - 10, nbf: now - 10, exp: now + 3600, nonce, sub: 'fake-subject', tid: TENANT, oid: this.oid, ver: '2.0' };
    const signed = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: KID }))}.${b64url(JSON.stringify(claims))}`;
    return `${signed}.${sign('sha256', Buffer.from(signed), this.#key).toString('base64url')}`;
  }
}

/** The settings that give the service OpenID Connect sign-in with `provider`, listening on `port`. */
export function oidcServiceEnv(provider: FakeOidcProvider, port: number): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: String(port),
    WORKSPACE_URL: `http://127.0.0.1:${port}/workspace`,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID,
    OIDC_CLIENT_SECRET,
  };
}

export interface Fetched {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly location: string | null;
  text(): string;
}

/** A browser near enough: fetch, no redirect followed by itself, cookies kept per origin. */
export class CookieBrowser {
  readonly #jars = new Map<string, Map<string, string>>();

  async get(url: string): Promise<Fetched> {
    const target = new URL(url);
    const jar = this.#jars.get(target.origin) ?? new Map<string, string>();
    this.#jars.set(target.origin, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      if (value === '' || (expires && new Date(expires.slice(8)).getTime() < Date.now())) jar.delete(name);
      else jar.set(name, value);
    }
    const body = Buffer.from(await res.arrayBuffer());
    const location = res.headers.get('location');
    return { status: res.status, headers: res.headers, body, location: location === null ? null : new URL(location, target).href, text: () => body.toString('utf8') };
  }

  /**
   * Signs in at the workspace `workspaceUrl` through its OpenID Connect button: the start, the
   * provider's authorization, the callback. Resolves with where the callback sent the browser.
   */
  async signInWithOidc(workspaceUrl: string): Promise<string> {
    const page = await this.get(`${workspaceUrl}/sign-in`);
    const href = page.text().match(/<a href="([^"]+)"[^>]*>\s*Sign in with your Microsoft account/)?.[1];
    if (!href) throw new Error(`the sign-in page (status ${page.status}) offers no Microsoft account button`);
    const start = await this.get(new URL(href, workspaceUrl).href);
    if (start.status !== 303 || !start.location) throw new Error(`sign-in start answered ${start.status}`);
    const authorize = await this.get(start.location);
    if (authorize.status !== 302 || !authorize.location) throw new Error(`the provider answered ${authorize.status}: ${authorize.text()}`);
    const callback = await this.get(authorize.location);
    if (callback.status !== 303 || !callback.location) throw new Error(`the callback answered ${callback.status}: ${callback.text().slice(0, 300)}`);
    return callback.location;
  }
}
