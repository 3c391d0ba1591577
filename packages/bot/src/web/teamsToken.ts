/**
 * Checks the single sign-on token a Teams personal tab sends to the server, before the server
 * maps its user to a member of staff.
 *
 * In the tab, the Teams JS SDK's `authentication.getAuthToken()` returns a Microsoft Entra ID
 * (Azure AD) access token issued for the API the app registration exposes. Anyone can send the
 * server any string claiming to be that token, so nothing in it is believed until every check
 * below has passed. The checks, and why each is there:
 *
 * - **Signature, against Microsoft's published keys (JWKS).** Only a token signed by Entra ID
 *   proves that Entra ID signed a user in; the claims of an unsigned or self-signed token are
 *   whatever its sender wrote. The key set is fetched with jose's `createRemoteJWKSet` and kept
 *   per JWKS URL for the life of the process (jose refreshes it after ten minutes, and at most
 *   every 30 s when a token names a key it has not seen — Microsoft rotates its keys), so a
 *   request does not cost a round trip to Microsoft.
 * - **Algorithm RS256 only.** Entra ID signs access tokens with RS256. Allowing anything else
 *   opens the classic holes: `alg: none` (an unsigned token) and HS256 (a token "signed" with
 *   a shared secret, which an attacker can choose, or which a careless verifier takes from the
 *   public key).
 * - **Audience.** Entra ID signs tokens for every app in every tenant with the same keys; only
 *   the audience says the token was issued *for this app*. A token for another API (Microsoft
 *   Graph, another company's app) must not open this one. Microsoft documents (access token
 *   claims reference, `aud`): "In v2.0 tokens, this value is always the client ID of the API.
 *   In v1.0 tokens, it can be the client ID or the resource URI used in the request." A Teams
 *   tab's resource URI is its Application ID URI, `api://HOST/APP_ID`, so both that and the bare
 *   app id are accepted, and nothing else.
 * - **Issuer, for the token's own tenant.** v2.0 tokens are issued by
 *   `https://login.microsoftonline.com/{tid}/v2.0`, v1.0 tokens by `https://sts.windows.net/{tid}/`.
 *   The issuer must be one of those, with `{tid}` the token's `tid` claim, so the tenant the
 *   token names is the tenant that issued it.
 * - **Tenant allow-list.** A multi-tenant app gets valid tokens from users of *any* Microsoft 365
 *   organisation; the allow-list keeps the tab to the schools' own tenants. An empty list means
 *   any tenant, as the bot's `TEAMS_ALLOWED_TENANTS` does (the staff list is then the only gate).
 *   Tenant ids are GUIDs and are compared without regard to case.
 * - **Expiry and not-before**, with a small clock tolerance (60 s by default) for clock drift
 *   between this server and Microsoft's: an old token, stolen from a log or a browser, must not
 *   work for ever. `exp` is required; `nbf` is checked whenever present (Entra ID always sets it).
 * - **A user, not an application.** The token must carry `scp` (the delegated scope the tab was
 *   granted, `access_as_user`): an app-only token (client credentials) has none, and its `oid`
 *   would be a service principal, not a person.
 * - **`oid` and `tid` present.** `oid` is the user's immutable object id in their tenant — what
 *   the bot maps to staff (`store.staff.byTeamsId(oid)`); names and e-mail addresses in the
 *   token are mutable and are not used.
 *
 * A bad token never throws: the verifier returns `{ ok: false, reason }`. The reason is a short
 * fixed phrase for the server log — never token contents or personal data — and the caller
 * shows the user one generic refusal whatever the reason. If Microsoft's keys cannot be fetched,
 * that is a refusal too ("signing keys unavailable"), not an exception. Only a programmer error
 * (bad settings) throws, when the verifier is created.
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';

/** Microsoft's key set for every Entra ID tenant (the keys are shared across tenants). */
export const MICROSOFT_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

/** Seconds of clock drift allowed on `exp` and `nbf` when not set. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

/** Tokens longer than this are refused unread (Entra access tokens are a few kilobytes). */
const MAX_TOKEN_LENGTH = 16 * 1024;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

export interface TeamsTokenSettings {
  /** The Entra ID application (client) id of the app registration that exposes the tab's API: a GUID. */
  readonly appId: string;
  /** The public host name of the tab, as in its Application ID URI `api://HOST/APP_ID` (no scheme, no path). */
  readonly host: string;
  /** Tenant ids allowed; empty = any tenant. */
  readonly allowedTenants: readonly string[];
  /** Where the signing keys are published; Microsoft's common key set by default. A test points it at a local server. */
  readonly jwksUrl?: string;
  /** Seconds of clock drift allowed on `exp` and `nbf`; 60 by default, at most 300. */
  readonly clockToleranceSeconds?: number;
}

export type TeamsTokenResult = { readonly ok: true; readonly aadObjectId: string; readonly tenantId: string } | { readonly ok: false; readonly reason: string };

export type TeamsTokenVerifier = (token: string) => Promise<TeamsTokenResult>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A DNS host name, optionally with a port (a tunnel or a local test may have one). */
const HOST = /^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/i;

