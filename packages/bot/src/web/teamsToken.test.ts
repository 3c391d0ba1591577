/**
 * A Teams tab's SSO token is believed only when Microsoft signed it (RS256, a key from the
 * published key set), for this app, by the tenant it names, on the allow-list, in date, for a
 * user: every other token is refused with a reason fit for the log, never an exception. The key
 * set is served by a local HTTP server (no network) and fetched once, then reused.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import type { JWK, JWTPayload, KeyLike } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeamsTokenVerifier } from './teamsToken.js';
import type { TeamsTokenSettings } from './teamsToken.js';

const APP_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const HOST = 'bot.example.org';
const TENANT = 'f2b1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const OTHER_TENANT = '0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const OID = '11111111-2222-4333-8444-555555555555';
const KID = 'test-key-1';

interface KeyServer {
  readonly url: string;
  readonly requests: () => number;
  readonly close: () => Promise<void>;
}

/** Serves a JWKS at /keys (or answers every request with `status`), counting requests. */
async function serveKeys(keys: readonly JWK[], status = 200): Promise<KeyServer> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    if (status !== 200 || req.url !== '/keys') {
      res.writeHead(status === 200 ? 404 : status).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/keys`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

let signingKey: KeyLike;
let strangerKey: KeyLike;
let keys: KeyServer;
const servers: KeyServer[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  strangerKey = stranger.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, use: 'sig', alg: 'RS256' };
  // Like Microsoft's set: more than one key; the second is not the one tokens are signed with.
  const spare = { ...(await exportJWK((await generateKeyPair('RS256')).publicKey)), kid: 'test-key-2', use: 'sig' };
  keys = await serveKeys([jwk, spare]);
  servers.push(keys);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const now = () => Math.floor(Date.now() / 1000);

/** The claims of a v2.0 Teams tab SSO token, as Entra ID issues them. */
function claims(overrides: Partial<Record<string, unknown>> = {}): JWTPayload {
  const base: Record<string, unknown> = {
    aud: APP_ID,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    iat: now() - 60,
    nbf: now() - 60,
    exp: now() + 3600,
    tid: TENANT,
    oid: OID,
    scp: 'access_as_user',
    azp: '1fec8e78-bce4-4aaf-ab1b-5451cc387264',
    ver: '2.0',
    name: 'A. Headteacher',
    preferred_username: 'head@school.example',
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

function sign(payload: JWTPayload, key: KeyLike | Uint8Array = signingKey, header: { alg: string; kid?: string } = { alg: 'RS256', kid: KID }): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ typ: 'JWT', ...header }).sign(key);
}

function verifier(overrides: Partial<TeamsTokenSettings> = {}) {
  return createTeamsTokenVerifier({ appId: APP_ID, host: HOST, allowedTenants: [TENANT], jwksUrl: keys.url, ...overrides });
}

/** A refusal's reason is for the log: it must carry nothing from the token. */
function expectRefused(result: Awaited<ReturnType<ReturnType<typeof verifier>>>, reason: string | RegExp) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  if (typeof reason === 'string') expect(result.reason).toBe(reason);
  else expect(result.reason).toMatch(reason);
  for (const secret of [OID, TENANT, OTHER_TENANT, 'head@school.example', 'Headteacher', APP_ID]) expect(result.reason).not.toContain(secret);
}

describe('a Teams tab SSO token', () => {
  it('is accepted when valid (v2.0: the bare app id as audience), giving the user object id and tenant', async () => {
    expect(await verifier()(await sign(claims()))).toEqual({ ok: true, aadObjectId: OID, tenantId: TENANT });
  });

  it('is accepted as a v1.0 token: issuer sts.windows.net, audience the Application ID URI api://HOST/APP_ID', async () => {
    const token = await sign(claims({ aud: `api://${HOST}/${APP_ID}`, iss: `https://sts.windows.net/${TENANT}/`, ver: '1.0' }));
    expect(await verifier()(token)).toEqual({ ok: true, aadObjectId: OID, tenantId: TENANT });
  });

  it('is accepted from any tenant when the allow-list is empty, and the allow-list ignores case', async () => {
    const other = await sign(claims({ tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }));
    expect(await verifier({ allowedTenants: [] })(other)).toEqual({ ok: true, aadObjectId: OID, tenantId: OTHER_TENANT });
    expect((await verifier({ allowedTenants: [TENANT.toUpperCase()] })(await sign(claims()))).ok).toBe(true);
  });

  it('is refused for another audience: another API, another host, another app', async () => {
    const check = verifier();
    for (const aud of ['https://graph.microsoft.com', `api://evil.example/${APP_ID}`, `api://${HOST}/${OTHER_TENANT}`, OTHER_TENANT]) {
      expectRefused(await check(await sign(claims({ aud }))), 'wrong audience');
    }
  });

  it('is refused for a wrong issuer: not Microsoft, or a tenant other than the token names', async () => {
    const check = verifier({ allowedTenants: [] });
    for (const iss of ['https://evil.example/v2.0', `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, `https://sts.windows.net/${OTHER_TENANT}/`, `https://login.microsoftonline.com/${TENANT}/`]) {
      expectRefused(await check(await sign(claims({ iss }))), 'wrong issuer');
    }
  });

  it('is refused from a tenant off the allow-list', async () => {
    const token = await sign(claims({ tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }));
    expectRefused(await verifier()(token), 'tenant not allowed');
  });

  it('is refused when expired, beyond the clock tolerance', async () => {
    expectRefused(await verifier()(await sign(claims({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 600 }))), 'token expired');
  });

  it('is accepted a little after expiry within the clock tolerance, refused with none', async () => {
    const token = await sign(claims({ iat: now() - 3600, nbf: now() - 3600, exp: now() - 10 }));
    expect((await verifier()(token)).ok).toBe(true);
    expectRefused(await verifier({ clockToleranceSeconds: 0 })(token), 'token expired');
  });

  it('is refused when not yet valid', async () => {
    expectRefused(await verifier()(await sign(claims({ iat: now(), nbf: now() + 600 }))), 'token not yet valid');
  });

  it('is refused without an expiry', async () => {
    expectRefused(await verifier()(await sign(claims({ exp: undefined }))), 'missing exp claim');
  });

  it('is refused unsigned (alg: none)', async () => {
    const token = new UnsecuredJWT(claims()).encode();
    expect(token.split('.')[2]).toBe('');
    expectRefused(await verifier()(token), 'signing algorithm not allowed');
  });

  it('is refused signed with HS256 and a shared secret, even naming the real key id', async () => {
    const secret = new TextEncoder().encode('a shared secret anyone could have chosen, long enough');
    expectRefused(await verifier()(await sign(claims(), secret, { alg: 'HS256', kid: KID })), 'signing algorithm not allowed');
  });

  it('is refused signed by a key not in the published set', async () => {
    expectRefused(await verifier()(await sign(claims(), strangerKey, { alg: 'RS256', kid: 'not-published' })), 'signed with an unknown key');
    // Claiming the published key's id does not help: the signature does not verify.
    expectRefused(await verifier()(await sign(claims(), strangerKey, { alg: 'RS256', kid: KID })), 'bad signature');
  });

  it('is refused with a tampered payload', async () => {
    const [header, , signature] = (await sign(claims())).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ oid: '99999999-2222-4333-8444-555555555555' }))).toString('base64url');
    expectRefused(await verifier()(`${header}.${forged}.${signature}`), 'bad signature');
  });

  it('is refused without an oid, or without a tid', async () => {
    expectRefused(await verifier()(await sign(claims({ oid: undefined }))), 'missing or malformed oid claim');
    expectRefused(await verifier()(await sign(claims({ oid: 42 }))), 'missing or malformed oid claim');
    expectRefused(await verifier({ allowedTenants: [] })(await sign(claims({ tid: undefined }))), 'missing or malformed tid claim');
  });

  it('is refused when it is an app-only token (no delegated scope): its oid is not a person', async () => {
    expectRefused(await verifier()(await sign(claims({ scp: undefined, roles: ['Anything'] }))), 'not a user token (no scp claim)');
  });

  it('is refused, not thrown, when it is not a token at all', async () => {
    const check = verifier();
    expectRefused(await check(''), 'no token');
    expectRefused(await check('not.a.token'), 'malformed token');
    expectRefused(await check('garbage'), 'malformed token');
    expectRefused(await check('x'.repeat(20_000)), 'token too long');
    expectRefused(await check(undefined as unknown as string), 'no token');
  });
});

