/**
 * The web workspace over HTTP, as a browser meets it: the express router over a real store (the
 * demo school), listening on a port, driven with plain fetch and a cookie jar — sign in through the
 * local page with its CSRF token, list and filter, read a decided PEAP back, add a note; and the
 * refusals: another school's case, a form without a token or from another origin, sign-in outside
 * a local trial, a request addressed to another host in one, another site's request for pupils'
 * data, a session too old or from a way of signing in no longer offered.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CASE_LIST_READ, SYSTEM, WHAT_IF_READ, buildReport, openByHand, overdueDeadlines, type CaseStore } from '@before-exclusion/workflows';
import { isLocalMode, loadConfig, localSignInRefusal } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, addOtherSchool, demoStore } from '../testing/fixtures.js';
import { localSignIn, signInMethods, type SignIn } from './signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';
import { WorkspaceBrowser as Browser, WorkspacePage as Page } from '../testing/workspaceBrowser.js';

const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';

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
    workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn: options.signIn ?? signInMethods(loadConfig({})) }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A GET with the Host header given (fetch will not send one of its own choosing): status, headers, body. */
function getWithHost(origin: string, path: string, host: string, cookie = ''): Promise<RawAnswer> {
  return rawGet(origin, path, { host, ...(cookie ? { cookie } : {}) });
}

