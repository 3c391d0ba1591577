/**
 * The web workspace over HTTP, as a browser meets it: the express router over a real store (the
 * demo school), listening on a port, driven with plain fetch and a cookie jar — sign in through the
 * local page with its CSRF token, list and filter, read a decided PEAP back, add a note; and the
 * refusals: another school's case, a form without a token, sign-in outside local mode.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM, overdueDeadlines, type CaseStore } from '@before-exclusion/workflows';
import { loadConfig } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, addOtherSchool, demoStore } from '../testing/fixtures.js';
import { localSignIn, signInMethods, type SignIn } from './signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';

const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';

/** A browser, near enough: follows nothing by itself, keeps cookies, reads the CSRF token off a page. */
class Browser {
  readonly #jar = new Map<string, string>();
  constructor(readonly origin: string) {}

  async get(path: string): Promise<Page> {
    return this.#request(path, { method: 'GET' });
  }

  /** Posts a form; `_csrf` is added from `from` (a page this browser fetched) unless given or `null`. */
  async post(path: string, form: Record<string, string>, from?: Page | null): Promise<Page> {
    const fields = { ...(from ? { _csrf: from.csrf() } : {}), ...form };
    return this.#request(path, { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  cookie(name: string): string | undefined {
    return this.#jar.get(name);
  }

  async #request(path: string, init: RequestInit): Promise<Page> {
    const cookie = [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.origin}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) } });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expires = attributes.map((a) => a.trim()).find((a) => /^expires=/i.test(a));
      if (value === '' || (expires && new Date(expires.slice(8)).getTime() < Date.now())) this.#jar.delete(name);
      else this.#jar.set(name, value);
    }
    return new Page(res.status, res.headers, await res.text(), setCookies);
  }
}