type KeySet = ReturnType<typeof createRemoteJWKSet>;
/** One key set per JWKS URL, shared by every verifier in the process. */
const keySets = new Map<string, KeySet>();

function keySetFor(url: URL): KeySet {
  let keySet = keySets.get(url.href);
  if (keySet === undefined) {
    keySet = createRemoteJWKSet(url);
    keySets.set(url.href, keySet);
  }
  return keySet;
}

/**
 * Makes the function that checks a Teams tab's SSO token.
 * @throws TypeError when the settings are unusable (a programmer error, found at start).
 */
export function createTeamsTokenVerifier(settings: TeamsTokenSettings): TeamsTokenVerifier {
  const { appId, host, allowedTenants } = settings;
  if (typeof appId !== 'string' || !GUID.test(appId)) throw new TypeError('teams token verifier: appId must be the Entra ID application (client) id, a GUID');
  if (typeof host !== 'string' || !HOST.test(host)) throw new TypeError('teams token verifier: host must be the tab\'s public host name as in api://HOST/APP_ID, such as bot.example.org (no scheme, no path)');
  if (!Array.isArray(allowedTenants)) throw new TypeError('teams token verifier: allowedTenants must be a list of tenant ids (empty = any tenant)');
  const tenants = new Set<string>();
  for (const tenant of allowedTenants) {
    if (typeof tenant !== 'string' || !GUID.test(tenant.trim())) throw new TypeError(`teams token verifier: allowedTenants holds ${JSON.stringify(tenant)}, which is not a tenant id (a GUID)`);
    tenants.add(tenant.trim().toLowerCase());
  }
  const jwksUrl = parseJwksUrl(settings.jwksUrl ?? MICROSOFT_JWKS_URL);
  const tolerance = settings.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CLOCK_TOLERANCE_SECONDS) {
    throw new TypeError(`teams token verifier: clockToleranceSeconds must be from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }

  const audience = [`api://${host}/${appId}`, appId];
  const keySet = keySetFor(jwksUrl);

  return async (token: string): Promise<TeamsTokenResult> => {
    // From a request body or header: the type is not to be trusted at run time.
    if (typeof token !== 'string' || token.length === 0) return refuse('no token');
    if (token.length > MAX_TOKEN_LENGTH) return refuse('token too long');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, { algorithms: ['RS256'], audience, clockTolerance: tolerance, requiredClaims: ['exp', 'iss', 'aud'] }));
    } catch (error) {
      return refuse(reasonFor(error));
    }

    const tid = payload['tid'];
    if (typeof tid !== 'string' || !GUID.test(tid)) return refuse('missing or malformed tid claim');
    if (payload.iss !== `https://login.microsoftonline.com/${tid}/v2.0` && payload.iss !== `https://sts.windows.net/${tid}/`) return refuse('wrong issuer');
    if (tenants.size > 0 && !tenants.has(tid.toLowerCase())) return refuse('tenant not allowed');
    const scp = payload['scp'];
    if (typeof scp !== 'string' || scp.trim() === '') return refuse('not a user token (no scp claim)');
    const oid = payload['oid'];
    if (typeof oid !== 'string' || !GUID.test(oid)) return refuse('missing or malformed oid claim');
    return { ok: true, aadObjectId: oid, tenantId: tid };
  };
}

function parseJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError('teams token verifier: jwksUrl is not a URL');
  }
  // Keys fetched over plain http could be swapped on the way: only a local test server may use it.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new TypeError('teams token verifier: jwksUrl must be https (plain http only on the loopback, for tests)');
  return url;
}

function refuse(reason: string): TeamsTokenResult {
  return { ok: false, reason };
}

/** A fixed phrase for each failure: jose's own messages and errors may carry the token's claims. */
function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'aud':
        return 'wrong audience';
      case 'nbf':
        return 'token not yet valid';
      case 'iss':
        return 'wrong issuer';
      default:
        return error.reason === 'missing' ? `missing ${claimName(error.claim)} claim` : `invalid ${claimName(error.claim)} claim`;
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'signing algorithm not allowed';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed with an unknown key';
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'signed with an ambiguous key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) return 'malformed token';
  if (error instanceof errors.JWKSTimeout) return 'signing keys unavailable (timeout)';
  if (error instanceof errors.JWKSInvalid || error instanceof errors.JWKInvalid) return 'signing keys unavailable (bad key set)';
  // jose's generic error comes from fetching the key set: an HTTP status other than 200, or not JSON.
  if (error instanceof errors.JOSEError) return 'signing keys unavailable';
  // A system error from the request for the key set (no connection, DNS, TLS) has a string code.
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return 'signing keys unavailable (network)';
  return 'token could not be verified';
}

/** Claim names come from jose's fixed list, but keep the log to known names all the same. */
function claimName(claim: string): string {
  return ['exp', 'iat', 'iss', 'aud', 'sub', 'jti', 'nbf', 'typ'].includes(claim) ? claim : 'a required';
}