/** A GET with exactly these headers — Sec-Fetch-Mode and Sec-Fetch-Dest too, which fetch sets itself — through node:http. */
function rawGet(origin: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A way of signing in that adds no routes: what a workspace with only that way offers to a session. */
const only = (method: string): SignIn => ({ method, mount() {} });

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
    // The session holds a session id (the CSRF tokens' binding, new at sign-in), the staff id, how and when they signed in; nothing else.
    const iat = Math.floor(Date.now() / 1000);
    const held = JSON.parse(Buffer.from(browser.cookie('workspace.session')!, 'base64').toString()) as { iat: number };
    expect(held).toEqual({ sid: expect.stringMatching(/^[\w-]{22}$/), staffId: 'demo-officer', method: 'local', iat: expect.any(Number) });
    expect(Math.abs(held.iat - iat)).toBeLessThanOrEqual(5);
    expect(browser.cookie('workspace.session')!.length).toBeLessThan(160);

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
    const page2 = (await browser.get('/workspace/cases?page=2')).caseLinks();
    expect(page2).toHaveLength(all.length - 25);
    expect(new Set([...page1, ...page2])).toEqual(new Set(all.map((c) => c.id)));
    // Overdue first (over the page break when there are more than 25), the longest overdue at the top.
    const firstDue = new Map(overdue.map((c) => [c.id, overdueDeadlines(c, TODAY)[0]!.dueDate]));
    const top = [...page1, ...page2].slice(0, overdue.length);
    expect(new Set(top)).toEqual(new Set(firstDue.keys()));
    const dates = top.map((id) => firstDue.get(id)!);
    expect(dates).toEqual([...dates].sort());
    // Pupil ids, never names (the store holds none): every pupil in the table is an id.
    expect(first.html).toMatch(/DEMO-0\d\d/);
  });

  it("shows a head the overdue cases `cases list --overdue` gives, open ones only, each naming what is overdue, with as many overdue duties on suspensions as the officer's report counts", async () => {
    const store = await demo();
    const head = await store.staff.actorFor('demo-head');
    // A suspension closed after `tick` fired its sixth-day deadline: overdue nowhere once closed.
    await store.fireDueDeadlines();
    const closing = (await store.cases.list(head)).find((c) => c.kind === 'suspension' && c.context.provisionFrom !== undefined && c.context.provisionFrom < TODAY && c.context.boardReview?.kind === 'must');
    if (closing?.kind !== 'suspension') throw new Error('the demo has no suspension past its sixth day with a review to hold');
    const unsent = Object.entries(closing.context.notices).filter(([, n]) => n && !n.sent).map(([recipient]) => recipient);
    await store.cases.sendUnchecked(head, closing.id, [
      ...unsent.map((recipient) => ({ type: 'RECORD_NOTICE', recipient, method: 'letter', sentOn: '2026-03-17' })),
      { type: 'ARRANGE_PROVISION', provider: 'Learning Centre', from: '2026-03-18' },
      { type: 'RECORD_BOARD_REVIEW', outcome: 'reinstated', heldOn: TODAY },
    ]);

    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const listed = await store.cases.list(head, { overdueOn: TODAY });
    const pages = [await browser.get('/workspace/cases?overdue=yes'), await browser.get('/workspace/cases?overdue=yes&page=2')];
    expect(pages[0]!.text).toContain(`${listed.length} cases`);
    expect(pages[0]!.text).toContain('Only open cases with an overdue duty');
    const shown = pages.flatMap((p) => p.caseLinks());
    expect(shown.sort()).toEqual(listed.map((c) => c.id).sort());
    expect(shown).not.toContain(closing.id);
    expect(listed.every((c) => c.status === 'active')).toBe(true);
    // Every row carries the red Overdue tag (none says only a next deadline, or nothing).
    const tags = pages.reduce((n, p) => n + (p.html.match(/govuk-tag--red">\s*Overdue/g) ?? []).length, 0);
    expect(tags).toBe(listed.length);
    // A suspension's unsent notice is overdue from the day it began, in the list as in `cases show`.
    const notice = listed.find((c) => c.kind === 'suspension' && Object.values(c.context.notices).some((n) => n && !n.sent));
    if (notice?.kind !== 'suspension') throw new Error('the demo has no suspension with a notice unsent');
    expect(pages.some((p) => p.text.includes('notify the parents in writing, without delay'))).toBe(true);

    // The report counts duties, the list cases: the overdue duties on the suspensions listed are the report's figure.
    const officer = await store.staff.actorFor('demo-officer');
    const report = await buildReport(store, officer, { academicYear: '2025/26', term: 'spring' });
    const figure = report.rows.find((r) => r.school === 'DEMO-SCH' && r.measure === 'statutory-duties' && r.breakdown === 'timeliness' && r.category === 'overdue')?.value;
    const duties = listed.filter((c) => c.kind === 'suspension').reduce((n, c) => n + overdueDeadlines(c, TODAY).length, 0);
    expect(duties).toBeGreaterThan(listed.length);
    expect(figure).toBe(duties);
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
    const lateToo = await browser.get('/workspace/cases?overdue=yes&school=DEMO-SCH&state=open&page=2');
    expect([...late.caseLinks(), ...lateToo.caseLinks()].sort()).toEqual(all.filter((c) => overdueDeadlines(c, TODAY).length).map((c) => c.id).sort());
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
    expect(text).toMatch(/the attestation that all support mechanisms have been exhausted \(answered No\) Not met/);
    expect(text).toMatch(/the pupil's voice Met/);
    expect(text).toContain('Suspension days this year');
    expect(text).toContain('What the rules say now');
    expect(text).toMatch(/Source: .{10,}/);
    expect(text).toContain('decided: No exclusion: a support plan');
    expect(text).toContain('Evidence for a review');
    // What people wrote is text, never markup.
    expect(page.html).toContain('Mentoring &lt;b&gt;since&lt;/b&gt; October &amp; a key adult.');
  });

  it("shows the support tried beside the decision as it stood then: each plan, who provides it, how it stood; what came after on the plan's own page", async () => {
    let at = `${TODAY}T09:00:00Z`;
    const { store } = await demoStore({ backend, now: () => new Date(at) });
    stores.push(store);
    const head = await store.staff.actorFor('demo-head');
    const { pupilId } = (await store.cases.list(head)).find((c) => c.kind === 'peap')!;
    const { case: plan } = await store.cases.open(head, { kind: 'support-plan', schoolId: 'DEMO-SCH', pupilId, input: { pupilId, schoolId: 'DEMO-SCH' } });
    await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, [
      { type: 'ASSESS', assessedOn: '2026-02-23' },
      { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: '2026-02-23', developmentalStrands: 62, diagnosticProfile: 51 },
      { type: 'AGREE_PLAN', intervention: 'nurture-group', provider: 'School nurture group', startDate: '2026-02-24', reviewDue: '2026-03-24' },
    ]);
    const { id } = await decidedPeap(store);
    // Recorded after the decision: not what the head had before them.
    at = `${TODAY}T15:00:00Z`;
    await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, [{ type: 'RECORD_MEASURE', measure: 'boxall', stage: 'follow-up', takenOn: '2026-03-17', developmentalStrands: 78, diagnosticProfile: 40 }]);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const page = await browser.get(`/workspace/cases/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/Support tried[^\n]*As it stood when the decision was made \(/);
    expect(page.text).toMatch(/2026-02-24 a nurture group School nurture group running, review due/);
    expect(page.text).not.toContain('62 → 78');
    expect(page.text).not.toContain('No support is recorded');
    const own = await browser.get(`/workspace/cases/${plan.id}`);
    expect(own.text).toMatch(/Support tried[\s\S]*2026-02-24 a nurture group School nurture group running, review due[^\n]*Boxall Profile developmental strands 62 → 78 \(improved\)/);
    expect(own.text).not.toContain('As it stood when the decision was made');
  });

  it('says beside a decision made with no support on record that the head was told so', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    expect((await browser.get(`/workspace/cases/${id}`)).text).toContain('No support was recorded for this pupil: the head was told so before deciding.');
  });

  it('shows what a changed setting would do before it is made: who would gain or lose which prompt, by group, the read audited; bad values refused under their field', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const form = await browser.get('/workspace/what-if');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Suspensions in one half-term that call for a PEAP Now 2');
    expect(form.text).not.toContain('pupils compared');

    const page = await browser.get('/workspace/what-if?peapThreshold=3&ebsnaAttendanceBelow=85');
    expect(page.status).toBe(200);
    expect(page.text).toContain('30 pupils compared');
    expect(page.text).toContain('0 pupils would gain a prompt and 4 would lose one');
    // Now 6 PEAP prompts; with the threshold at 3, 2 remain and 4 pupils lose theirs: the 2 withheld, and
    // with it the row (6 − 4 would give it back).
    expect(page.text).toContain('Prompts that would change Prompt Now Proposed Pupils gaining Pupils losing Hold a Pre-Exclusion Assessment (PEAP) meeting c c 0 c');
    expect(page.text).toContain('DEMO-001 (DEMO-SCH): would lose Hold a Pre-Exclusion Assessment (PEAP) meeting');
    expect(page.text).not.toContain('peap.required'); // words, not the rules' internal ids
    expect(page.text).toContain('By free school meals');
    const [read] = await store.audit.entriesOf(WHAT_IF_READ);
    expect(read).toMatchObject({ actor: 'demo-officer', data: { schools: ['DEMO-SCH'], proposed: { 'peap.required': { threshold: 3 }, 'ebsna.referral-suggested': { attendanceBelow: 85 } } } });

    const refused = await browser.get('/workspace/what-if?peapThreshold=three&ebsnaAttendanceBelow=150');
    expect(refused.text).toContain('Suspensions in one half-term that call for a PEAP: enter a whole number, like 2');
    const beyond = await browser.get('/workspace/what-if?peapThreshold=3&ebsnaAttendanceBelow=150');
    expect(beyond.text).toMatch(/Attendance \(%\) below which an EBSNA referral is suggested: 150 is above the maximum 100/);
    expect(await store.audit.entriesOf(WHAT_IF_READ)).toHaveLength(1);
    expect((await browser.get('/workspace/what-if?peapThreshold=3&ebsnaAttendanceBelow=85&school=OTHER-SCH')).status).toBe(404);
  });

  it('reads an off-site direction case back in words: where it stands, its notice done late and by whom, its timeline; listed under its kind', async () => {
    const store = await demo();
    const head = await store.staff.actorFor('demo-head');
    // Directed off site from Mon 23 Mar 2026: notice due two school days before, Thu 19 Mar; given Fri 20 Mar.
    const { case: direction } = await openByHand(store, head, 'off-site-direction', 'DEMO-004', '2026-03-16', { startDate: '2026-03-23', provider: 'Riverside Learning Centre' });
    await store.cases.send(head, { id: direction.id, kind: 'off-site-direction' }, { type: 'RECORD_NOTICE', sentOn: '2026-03-20', method: 'letter' });
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const page = await browser.get(`/workspace/cases/${direction.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kind Off-site direction');
    // Where it stands in words, the machine's own name only beside them.
    expect(page.text).toContain('State placement running — next review to hold (placement: running)');
    expect(page.text).toMatch(/parents' written notice \(two school days before the placement\) 19 March 2026 Done late/);
    expect(page.text).toContain("recorded the parents' written notice (letter, Friday 20 Mar 2026)");

    const list = await browser.get('/workspace/cases?kind=off-site-direction');
    expect(list.text).toContain('Off-site direction');
    expect(list.text).toContain(direction.id);
    expect(list.text).toContain('placement running — next review to hold');
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

  it("applies a change of access at once: the session holds no role or school, the person is read on every request", async () => {
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
    expect(fresh.signedInAs()).toBeUndefined();
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
    expect(browser.signedInAs()).toBeUndefined();
    // A session signed with the same secret in a local run opens nothing here.
    const replay = await fetch(`${browser.origin}/workspace/cases`, { redirect: 'manual', headers: { cookie: `workspace.session=${session}; workspace.session.sig=${signature}` } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/workspace/sign-in');
  });

  it('sends a content security policy with no inline script, framing by the workspace alone (no Teams tab here), and no caching of pages; serves GOV.UK Frontend from its own assets', async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const page = await browser.get(`/workspace/cases/${id}`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toMatch(/frame-ancestors 'self'(;|$)/);
    expect(csp).not.toContain('teams.microsoft.com');
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
  it('offers the staff list only in a local trial: no Slack, OIDC or Microsoft credentials, a loopback HOST, not production', () => {
    const local = (env: Record<string, string>) => signInMethods(loadConfig(env)).map((m) => m.method);
    expect(local({})).toEqual(['local']);
    expect(local({ HOST: 'localhost' })).toEqual(['local']);
    expect(local({ HOST: '::1' })).toEqual(['local']);
    expect(local({ HOST: '127.0.0.2' })).toEqual(['local']);
    // A Slack-only deployment outside production: real staff, so no list of them for anyone who asks.
    expect(local({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([]);
    expect(local({ OIDC_ISSUER: 'https://idp.example.org/v2.0' })).toEqual([]);
    expect(local({ OIDC_CLIENT_ID: 'c' })).toEqual([]);
    // Listening on every address: others on the network could reach it (without credentials it does not start at all).
    expect(local({ HOST: '0.0.0.0', OIDC_CLIENT_ID: 'c' })).toEqual([]);
    expect(() => local({ HOST: '::' })).toThrow(/HOST is ::, not a loopback address/);
    expect(local({ NODE_ENV: 'production', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: SECRET })).toEqual([]);
    // The bot's local mode (no Microsoft app id: no token check on /api/messages) is unchanged by this.
    expect(isLocalMode(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe(true);
    expect(localSignInRefusal(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' }))).toBe('Slack is configured');
  });

  it('shows a Slack-only deployment no staff list: signing in is not available, and choosing someone is refused', async () => {
    const store = await demo();
    const browser = await serve(store, { signIn: signInMethods(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' })) });
    const page = await browser.get('/workspace/sign-in');
    expect(page.status).toBe(403);
    expect(page.text).toContain('Signing in is not available here yet');
    expect(page.text).not.toContain('Demo Head');
    expect(page.html).not.toContain('Local trial');
    const token = decodeURIComponent(browser.cookie('workspace.csrf')!).split('|')[0]!;
    const posted = await browser.post('/workspace/sign-in', { staffId: 'demo-officer', _csrf: token }, null);
    expect(posted.status).toBe(403);
    expect(browser.signedInAs()).toBeUndefined();
  });

  it('answers a local trial only at localhost, 127.0.0.1 or [::1]: another host name (DNS rebinding) gets 421 and a line of text, before any cookie', async () => {
    const store = await demo();
    const browser = await serve(store);
    const port = new URL(browser.origin).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost', `LocalHost:${port}`]) {
      const page = await getWithHost(browser.origin, '/workspace/sign-in', host);
      expect(page.status, host).toBe(200);
      expect(page.body, host).toContain('Demo Head (fictional)');
    }
    for (const host of [`rebind.attacker.example:${port}`, 'rebind.attacker.example', `localhost.attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, `localhost.:${port}`, `user@localhost:${port}`, `192.168.1.20:${port}`]) {
      const page = await getWithHost(browser.origin, '/workspace/sign-in', host);
      expect(page.status, host).toBe(421);
      expect(page.headers['content-type'], host).toMatch(/^text\/plain/);
      expect(page.body, host).toBe('This local trial of the workspace answers only at localhost, 127.0.0.1 or [::1].\n');
      expect(page.headers['set-cookie'], host).toBeUndefined();
      expect((await getWithHost(browser.origin, '/workspace/assets/workspace.css', host)).status, host).toBe(421);
    }
    // A signed-in session's cookie does not help: the pages of cases are refused the same way.
    await signIn(browser, 'demo-officer');
    const cookie = `workspace.session=${browser.cookie('workspace.session')!}; workspace.session.sig=${browser.cookie('workspace.session.sig')!}`;
    expect((await getWithHost(browser.origin, '/workspace/cases', `127.0.0.1:${port}`, cookie)).status).toBe(200);
    expect((await getWithHost(browser.origin, '/workspace/cases', `rebind.attacker.example:${port}`, cookie)).status).toBe(421);
  });

  it('refuses a session more than eight hours old, and one from a way of signing in no longer offered', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const cookie = `workspace.session=${browser.cookie('workspace.session')!}; workspace.session.sig=${browser.cookie('workspace.session.sig')!}`;
    const open = async (origin: string) => (await fetch(`${origin}/workspace/cases`, { redirect: 'manual', headers: { cookie } })).status;
    try {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 60 * 60 * 1000 - 60_000 });
      expect(await open(browser.origin)).toBe(200);
      vi.setSystemTime(Date.now() + 2 * 60_000);
      // Past eight hours: sent to sign in, and the cookie cleared — whatever the cookie's own expiry says.
      const late = await fetch(`${browser.origin}/workspace/cases`, { redirect: 'manual', headers: { cookie } });
      expect(late.status).toBe(303);
      expect(late.headers.get('location')).toBe('/workspace/sign-in');
      expect(late.headers.getSetCookie().some((c) => /^workspace\.session=;/.test(c))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    expect(await open(browser.origin)).toBe(200);
    // The same cookie (the same secret) where only OpenID Connect is offered now: a local session opens nothing.
    const oidcOnly = await serve(store, { signIn: [only('oidc')] });
    expect(await open(oidcOnly.origin)).toBe(303);
    const teamsAndLocal = await serve(store, { signIn: [only('teams-tab'), localSignIn] });
    expect(await open(teamsAndLocal.origin)).toBe(200);
  });

  it("audits the case list as the workflows library does for every channel: who, the filter and the ids it returned", async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const before = (await store.audit.entriesOf(CASE_LIST_READ)).length;
    const page = await browser.get('/workspace/cases?pupil=DEMO-009');
    expect(page.status).toBe(200);
    const reads = (await store.audit.entriesOf(CASE_LIST_READ)).slice(before);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor: 'demo-officer', role: 'inclusion-officer', data: { filter: { pupilId: 'DEMO-009' } } });
    expect([...(reads[0]!.data as { caseIds: string[] }).caseIds].sort()).toEqual([...page.caseLinks()].sort());
  });

  it("serves pupils' data to no other site's request — a link, an image or a frame elsewhere — and nothing is read or audited; a person who followed a link gets a link to go on", async () => {
    const store = await demo();
    const { id } = await decidedPeap(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const trail = async () => (await store.audit.entriesFor(id)).length + (await store.audit.entriesOf(CASE_LIST_READ)).length + (await store.audit.entriesOf('report-read')).length;
    const before = await trail();
    const image = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' };
    const frame = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' };
    const link = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' };
    const paths = ['/workspace/cases', '/workspace/cases?pupil=DEMO-009', `/workspace/cases/${id}`, '/workspace/figures', '/workspace/figures/download.csv?year=2025%2F26&period=spring', '/workspace/figures/board-pack.xlsx?year=2025%2F26&period=spring&school=DEMO-SCH'];
    const cookie = browser.cookies();
    for (const path of paths) {
      for (const headers of [image, frame]) {
        const refused = await rawGet(browser.origin, path, { ...headers, cookie });
        expect(refused.status, path).toBe(403);
        expect(refused.headers['content-type'], path).toMatch(/^text\/plain/);
        expect(refused.body, path).not.toMatch(/DEMO-0\d\d|peap-/);
      }
      const followed = await rawGet(browser.origin, path, { ...link, cookie });
      expect(followed.status, path).toBe(403);
      expect(followed.body, path).toContain('Open this page from the workspace');
      expect(followed.body, path).toContain(`href="${path.replace(/&/g, '&amp;')}"`);
      expect(followed.body, path).not.toContain('http-equiv="refresh"');
      // Nothing read: no table of cases, no case, not even who is signed in.
      expect(followed.body.replace(/href="[^"]*"/g, ''), path).not.toMatch(/govuk-table|govuk-summary-list|Signed in as|DEMO-0\d\d/);
      // fetch's own Sec-Fetch-Mode (cors) with another site's mark: refused too.
      expect((await browser.get(path, { 'sec-fetch-site': 'cross-site' })).status, path).toBe(403);
    }
    expect(await trail()).toBe(before);
    // The workspace's own pages, the same site, the address bar, and a browser that sends no such header: served.
    for (const site of ['same-origin', 'same-site', 'none', undefined]) {
      const page = await rawGet(browser.origin, `/workspace/cases/${id}`, { ...(site ? { 'sec-fetch-site': site, 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' } : {}), cookie });
      expect(page.status, site).toBe(200);
      expect((await browser.get('/workspace/figures', site ? { 'sec-fetch-site': site } : {})).status, site).toBe(200);
    }
    // Signing in is not data: another site's link to the sign-in page is served.
    expect((await rawGet(browser.origin, '/workspace/sign-in', link)).status).toBe(200);
  });

  it('binds the CSRF token to this browser\'s own session, made afresh at sign-in: a pair minted elsewhere and planted here is refused (login CSRF)', async () => {
    const store = await demo();
    // The attacker's own visit: a token and its cookie, as any visitor gets.
    const attacker = new Browser((await serve(store)).origin);
    const theirs = await attacker.get('/workspace/sign-in');
    const victim = new Browser(attacker.origin);
    await victim.get('/workspace/sign-in');
    victim.plant('workspace.csrf', attacker.cookie('workspace.csrf')!);
    const planted = await victim.post('/workspace/sign-in', { staffId: 'demo-head' }, theirs);
    expect(planted.status).toBe(403);
    expect(planted.text).toContain('Your form could not be sent');
    expect(victim.signedInAs()).toBeUndefined();

    // The session id changes at sign-in: a token from the page before signing in is no good after.
    const browser = new Browser(attacker.origin);
    const before = await browser.get('/workspace/sign-in');
    const sidBefore = (JSON.parse(Buffer.from(browser.cookie('workspace.session')!, 'base64').toString()) as { sid: string }).sid;
    expect((await browser.post('/workspace/sign-in', { staffId: 'demo-officer' }, before)).status).toBe(303);
    expect((JSON.parse(Buffer.from(browser.cookie('workspace.session')!, 'base64').toString()) as { sid: string }).sid).not.toBe(sidBefore);
    expect((await browser.post('/workspace/sign-out', {}, before)).status).toBe(403);
    expect(browser.signedInAs()).toBe('demo-officer');
  });

  it("refuses a form sent from another origin, or from an opaque one, even with a good token; the workspace's own origin is accepted", async () => {
    const store = await demo();
    const browser = await serve(store);
    for (const headers of [{ origin: 'https://attacker.example' }, { origin: 'null' }, { origin: browser.origin.replace('127.0.0.1', 'localhost') }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
      const page = await browser.get('/workspace/sign-in');
      const refused = await browser.post('/workspace/sign-in', { staffId: 'demo-officer' }, page, headers);
      expect(refused.status, JSON.stringify(headers)).toBe(403);
      expect(refused.text).toContain('Your form could not be sent');
      expect(browser.signedInAs()).toBeUndefined();
    }
    const page = await browser.get('/workspace/sign-in');
    expect((await browser.post('/workspace/sign-in', { staffId: 'demo-officer' }, page, { origin: browser.origin, 'sec-fetch-site': 'same-origin' })).status).toBe(303);
    expect(browser.signedInAs()).toBe('demo-officer');
  });
});