class Page {
  constructor(
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

const servers: { close(): Promise<void> }[] = [];
const stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

/** The workspace on a port of its own, as the service mounts it. */
async function serve(store: CaseStore, options: { signIn?: readonly SignIn[]; log?: Logger } = {}): Promise<Browser> {
  const app = express();
  const lines: string[] = [];
  const log: Logger = options.log ?? { debug() {}, info: (m, f) => lines.push(JSON.stringify({ m, ...f })), warn: (m, f) => lines.push(JSON.stringify({ m, ...f })), error: (m, f) => lines.push(JSON.stringify({ m, ...f })) };
  app.use(
    WORKSPACE_PATH,
    workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn: options.signIn ?? signInMethods(loadConfig({})), localMode: true }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

/** Signs in through the local page, as a person would: open it, choose, press the button. */
async function signIn(browser: Browser, staffId: string): Promise<Page> {
  const page = await browser.get('/workspace/sign-in');
  expect(page.status).toBe(200);
  const signedIn = await browser.post('/workspace/sign-in', { staffId }, page);
  expect(signedIn.status).toBe(303);
  expect(signedIn.location).toBe('/workspace/cases');
  return browser.get('/workspace/cases');
}

describe.each(BACKENDS)('the web workspace on %s', (backend) => {
  async function demo() {
    const { store } = await demoStore({ backend });
    stores.push(store);
    return store;
  }

  /** A PEAP the demo head decided: the pupil's words, the attestation changed Yes → No, a decision. */
  async function decidedPeap(store: CaseStore): Promise<{ id: string; pupilId: string }> {
    const head = await store.staff.actorFor('demo-head');
    const peap = (await store.cases.list(head)).find((c) => c.kind === 'peap')!;
    await store.cases.send(head, { id: peap.id, kind: 'peap' }, [
      { type: 'SCHEDULE_MEETING', date: '2026-03-23' },
      { type: 'ANSWER', questionId: 'pupil-voice.likes', answer: 'Art and football.' },
      { type: 'ANSWER', questionId: 'support.exhausted', answer: true },
      { type: 'ANSWER', questionId: 'support.exhausted', answer: false },
      { type: 'ANSWER', questionId: 'support.school-based', answer: 'Mentoring <b>since</b> October & a key adult.' },
      { type: 'COMPLETE_REFLECTION' },
      { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'Support is working; keep the mentoring.', followUpDate: '2026-05-01' },
    ]);
    return { id: peap.id, pupilId: peap.pupilId };
  }

  it('signs the demo officer in through the local page, and lists their cases most urgent first, 25 a page', async () => {
    const store = await demo();
    const browser = await serve(store);

    const before = await browser.get('/workspace/cases');
    expect(before.status).toBe(303);
    expect(before.location).toBe('/workspace/sign-in');

    const signInPage = await browser.get('/workspace/sign-in');
    expect(signInPage.text).toContain('Demo Inclusion Officer (fictional)');
    expect(signInPage.text).toContain('Demo Head (fictional)');
    const signedIn = await browser.post('/workspace/sign-in', { staffId: 'demo-officer' }, signInPage);
    expect(signedIn.status).toBe(303);
    const session = signedIn.setCookies.find((c) => c.startsWith('workspace.session='))!;
    expect(session).toMatch(/; httponly/i);
    expect(session).toMatch(/; samesite=lax/i);
    expect(session).toMatch(/; path=\/workspace/i);
    // The session holds the staff id and nothing else.
    expect(JSON.parse(Buffer.from(browser.cookie('workspace.session')!, 'base64').toString())).toEqual({ staffId: 'demo-officer' });

    const officer = await store.staff.actorFor('demo-officer');
    const all = await store.cases.list(officer);
    const overdue = all.filter((c) => overdueDeadlines(c, TODAY).length > 0);
    expect(overdue.length).toBeGreaterThan(0);
    expect(all.length).toBeGreaterThan(25);

    const first = await browser.get('/workspace/cases');
    expect(first.status).toBe(200);
    expect(first.text).toContain(`${all.length} cases`);
    expect(first.text).toContain('Signed in as Demo Inclusion Officer (fictional), inclusion officer');
    const page1 = first.caseLinks();
    expect(page1).toHaveLength(25);
    // Overdue first, the longest overdue at the top.
    const longestOverdue = [...overdue].sort((a, b) => overdueDeadlines(a, TODAY)[0]!.dueDate.localeCompare(overdueDeadlines(b, TODAY)[0]!.dueDate));
    expect(page1.slice(0, overdue.length)).toEqual(longestOverdue.map((c) => c.id));
    const page2 = (await browser.get('/workspace/cases?page=2')).caseLinks();
    expect(page2).toHaveLength(all.length - 25);
    expect(new Set([...page1, ...page2])).toEqual(new Set(all.map((c) => c.id)));
    // Pupil ids, never names (the store holds none): every pupil in the table is an id.
    expect(first.html).toMatch(/DEMO-0\d\d/);
  });

  it('filters by kind, state, pupil, school and overdue deadlines, and says clearly what it cannot use', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const officer = await store.staff.actorFor('demo-officer');
    const all = await store.cases.list(officer);

    const peaps = await browser.get('/workspace/cases?kind=peap');
    expect(peaps.caseLinks().sort()).toEqual(all.filter((c) => c.kind === 'peap').map((c) => c.id).sort());
    const pupil = await browser.get('/workspace/cases?pupil=DEMO-009');
    expect(pupil.caseLinks().sort()).toEqual(all.filter((c) => c.pupilId === 'DEMO-009').map((c) => c.id).sort());
    const late = await browser.get('/workspace/cases?overdue=yes&school=DEMO-SCH&state=open');
    expect(late.caseLinks().sort()).toEqual(all.filter((c) => overdueDeadlines(c, TODAY).length).map((c) => c.id).sort());
    const triggered = await browser.get('/workspace/cases?state=stage%3Atriggered&kind=peap');
    expect(triggered.caseLinks()).toHaveLength(all.filter((c) => c.kind === 'peap' && c.state === 'triggered').length);
    expect(triggered.html).toMatch(/<option value="stage:triggered" selected>/);
    const closed = await browser.get('/workspace/cases?state=closed');
    expect(closed.text).toContain('No cases');

    for (const [query, message] of [
      ['page=abc', 'The page number must be a whole number, 1 or more'],
      ['page=0', 'The page number must be a whole number, 1 or more'],
      ['page=9', 'There is no page 9: there are 2 pages of cases'],
      ['kind=nonsense', 'Choose a kind of case from the list'],
      ['school=OTHER', 'Choose one of your schools, or all of them'],
      ['state=%3Cscript%3E', 'Choose a state from the list'],
      [`pupil=${'X'.repeat(65)}`, 'Enter a pupil id of 64 characters or fewer'],
    ] as const) {
      const page = await browser.get(`/workspace/cases?${query}`);
      expect(page.status, query).toBe(400);
      expect(page.text, query).toContain('There is a problem');
      expect(page.text, query).toContain(message);
      expect(page.html, query).toMatch(/<title>Error: Cases/);
      expect(page.caseLinks(), query).toEqual([]);
      expect(page.html, query).not.toMatch(/ at .*\.(ts|js):\d+/);
    }
  });

  it("reads a decided PEAP back: the pupil's words, a Yes changed to No, the decision, its rationale and the gate; the read is audited", async () => {
    const store = await demo();
    const { id, pupilId } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const reads = async () => (await store.audit.entriesFor(id)).filter((r) => r.action === 'case-read' && r.actor === 'demo-officer').length;
    const before = await reads();

    const page = await browser.get(`/workspace/cases/${id}`);
    expect(page.status).toBe(200);
    expect(await reads()).toBe(before + 1);
    const text = page.text;
    expect(text).toContain(`Case ${id}`);
    expect(text).toContain(`pupil ${pupilId}`);
    expect(text).toContain('What do you like about school? Art and football.');
    expect(text).toMatch(/I attest that all support mechanisms[^.]*\. No Changed from Yes: Demo Head \(fictional\)/);
    expect(text).toContain('Decision No exclusion: a support plan');
    expect(text).toContain('Rationale Support is working; keep the mentoring.');
    expect(text).toContain('Decided by Demo Head (fictional)');
    expect(text).toContain('Follow-up review 1 May 2026');
    expect(text).toMatch(/the attestation that all support mechanisms have been exhausted Not met/);
    expect(text).toMatch(/the pupil's voice Met/);
    expect(text).toContain('Suspension days this year');
    expect(text).toContain('What the rules say now');
    expect(text).toMatch(/Source: .{10,}/);
    expect(text).toContain('decided: No exclusion: a support plan');
    expect(text).toContain('Evidence for a review');
    // What people wrote is text, never markup.
    expect(page.html).toContain('Mentoring &lt;b&gt;since&lt;/b&gt; October &amp; a key adult.');
  });

  it('adds a note through the form (CSRF and all), shows it, and refuses an empty one with a message', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const page = await browser.get(`/workspace/cases/${id}`);
    const added = await browser.post(`/workspace/cases/${id}/notes`, { note: 'Checked with the SENCO:\nplan agreed.' }, page);
    expect(added.status).toBe(303);
    expect(added.location).toBe(`/workspace/cases/${id}?note=added#notes`);
    const after = await browser.get(`/workspace/cases/${id}?note=added`);
    expect(after.text).toContain('Your note was added to the case.');
    expect(after.html).toContain('Checked with the SENCO:\nplan agreed.');
    expect(after.text).toMatch(/plan agreed\. Demo Inclusion Officer \(fictional\), inclusion officer, 20 March 2026/);
    expect((await store.audit.entriesFor(id)).filter((r) => r.action === 'note')).toEqual([expect.objectContaining({ actor: 'demo-officer', data: { text: 'Checked with the SENCO:\nplan agreed.' } })]);

    const empty = await browser.post(`/workspace/cases/${id}/notes`, { note: '   ' }, after);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('There is a problem');
    expect(empty.text).toContain('Enter the note');
    const long = await browser.post(`/workspace/cases/${id}/notes`, { note: 'x'.repeat(5001) }, after);
    expect(long.status).toBe(400);
    expect(long.text).toContain('The note must be 5,000 characters or fewer');
    expect((await store.audit.entriesFor(id)).filter((r) => r.action === 'note')).toHaveLength(1);
  });

  it("shows the policy's refusal to someone who may read a case but not add notes", async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    await store.staff.upsert({ id: 'demo-deputy', displayName: 'Demo Deputy (fictional)', role: 'deputy', schoolIds: ['DEMO-SCH'] }, SYSTEM);
    const browser = await serve(store);
    await signIn(browser, 'demo-deputy');
    const page = await browser.get(`/workspace/cases/${id}`);
    const refused = await browser.post(`/workspace/cases/${id}/notes`, { note: 'A deputy writes.' }, page);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Audit notes are added by inclusion officers and headteachers.');
    expect((await store.audit.entriesFor(id)).filter((r) => r.action === 'note')).toEqual([]);
  });

  it("gives a head of another school the same 404 for the case as for a case that does not exist, and lets them write nothing to it", async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    await addOtherSchool(store);
    const browser = await serve(store);
    const cases = await signIn(browser, 'other-head');
    expect(cases.text).toContain('No cases');

    const theirs = await browser.get(`/workspace/cases/${id}`);
    const nowhere = await browser.get('/workspace/cases/peap-0000000000');
    const odd = await browser.get('/workspace/cases/..%2F..%2Fetc');
    for (const page of [theirs, nowhere, odd]) {
      expect(page.status).toBe(404);
      expect(page.text).toContain('Page not found');
      expect(page.text).not.toContain(id);
    }
    const strip = (p: Page) => p.html.replace(/value="[^"]+"/g, '');
    expect(strip(theirs)).toBe(strip(nowhere));

    const trail = (await store.audit.entriesFor(id)).length;
    const note = await browser.post(`/workspace/cases/${id}/notes`, { note: 'Not my school.' }, cases);
    expect(note.status).toBe(404);
    expect((await store.audit.entriesFor(id)).length).toBe(trail);
  });

  it("applies a change of access at once: the session holds only the staff id, the person is read on every request", async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    await addOtherSchool(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    expect((await browser.get(`/workspace/cases/${id}`)).status).toBe(200);

    await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Inclusion Officer (fictional)', role: 'inclusion-officer', schoolIds: ['OTHER'] }, SYSTEM);
    expect((await browser.get(`/workspace/cases/${id}`)).status).toBe(404);
    expect((await browser.get('/workspace/cases')).text).toContain('No cases');
  });

  it('refuses a form POST without a valid CSRF token (403), writing nothing', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    const cases = await signIn(browser, 'demo-officer');
    const trail = (await store.audit.entriesFor(id)).length;

    const missing = await browser.post(`/workspace/cases/${id}/notes`, { note: 'Forged.' }, null);
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('Your form could not be sent');
    expect(missing.text).toContain('Nothing was saved.');
    const wrong = await browser.post(`/workspace/cases/${id}/notes`, { note: 'Forged.', _csrf: 'f'.repeat(128) }, null);
    expect(wrong.status).toBe(403);
    // Another site's page cannot send the browser's cookie with a token it does not know: a fresh browser has neither.
    const stranger = new Browser(browser.origin);
    expect((await stranger.post(`/workspace/cases/${id}/notes`, { note: 'Forged.', _csrf: cases.csrf() }, null)).status).toBe(403);
    expect((await store.audit.entriesFor(id)).length).toBe(trail);

    // Signing in is a form too: without a token, nobody is signed in.
    const fresh = new Browser(browser.origin);
    const refused = await fresh.post('/workspace/sign-in', { staffId: 'demo-officer' }, null);
    expect(refused.status).toBe(403);
    expect(fresh.cookie('workspace.session')).toBeUndefined();
    // Signing out too.
    expect((await browser.post('/workspace/sign-out', {}, null)).status).toBe(403);
    expect((await browser.get('/workspace/cases')).status).toBe(200);
    const out = await browser.post('/workspace/sign-out', {}, cases);
    expect(out.status).toBe(303);
    expect((await browser.get('/workspace/cases')).status).toBe(303);
  });

