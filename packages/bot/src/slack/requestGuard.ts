/**
 * In front of Bolt on every Slack route: Bolt buffers a whole body of any size before checking
 * its signature, accepts a signed request as often as it is sent, and a timestamp from the future.
 * Here a body over the limit is refused (413) as it arrives, before it is buffered; then the
 * signature is checked (HMAC-SHA256 of `v0:{timestamp}:{body}`), the timestamp must be within
 * five minutes either way, and a signature already seen in that window is a replay (401). The
 * body read is handed to Bolt as `rawBody`, which it verifies again and parses.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '../service/log.js';

/** Slack's own window for a request's timestamp, in seconds. */
const WINDOW_SECONDS = 5 * 60;

export interface RequestGuardOptions {
  /** The largest body taken (body-parser's form: '1mb'). Slack's are a few kB; modals at most tens. */
  readonly limit?: string;
  /** Seconds since the epoch (a test moves it). */
  readonly now?: () => number;
}

/** The middleware for Slack's routes: the body limit, then the signature, window and replay checks. */
export function slackRequestGuard(signingSecret: string, log: Logger, options: RequestGuardOptions = {}): RequestHandler[] {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  // Signatures accepted, with when they leave the window; a replay must come within it (older is refused anyway).
  const seen = new Map<string, number>();
  const refuse = (res: Response, why: string) => {
    log.warn(`slack: request refused (${why})`, { channel: 'slack', status: 401 });
    res.status(401).set('Cache-Control', 'no-store').json({ error: 'unauthorized' });
  };
  const check = (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const raw = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
    const signature = req.header('x-slack-signature') ?? '';
    const stamp = req.header('x-slack-request-timestamp') ?? '';
    const ts = /^\d{1,12}$/.test(stamp) ? Number(stamp) : NaN;
    if (!signature || Number.isNaN(ts)) return refuse(res, 'unsigned');
    const t = now();
    if (Math.abs(t - ts) > WINDOW_SECONDS) return refuse(res, ts > t ? 'timestamp in the future' : 'timestamp too old');
    const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${stamp}:`).update(raw).digest('hex')}`;
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, Buffer.from(expected))) return refuse(res, 'bad signature');
    for (const [s, until] of seen) if (until < t) seen.delete(s);
    if (seen.has(signature)) return refuse(res, 'replayed');
    seen.set(signature, ts + WINDOW_SECONDS);
    // Bolt reads `rawBody` where a body was read before it (its own parser would find the stream spent).
    Object.assign(req, { rawBody: raw });
    next();
  };
  return [express.raw({ type: () => true, limit: options.limit ?? '1mb' }), check];
}
