/**
 * The workspace's session: a signed cookie (cookie-session), small and holding no one's details —
 *
 * - `sid`: a random id made on a browser's first visit and made afresh at every sign-in; the CSRF
 *   tokens are bound to it (csrf.ts), so a token minted in one session is no good in another,
 *   and none from before signing in is good after;
 * - once signed in, `staffId`, `method` (the way they signed in: `local`, `teams-tab`, `oidc`) and
 *   `iat` (when, in seconds since the epoch).
 *
 * Who the person is — their role and schools — is read from the store on every request, so a
 * change of access applies at once, and a removed person is simply not found. A session is
 * refused on the server once it is eight hours old, whatever the cookie's own expiry says, and
 * when the way it was signed in with is not one these settings offer now (a local trial's
 * session, say, where Teams sign-in has since replaced the staff list).
 *
 * What remains: the session is stateless. Signing out clears the cookie in that browser, but a
 * copy of the cookie taken before (from the disk of a shared computer, say) stays good until it
 * is eight hours old — the store keeps no list of sessions ended early. Changing
 * WORKSPACE_SESSION_SECRET ends every session at once; taking someone off the staff list ends
 * theirs at their next request.
 */
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import cookieSession from 'cookie-session';

export interface SessionSettings {
  /** Signs the cookie (WORKSPACE_SESSION_SECRET, or a random one per process outside production). */
  readonly secret: string;
  /** How the workspace's cookies (this one and the CSRF cookie) are sent: see {@link cookiePolicy}. */
  readonly cookies: CookiePolicy;
}

/**
 * How the workspace's cookies are sent. In a browser tab of its own the cookies are `SameSite=Lax`:
 * sent when one follows a link to the workspace, never with another site's form. A Teams tab is
 * the workspace inside a frame on another site (teams.microsoft.com), where a browser sends only
 * `SameSite=None` cookies — which must be `Secure` — so there the defence against forged forms is
 * the CSRF token on every POST alone (csrf.ts). They are `Partitioned` there too (CHIPS): kept
 * apart for each site that frames the workspace, so they still work in a browser that blocks
 * third-party cookies, and a session started inside Teams is not a session anywhere else.
 */
export interface CookiePolicy {
  readonly sameSite: 'lax' | 'none';
  /** Sent over HTTPS only. */
  readonly secure: boolean;
  readonly partitioned: boolean;
}

/**
 * The cookie policy for these settings: served over HTTPS (production), or signed into from a
 * Teams tab (`framed`), which is HTTPS whatever NODE_ENV says — Teams opens tabs over https only.
 * Local mode on http://127.0.0.1 keeps `SameSite=Lax` and no `Secure`, or the browser would drop them.
 */
export function cookiePolicy(options: { readonly https: boolean; readonly framed: boolean }): CookiePolicy {
  return options.framed ? { sameSite: 'none', secure: true, partitioned: true } : { sameSite: 'lax', secure: options.https, partitioned: false };
}

/** Eight hours: a working day; sign in again the next morning. */
export const SESSION_MAX_AGE_MS = 8 * 60 * 60 * 1000;
/** How far ahead of this server's clock another instance's may be when it signs someone in. */
const CLOCK_SKEW_MS = 60 * 1000;

export function sessions(settings: SessionSettings): RequestHandler {
  const { sameSite, secure, partitioned } = settings.cookies;
  const session = cookieSession({
    name: 'workspace.session',
    keys: [settings.secret],
    path: '/workspace',
    httpOnly: true,
    sameSite,
    secure,
    ...(partitioned ? { partitioned } : {}),
    maxAge: SESSION_MAX_AGE_MS,
  });
  const withId: RequestHandler = (req, res, next) =>
    session(req, res, (error?: unknown) => {
      if (error) return next(error);
      // The session id, made on the first visit: from then on the CSRF tokens are this browser's own.
      if (!sessionId(req)) req.session = { sid: newSessionId() };
      next();
    });
  if (!secure) return withId;
  return (req, res, next) => {
    // The service sits behind whatever ends TLS (a proxy, a load balancer) and hears plain http.
    // The cookie library then refuses to set a Secure cookie — silently: nobody could ever sign
    // in. The settings say the workspace is reached over HTTPS; tell it so, for this request.
    if (req.protocol !== 'https') Object.defineProperty(req, 'protocol', { value: 'https', configurable: true, enumerable: true });
    withId(req, res, next);
  };
}

/** 128 random bits, base64url. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** This browser's session id (the CSRF tokens' binding), or '' once the session has been ended in this request. */
export function sessionId(req: Request): string {
  const sid: unknown = req.session?.sid;
  return typeof sid === 'string' && /^[\w-]{22}$/.test(sid) ? sid : '';
}

/** Who a session says is signed in, and how. */
export interface SessionUser {
  readonly staffId: string;
  readonly method: string;
}

/**
 * The member of staff the session holds, if it is good now: made by one of `methods` (the ways of
 * signing in offered now), at most eight hours ago. Anything else — no one, an old or unknown
 * way of signing in, too old, a session from before sessions said how and when — is no one.
 */
export function sessionUser(req: Request, methods: ReadonlySet<string>, now: number = Date.now()): SessionUser | undefined {
  const session: unknown = req.session;
  if (!session || typeof session !== 'object') return undefined;
  const { staffId, method, iat } = session as Record<string, unknown>;
  if (typeof staffId !== 'string' || staffId === '' || typeof method !== 'string' || !methods.has(method)) return undefined;
  if (typeof iat !== 'number' || !Number.isInteger(iat)) return undefined;
  const age = now - iat * 1000;
  if (age > SESSION_MAX_AGE_MS || age < -CLOCK_SKEW_MS) return undefined;
  return { staffId, method };
}

/** The staff id the session names, good or not: for the log only, never to let anyone in (see {@link sessionUser}). */
export function sessionStaffId(req: Request): string | undefined {
  const id: unknown = req.session?.staffId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Signs a member of staff in: a new session id (so no CSRF token from before is good any more),
 * their id, the way they signed in, and when.
 */
export function startSession(req: Request, staffId: string, method: string, now: number = Date.now()): void {
  req.session = { sid: newSessionId(), staffId, method, iat: Math.floor(now / 1000) };
}

/**
 * Ends the session: the cookie is cleared in this browser. A copy of it kept elsewhere is refused
 * only once it is eight hours old (see the top of this file).
 */
export function endSession(req: Request): void {
  req.session = null;
}
