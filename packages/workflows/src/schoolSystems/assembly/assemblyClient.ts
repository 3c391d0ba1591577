/**
 * HTTP to the Assembly Platform API (https://api.assembly.education, version 1.1), as its public
 * reference documents it: a school token as `Authorization: Bearer` (renewed on a 401, see
 * assemblyToken.ts), the version in `Accept`,
 * list endpoints paged with the `page` and `per_page` query parameters and the `Next-Page`
 * response header, conditional requests with `If-Modified-Since` (304 when nothing changed), and
 * a rate limit of 600 requests per 5 minutes per token, answered past it with 429 and a body
 * `{"error":"too many requests","data":{"count","period","limit"}}` — `period` being the seconds
 * until the token may ask again.
 *
 * Every call has a timeout; a 429 waits as long as it is told (a `Retry-After` header, else the
 * body's `period`) up to a bound; a 5xx, a timeout or a dropped connection is retried with
 * backoff, a bounded number of times. The token never leaves this module: not in an error, not in
 * a log line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { MisUnavailable } from '../misAdapter.js';
import type { AssemblyToken } from './assemblyToken.js';

export const ASSEMBLY_ACCEPT = 'application/vnd.assembly+json; version=1.1';
/** The most `per_page` allows: a school's roll in one or two requests. */
export const ASSEMBLY_MAX_PER_PAGE = 1500;

export interface AssemblyClientOptions {
  /** The API's base URL: https://api.assembly.education (a test points it at a fake on loopback). */
  readonly baseUrl: string;
  /** The school token (renewed on a 401 when it can be). */
  readonly token: AssemblyToken;
  /** The longest one request may take. Default 30 s. */
  readonly timeoutMs?: number;
  /** Tries for one request that fails with a 5xx, a timeout or a network error. Default 4. */
  readonly attempts?: number;
  /** The first backoff after a failure; it doubles each try. Default 1 s. */
  readonly backoffMs?: number;
  /** The longest a 429 may make the pull wait, in all; past it the pull gives up for now. Default 5 minutes. */
  readonly maxRateLimitWaitMs?: number;
  /** Stops waits and requests (the service stopping). */
  readonly signal?: AbortSignal;
}

/** One page's answer. `notModified` for a 304. */
export interface AssemblyPage {
  readonly body: unknown;
  readonly notModified: boolean;
  readonly nextPage: number | undefined;
  readonly lastModified: string | undefined;
}

export class AssemblyClient {
  readonly #options: Required<Omit<AssemblyClientOptions, 'signal'>> & { signal: AbortSignal | undefined };
  #rateLimitWaited = 0;
  /** Requests made, retries included. */
  requests = 0;

