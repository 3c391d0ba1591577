/**
 * Cross-site request forgery: every form POST carries a token matching a signed cookie
 * (csrf-csrf's double submit), bound to the person signed in, so another site cannot make a
 * signed-in officer's browser add a note or sign someone in.
 */
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { doubleCsrf } from 'csrf-csrf';
import { sessionStaffId, type CookiePolicy } from './session.js';

export interface Csrf {
  /** Checks every POST (and leaves GET alone); a bad or missing token is `refused`. */
  readonly protect: RequestHandler;
  /** The token for the forms on the page being drawn (and its cookie, set on `res`). */
  token(req: Request, res: Response): string;
  /** The error `protect` passes on: the workspace answers it with a 403 page. */
  readonly refused: unknown;
}

export function csrf(settings: { readonly secret: string; readonly cookies: CookiePolicy }): Csrf {
  const { sameSite, secure, partitioned } = settings.cookies;
  // Its own key, derived from the session secret: one setting, two keys that never meet.
  const secret = createHmac('sha256', settings.secret).update('workspace csrf').digest('hex');
  const { doubleCsrfProtection, generateToken, invalidCsrfTokenError } = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => sessionStaffId(req) ?? '',
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
  return {
    protect: (req, res, next) => {
      // csrf-csrf reads req.cookies; the service has no cookie parser, so read just the header here.
      req.cookies = parseCookies(req.headers.cookie);
      doubleCsrfProtection(req, res, next);
    },
    // A token from before sign-in (bound to nobody) is simply replaced, not an error.
    token: (req, res) => {
      req.cookies ??= parseCookies(req.headers.cookie); // an error page drawn before `protect` ran
      return generateToken(req, res, false, false);
    },
    refused: invalidCsrfTokenError,
  };
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
