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
  /** Sent over HTTPS only (production). */
  readonly secure: boolean;
}

/** Eight hours: a working day; sign in again the next morning. */
const MAX_AGE_MS = 8 * 60 * 60 * 1000;

export function sessions(settings: SessionSettings): RequestHandler {
  return cookieSession({
    name: 'workspace.session',
    keys: [settings.secret],
    path: '/workspace',
    httpOnly: true,
    // lax: sent on a top-level navigation to the workspace, not on another site's form posts.
    // A Teams tab is a cross-site iframe: it will need sameSite 'none' with secure, and CSRF then
    // carries the weight on its own (that comes with Teams tab sign-in).
    sameSite: 'lax',
    secure: settings.secure,
    maxAge: MAX_AGE_MS,
  });
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
