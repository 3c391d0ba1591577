/**
 * The workspace's session: a signed cookie holding only the staff id. Who that person is — their
 * role and schools — is read from the store on every request, so a change of access applies at
 * once, and a signed-out or removed person is simply not found.
 */
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
const MAX_AGE_MS = 8 * 60 * 60 * 1000;

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
    maxAge: MAX_AGE_MS,
  });
  if (!secure) return session;
  return (req, res, next) => {
    // The service sits behind whatever ends TLS (a proxy, a load balancer) and hears plain http.
    // The cookie library then refuses to set a Secure cookie — silently: nobody could ever sign
    // in. The settings say the workspace is reached over HTTPS; tell it so, for this request.
    if (req.protocol !== 'https') Object.defineProperty(req, 'protocol', { value: 'https', configurable: true, enumerable: true });
    session(req, res, next);
  };
}

/** The staff id the session holds, if anyone is signed in. */
export function sessionStaffId(req: Request): string | undefined {
  const id: unknown = req.session?.staffId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Signs a member of staff in: the session holds their id and nothing else. */
export function startSession(req: Request, staffId: string): void {
  req.session = { staffId };
}

export function endSession(req: Request): void {
  req.session = null;
}