  constructor(options: AssemblyClientOptions) {
    this.#options = {
      timeoutMs: 30_000,
      attempts: 4,
      backoffMs: 1_000,
      maxRateLimitWaitMs: 5 * 60_000,
      ...options,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      signal: options.signal,
    };
  }

  /**
   * Every item of a list endpoint, page after page.
   * @returns the items, and the first page's `Last-Modified` (the cursor for the next conditional request); `notModified` on a 304.
   */
  async list(path: string, query: Readonly<Record<string, string>>, ifModifiedSince?: string): Promise<{ items: unknown[]; notModified: boolean; lastModified: string | undefined }> {
    const items: unknown[] = [];
    let lastModified: string | undefined;
    for (let page: number | undefined = 1; page !== undefined; ) {
      const answer = await this.get(path, { ...query, page: String(page), per_page: String(ASSEMBLY_MAX_PER_PAGE) }, ifModifiedSince);
      if (answer.notModified) return { items: [], notModified: true, lastModified: ifModifiedSince };
      if (!Array.isArray(answer.body)) throw new MisUnavailable(`Assembly ${path} (page ${page}) answered with something other than a list; expected a JSON array (API version 1.1)`);
      items.push(...(answer.body as unknown[]));
      lastModified ??= answer.lastModified;
      // A Next-Page that does not move on would loop for ever: a broken answer, not a page.
      page = answer.nextPage !== undefined && answer.nextPage > page ? answer.nextPage : undefined;
    }
    return { items, notModified: false, lastModified };
  }

  /** One GET, with the retries and waits described above. */
  async get(path: string, query: Readonly<Record<string, string>>, ifModifiedSince?: string): Promise<AssemblyPage> {
    const url = new URL(`${this.#options.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const where = `Assembly ${path}${query.page ? ` (page ${query.page})` : ''}`;
    let failures = 0;
    let renewed = false;
    for (;;) {
      this.#options.signal?.throwIfAborted();
      const token = await this.#options.token.current(this.#options.timeoutMs, this.#options.signal);
      let response: Response;
      try {
        this.requests++;
        const timeout = AbortSignal.timeout(this.#options.timeoutMs);
        response = await fetch(url, {
          headers: {
            Accept: ASSEMBLY_ACCEPT,
            Authorization: `Bearer ${token}`,
            ...(ifModifiedSince ? { 'If-Modified-Since': ifModifiedSince } : {}),
          },
          signal: this.#options.signal ? AbortSignal.any([timeout, this.#options.signal]) : timeout,
        });
      } catch (error) {
        this.#options.signal?.throwIfAborted();
        const why = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.#options.timeoutMs / 1000} s` : 'could not be reached';
        await this.#backoff(++failures, `${where} ${why}`);
        continue;
      }
      if (response.status === 429) {
        const body = await response.json().catch(() => undefined);
        await this.#waitOutRateLimit(retryAfterMs(response.headers.get('retry-after'), body), where);
        continue;
      }
      if (response.status >= 500) {
        await response.body?.cancel();
        await this.#backoff(++failures, `${where} failed on Assembly's side (HTTP ${response.status})`);
        continue;
      }
      // A school token lasts a day: renewed once, then the request goes again.
      if (response.status === 401 && !renewed && this.#options.token.renewable) {
        await response.body?.cancel();
        renewed = true;
        await this.#options.token.renew(this.#options.timeoutMs, this.#options.signal);
        continue;
      }
      if (response.status === 304) {
        await response.body?.cancel();
        return { body: undefined, notModified: true, nextPage: undefined, lastModified: ifModifiedSince };
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new MisUnavailable(`${where} was refused (HTTP ${response.status}): ${refusalHint(response.status)}`);
      }
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new MisUnavailable(`${where} answered with a body that is not JSON`);
      }
      const next = Number.parseInt(response.headers.get('next-page') ?? '', 10);
      return { body, notModified: false, nextPage: Number.isInteger(next) ? next : undefined, lastModified: response.headers.get('last-modified') ?? response.headers.get('date') ?? undefined };
    }
  }

  async #backoff(failures: number, what: string): Promise<void> {
    if (failures >= this.#options.attempts) throw new MisUnavailable(`${what}; gave up after ${failures} tries (the next pull tries again)`);
    await sleep(this.#options.backoffMs * 2 ** (failures - 1), undefined, this.#options.signal ? { signal: this.#options.signal } : {});
  }

  async #waitOutRateLimit(ms: number, where: string): Promise<void> {
    if (this.#rateLimitWaited + ms > this.#options.maxRateLimitWaitMs) {
      throw new MisUnavailable(`${where}: Assembly's rate limit would hold this pull more than ${Math.round(this.#options.maxRateLimitWaitMs / 1000)} s; the next pull tries again`);
    }
    this.#rateLimitWaited += ms;
    await sleep(ms, undefined, this.#options.signal ? { signal: this.#options.signal } : {});
  }
}

/** How long a 429 says to wait: `Retry-After` (seconds or an HTTP date), else Assembly's `data.period`, else a minute. */
export function retryAfterMs(header: string | null, body: unknown): number {
  if (header) {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const at = Date.parse(header);
    if (Number.isFinite(at)) return Math.max(0, at - Date.now());
  }
  const period = (body as { data?: { period?: unknown } } | undefined)?.data?.period;
  if (typeof period === 'number' && Number.isFinite(period) && period >= 0) return period * 1000;
  return 60_000;
}

function refusalHint(status: number): string {
  if (status === 401) return 'the school token is missing, wrong or expired (and could not be renewed) — the school reconnects the app in Assembly and the token or refresh token in the MIS settings is replaced';
  if (status === 403) return 'the school has not granted a scope the product needs (students.basic, students.upn, students.mis_id, students.dates, students.gender, students.ethnicity, students.sen_provision, students.fsm, students.care, exclusions, attendances)';
  if (status === 406) return 'Assembly does not take API version 1.1 here';
  return 'Assembly refused the request';
}
