/**
 * A school's Assembly access token, refreshed when it expires. Assembly's school tokens last a
 * day (86,400 s, "may be reduced in the future"); the app renews one by POSTing
 * `/oauth/token?grant_type=refresh_token&refresh_token=…` to the platform
 * (https://platform.assembly.education) with its client id and secret as HTTP Basic
 * authentication, and gets `{ "access_token": … }` back. With a refresh token and the app's
 * credentials the product renews the token itself on a 401; with an access token alone it uses it
 * until Assembly refuses it. Every value stays in this object: printing or serialising it shows
 * `[hidden]`.
 */
import { MisUnavailable } from '../misAdapter.js';

export const ASSEMBLY_PLATFORM_URL = 'https://platform.assembly.education';

export interface AssemblyOAuth {
  /** The platform's base URL (a test points it at a fake). */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly refreshToken: string;
}

export class AssemblyToken {
  #access: string | undefined;
  #oauth: AssemblyOAuth | undefined;
  /** Renewals made (for a test or the log: how often the token ran out). */
  refreshes = 0;

  constructor(options: { readonly accessToken?: string | undefined; readonly oauth?: AssemblyOAuth | undefined }) {
    this.#access = options.accessToken;
    this.#oauth = options.oauth;
    if (!this.#access && !this.#oauth) throw new TypeError('an Assembly token needs an access token or a refresh token with the app\'s credentials');
  }

  /** Whether a refused token can be renewed here. */
  get renewable(): boolean {
    return this.#oauth !== undefined;
  }

  /** The token to send: the current one, or a renewed one when there is none yet. */
  async current(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    return this.#access ?? this.renew(timeoutMs, signal);
  }

  /**
   * Renews the access token with the refresh token.
   * @throws MisUnavailable when the platform refuses or cannot be reached (the message has no secret in it)
   */
  async renew(timeoutMs: number, signal?: AbortSignal): Promise<string> {
    const oauth = this.#oauth;
    if (!oauth) throw new MisUnavailable('Assembly refused the school token (HTTP 401) and no refresh token is configured: the school reconnects the app in Assembly and the token in the MIS settings is replaced');
    const url = new URL(`${oauth.url.replace(/\/+$/, '')}/oauth/token`);
    url.searchParams.set('grant_type', 'refresh_token');
    url.searchParams.set('refresh_token', oauth.refreshToken);
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { Accept: 'application/json', Authorization: `Basic ${Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString('base64')}` },
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch {
      signal?.throwIfAborted();
      throw new MisUnavailable('Assembly\'s platform could not be reached to renew the school token');
    }
    const body = (await response.json().catch(() => undefined)) as { access_token?: unknown; refresh_token?: unknown } | undefined;
    if (!response.ok || typeof body?.access_token !== 'string' || body.access_token.length === 0) {
      throw new MisUnavailable(`Assembly's platform would not renew the school token (HTTP ${response.status}): the refresh token or the app's client id and secret are wrong, or the school withdrew its approval`);
    }
    this.#access = body.access_token;
    // Should the platform ever rotate refresh tokens, the newest is the one that works (kept in memory only).
    if (typeof body.refresh_token === 'string' && body.refresh_token.length > 0) this.#oauth = { ...oauth, refreshToken: body.refresh_token };
    this.refreshes++;
    return this.#access;
  }

  toJSON(): string {
    return '[hidden]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'AssemblyToken [hidden]';
  }
}
