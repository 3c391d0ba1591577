/**
 * Cross-site request forgery: every form POST carries a token matching a signed cookie
 * (csrf-csrf's double submit), bound to the browser's session id — a random value made on its
 * first visit and made afresh at sign-in (session.ts) — so another site cannot make a signed-in
 * officer's browser add a note, nor sign a browser in as someone else (login CSRF) with a token
 * pair minted beforehand: a pair is good for one session only, and none from before signing in
 * is good after.
 *
 * Every POST must also come from the workspace's own pages: its `Origin` the workspace's origin —
 * WORKSPACE_URL's, or the address the request was made to (its Host) — and `Origin: null` or
 * another site's refused. Browsers send `Origin` with every POST; a client that sends neither
 * `Origin` nor `Sec-Fetch-Site` (not a browser, or a very old one) is left to the token.
 */
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { sessionId, type CookiePolicy } from './session.js';

export interface Csrf {
  /** Checks every POST (and leaves GET alone); a bad or missing token is `refused`, another site's POST `crossOrigin`. */
  readonly protect: RequestHandler;
  /** The token for the forms on the page being drawn (and its cookie, set on `res`). */
  token(req: Request, res: Response): string;
  /** The error `protect` passes on for a bad or missing token: the workspace answers it with a 403 page. */
  readonly refused: unknown;
  /** The error `protect` passes on for a POST from another origin: the same 403 page. */
  readonly crossOrigin: unknown;
}

export interface CsrfSettings {
  readonly secret: string;
  readonly cookies: CookiePolicy;
  /** The workspace's public address (WORKSPACE_URL), whose origin its pages have behind a proxy. */
  readonly publicUrl?: string | undefined;
  /** Served over HTTPS (TLS ended in front): the request's own origin is https whatever the proxy says. */
  readonly https: boolean;
}

/** What reads and changes nothing: no token, no origin asked for. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrf(settings: CsrfSettings): Csrf {
  const { sameSite, secure, partitioned } = settings.cookies;
  // Its own key, derived from the session secret: one setting, two keys that never meet.
  const secret = createHmac('sha256', settings.secret).update('workspace csrf').digest('hex');
  const { doubleCsrfProtection, generateToken, invalidCsrfTokenError } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionId(req),
    // __Secure- only where the cookie can be secure: a browser drops it over plain http (local mode).
    cookieName: secure ? '__Secure-workspace.csrf' : 'workspace.csrf',
    // The session cookie's policy (session.ts): in a Teams tab both must reach the framed page.
    cookieOptions: { path: '/workspace', sameSite, secure, httpOnly: true, ...(partitioned ? { partitioned } : {}) },
    getTokenFromRequest: (req) => {
      const body: unknown = req.body;
      const token = body && typeof body === 'object' ? (body as Record<string, unknown>)._csrf : undefined;
      return typeof token === 'string' ? token : undefined;
    },
  });
  const publicOrigin = settings.publicUrl ? originOf(settings.publicUrl) : undefined;
  const crossOrigin = Object.assign(new Error('form from another origin'), { status: 403 });
  /** Whether a POST comes from the workspace's own pages, as far as the browser says. */
  const sameOrigin = (req: Request): boolean => {
    const origin = req.headers.origin;
    if (origin === undefined) {
      const site = req.headers['sec-fetch-site'];
      return site === undefined || site === 'same-origin';
    }
    const from = originOf(origin);
    if (!from) return false; // "null" (a sandboxed frame, a redirect from elsewhere) or nonsense
    if (from === publicOrigin) return true;
    const host = req.headers.host;
    return host !== undefined && from === originOf(`${settings.https ? 'https' : req.protocol}://${host}`);
  };
  return {
    protect: (req, res, next) => {
      // csrf-csrf reads req.cookies; the service has no cookie parser, so read just the header here.
      req.cookies = parseCookies(req.headers.cookie);
      if (!SAFE_METHODS.has(req.method) && !sameOrigin(req)) return next(crossOrigin);
      doubleCsrfProtection(req, res, next);
    },
    // A token bound to another session id (from before signing in, say) is simply replaced, not an error.
    token: (req, res) => {
      req.cookies ??= parseCookies(req.headers.cookie); // an error page drawn before `protect` ran
      return generateToken(req, res, false, false);
    },
    refused: invalidCsrfTokenError,
    crossOrigin,
  };
}

/** An http(s) URL's origin, lower-cased (https://bx.example.org); undefined for anything else ("null", say). */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** `a=1; b=2` → { a: '1', b: '2' }; a malformed value is kept as sent. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 1) continue;
    const name = part.slice(0, at).trim();
    const raw = part.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      cookies[name] = decodeURIComponent(raw);
    } catch {
      cookies[name] = raw;
    }
  }
  return cookies;
}
