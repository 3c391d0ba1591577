/**
 * For the workspace's HTTP tests: a browser, near enough. It follows nothing by itself, keeps the
 * workspace's cookies (whatever their attributes: the test server is plain http) and sends them to
 * the workspace only, reads the CSRF token off a page, and reads a page's text as a person would.
 * Given the workspace's public address (behind a proxy in production), it carries requests for it
 * to the local port. Excluded from the build.
 */

export class WorkspacePage {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: Headers,
    readonly html: string,
    readonly setCookies: readonly string[],
  ) {}

  get location(): string | null {
    return this.headers.get('location');
  }

  csrf(): string {
    const token = this.html.match(/name="_csrf" value="([^"]+)"/)?.[1];
    if (!token) throw new Error(`no CSRF token on this page (status ${this.status})`);
    return token;
  }

  /** The text of the page, tags stripped and spaces collapsed, for reading as a person would. */
  get text(): string {
    return this.html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .replace(/ ([,.;:])/g, '$1');
  }

  /** Case ids linked from the case table, in order. */
  caseLinks(): string[] {
    return [...this.html.matchAll(/href="\/workspace\/cases\/([^"?#]+)"/g)].map((m) => m[1]!);
  }
}

export class WorkspaceBrowser {
  readonly #jar = new Map<string, string>();

  /** @param publicUrl — the workspace's public address, carried to `origin` (the local port). */
  constructor(
    readonly origin: string,
    readonly publicUrl?: string,
  ) {}

  get(url: string, headers: Record<string, string> = {}): Promise<WorkspacePage> {
    return this.#request(url, { method: 'GET', headers });
  }

  /** Posts a form; `_csrf` is added from `from` (a page this browser fetched) unless given or `null`. */
  post(url: string, form: Record<string, string>, from?: WorkspacePage | null, headers: Record<string, string> = {}): Promise<WorkspacePage> {
    const fields = { ...(from ? { _csrf: from.csrf() } : {}), ...form };
    return this.#request(url, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
  }

  /** Puts a cookie in the jar, as another site able to set cookies for this one might. */
  plant(name: string, value: string): void {
    this.#jar.set(name, value);
  }

  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

  /** The Cookie header this browser sends. */
  cookies(): string {
    return [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The session cookie's content (cookie-session: base64 JSON), or undefined. */
  session(): unknown {
    const value = this.#jar.get('workspace.session');
    return value === undefined ? undefined : JSON.parse(Buffer.from(value, 'base64').toString());
  }

  /** Who the session says is signed in, if anyone; a session id alone is no one. */
  signedInAs(): string | undefined {
    return (this.session() as { staffId?: string } | undefined)?.staffId;
  }

  async #request(url: string, init: RequestInit): Promise<WorkspacePage> {
    let target = new URL(url, this.origin);
    if (this.publicUrl && target.origin === new URL(this.publicUrl).origin) target = new URL(`${target.pathname}${target.search}`, this.origin);
    const ours = target.origin === this.origin;
    const cookie = ours ? this.cookies() : '';
    const res = await fetch(target, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) } });
    const setCookies = res.headers.getSetCookie();
    for (const line of ours ? setCookies : []) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      if (value === '' || (expires && new Date(expires.slice(8)).getTime() < Date.now())) this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    return new WorkspacePage(target.href, res.status, res.headers, await res.text(), setCookies);
  }
}