describe('the published key set', () => {
  it('is fetched once and reused across verifications, concurrent ones and other verifiers of the same URL', async () => {
    const pair = await generateKeyPair('RS256');
    const server = await serveKeys([{ ...(await exportJWK(pair.publicKey)), kid: 'counted', use: 'sig' }]);
    servers.push(server);
    const check = verifier({ jwksUrl: server.url });
    const token = await sign(claims(), pair.privateKey, { alg: 'RS256', kid: 'counted' });
    expect(server.requests()).toBe(0);
    const results = await Promise.all([check(token), check(token), check(token)]);
    expect(results.every((r) => r.ok)).toBe(true);
    for (let i = 0; i < 5; i += 1) expect((await check(token)).ok).toBe(true);
    expect((await verifier({ jwksUrl: server.url, allowedTenants: [] })(token)).ok).toBe(true);
    expect(server.requests()).toBe(1);
  });

  it('is not fetched for tokens refused on their algorithm', async () => {
    const server = await serveKeys([]);
    servers.push(server);
    const check = verifier({ jwksUrl: server.url });
    expectRefused(await check(new UnsecuredJWT(claims()).encode()), 'signing algorithm not allowed');
    expectRefused(await check(await sign(claims(), new TextEncoder().encode('s'.repeat(32)), { alg: 'HS256' })), 'signing algorithm not allowed');
    expect(server.requests()).toBe(0);
  });

  it('when it cannot be fetched, the token is refused (logged as keys unavailable), not thrown', async () => {
    const failing = await serveKeys([], 500);
    servers.push(failing);
    expectRefused(await verifier({ jwksUrl: failing.url })(await sign(claims())), 'signing keys unavailable');

    const gone = await serveKeys([]);
    const goneUrl = gone.url;
    await gone.close();
    expectRefused(await verifier({ jwksUrl: goneUrl })(await sign(claims())), 'signing keys unavailable (network)');
  });
});