  it('refuses sign-in outright outside local mode and in production, whatever cookie is sent', async () => {
    const store = await demo();
    const local = await serve(store);
    await signIn(local, 'demo-officer');
    const session = local.cookie('workspace.session')!;
    const signature = local.cookie('workspace.session.sig')!;

    const secured = loadConfig({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p' });
    const production = loadConfig({ NODE_ENV: 'production', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: SECRET });
    expect(signInMethods(secured)).toEqual([]);
    expect(signInMethods(production)).toEqual([]);
    expect(signInMethods(loadConfig({}))).toEqual([localSignIn]);

    const browser = await serve(store, { signIn: signInMethods(secured) });
    const page = await browser.get('/workspace/sign-in');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Signing in is not available here yet');
    expect(page.text).not.toContain('Demo Head');
    // Even with a good CSRF token (read off its cookie, as no page here offers a form), the route is refused.
    const token = decodeURIComponent(browser.cookie('workspace.csrf')!).split('|')[0]!;
    const posted = await browser.post('/workspace/sign-in', { staffId: 'demo-officer', _csrf: token }, null);
    expect(posted.status).toBe(403);
    expect(posted.text).toContain('Signing in is not available here yet');
    expect(browser.cookie('workspace.session')).toBeUndefined();
    // A session signed with the same secret in a local run opens nothing here.
    const replay = await fetch(`${browser.origin}/workspace/cases`, { redirect: 'manual', headers: { cookie: `workspace.session=${session}; workspace.session.sig=${signature}` } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/workspace/sign-in');
  });

  it('sends a content security policy with no inline script, framing by Teams only, and no caching of pages; serves GOV.UK Frontend from its own assets', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const page = await browser.get(`/workspace/cases/${id}`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.cloud.microsoft");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBeNull();
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.html).not.toMatch(/\sstyle=/);
    expect(page.html).toContain('<script type="module" src="/workspace/assets/workspace.mjs"></script>');

    const css = await fetch(`${browser.origin}/workspace/assets/govuk-frontend.min.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const stylesheet = await css.text();
    expect(stylesheet).toContain('.govuk-summary-list');
    expect(stylesheet).not.toContain('@font-face');
    expect(stylesheet).not.toContain('url(/assets/');
    for (const asset of ['workspace.mjs', 'workspace.css', 'govuk-frontend.min.js', 'images/favicon.ico', 'fonts/bold-b542beb274-v2.woff2']) {
      expect((await fetch(`${browser.origin}/workspace/assets/${asset}`)).status, asset).toBe(200);
    }
    expect((await fetch(`${browser.origin}/workspace/assets/workspace.mjs`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${browser.origin}/workspace/assets/%2e%2e/%2e%2e/package.json`)).status).not.toBe(200);
  });

  it('logs ids and verbs only: no pupil, no note, no answer', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const lines: string[] = [];
    const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
    const browser = await serve(store, { log: { debug: write, info: write, warn: write, error: write } });
    await signIn(browser, 'demo-officer');
    await browser.get('/workspace/cases?pupil=DEMO-009');
    const page = await browser.get(`/workspace/cases/${id}`);
    await browser.post(`/workspace/cases/${id}/notes`, { note: 'A private observation.' }, page);
    await browser.post(`/workspace/cases/${id}/notes`, { note: 'Forged.' }, null);
    expect(lines.some((l) => l.includes('note added') && l.includes(id) && l.includes('demo-officer'))).toBe(true);
    expect(lines.some((l) => l.includes('CSRF'))).toBe(true);
    for (const line of lines) {
      expect(line).not.toMatch(/DEMO-0\d\d/);
      expect(line).not.toContain('private observation');
      expect(line).not.toContain('Forged');
      expect(line).not.toContain('Art and football');
    }
  });
});
