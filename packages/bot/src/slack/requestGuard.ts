/**
 * In front of Bolt on every Slack route: Bolt buffers a whole body of any size before checking
 * its signature, accepts a signed request as often as it is sent, and a timestamp from the future.
 * Here a body over the limit is refused (413) as it arrives, before it is buffered; then the
 * signature is checked (HMAC-SHA256 of `v0:{timestamp}:{body}`), the timestamp must be within
 * five minutes either way, and a signature already seen in that window is a replay (401) —
 * seen by any instance, when `firstSeen` is the store's shared claim (several instances behind a
 * load balancer each see some of Slack's requests). The body read is handed to Bolt as
 * `rawBody`, which it verifies again and parses.
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
  /**
   * Whether a signature is seen for the first time, remembering it until `until` (seconds since
   * the epoch). Default: this process's memory — enough for one instance, not for several.
   */
  readonly firstSeen?: (signature: string, until: number) => Promise<boolean>;
}

/** One process's memory of the signatures it accepted, each kept until it leaves the window. */
function seenInMemory(now: () => number): (signature: string, until: number) => Promise<boolean> {
  const seen = new Map<string, number>();
  return async (signature, until) => {
    const t = now();
    for (const [s, leaves] of seen) if (leaves < t) seen.delete(s);
    if (seen.has(signature)) return false;
    seen.set(signature, until);
    return true;
  };
}

/** The middleware for Slack's routes: the body limit, then the signature, window and replay checks. */
export function slackRequestGuard(signingSecret: string, log: Logger, options: RequestGuardOptions = {}): RequestHandler[] {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  // A replay must come within the window (older is refused anyway): a signature is remembered that long.
  const firstSeen = options.firstSeen ?? seenInMemory(now);
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
    firstSeen(signature, ts + WINDOW_SECONDS).then(
      (first) => {
        if (!first) return refuse(res, 'replayed');
        // Bolt reads `rawBody` where a body was read before it (its own parser would find the stream spent).
        Object.assign(req, { rawBody: raw });
        next();
      },
      (error: unknown) => next(error),
    );
  };
  return [express.raw({ type: () => true, limit: options.limit ?? '1mb' }), check];
}