describe('the verifier settings', () => {
  const base: TeamsTokenSettings = { appId: APP_ID, host: HOST, allowedTenants: [] };

  it('throw when unusable: these are programmer errors, found at start', () => {
    expect(() => createTeamsTokenVerifier({ ...base, appId: '' })).toThrow(/appId/);
    expect(() => createTeamsTokenVerifier({ ...base, appId: 'my-app' })).toThrow(/appId/);
    expect(() => createTeamsTokenVerifier({ ...base, host: 'https://bot.example.org' })).toThrow(/host/);
    expect(() => createTeamsTokenVerifier({ ...base, host: 'bot.example.org/tab' })).toThrow(/host/);
    expect(() => createTeamsTokenVerifier({ ...base, allowedTenants: ['contoso.onmicrosoft.com'] })).toThrow(/allowedTenants/);
    expect(() => createTeamsTokenVerifier({ ...base, jwksUrl: 'not a url' })).toThrow(/jwksUrl/);
    expect(() => createTeamsTokenVerifier({ ...base, jwksUrl: 'http://keys.example.org/keys' })).toThrow(/https/);
    expect(() => createTeamsTokenVerifier({ ...base, clockToleranceSeconds: -1 })).toThrow(/clockToleranceSeconds/);
    expect(() => createTeamsTokenVerifier({ ...base, clockToleranceSeconds: 3600 })).toThrow(/clockToleranceSeconds/);
  });

  it('accept Microsoft\'s key set by default and a host with a port (a tunnel)', () => {
    expect(typeof createTeamsTokenVerifier(base)).toBe('function');
    expect(typeof createTeamsTokenVerifier({ ...base, host: 'localhost:53000' })).toBe('function');
  });
});
