/**
 * A suspension case's letters in the web workspace, over HTTP as a browser meets them (the demo
 * school in a real store): a head writes the parents' notice from the case page's form, sees it
 * listed and downloads it — the bytes the audit trail's hash names, the download audited; the
 * form offers only the letters that fit the case, keeps what was typed when something is wrong,
 * and an inclusion officer reads the list but writes nothing; another school's head gets "not
 * found"; the names typed reach no audit row and no log line. And the form's reading on its own.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { CASE_LIST_READ, LETTER_LIST_READ, LETTER_MADE, LETTER_READ, SYSTEM, makeLetter, type CaseStore, type CaseView } from '@before-exclusion/workflows';
import { loadConfig } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, addOtherSchool, demoStore } from '../testing/fixtures.js';
import { WorkspaceBrowser as Browser, type WorkspacePage as Page } from '../testing/workspaceBrowser.js';
import { letterFormValues, readLetterForm } from './letters.js';
import { signInMethods } from './signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';

const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';

/** Names as a head would type them: none of them may reach an audit row or a log line. */
const TYPED = { pupilName: 'Zebedee Quartermaine', parentNames: 'Ottoline Quartermaine, Barnaby Quartermaine', address: '7 Larkspur Row\nFernhollow\nFH1 2AB', headteacherName: 'Dr Imelda Thistlewood' };
const SECRETS = ['Zebedee', 'Quartermaine', 'Ottoline', 'Barnaby', 'Larkspur', 'Fernhollow', 'Thistlewood'];

const servers: { close(): Promise<void> }[] = [];
const stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

/** The workspace on a port of its own, as the service mounts it; its log lines kept in `lines`. */
async function serve(store: CaseStore, lines: string[] = []): Promise<Browser> {
  const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
  const log: Logger = { debug: write, info: write, warn: write, error: write };
  const app = express();
  app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn: signInMethods(loadConfig({})) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function signIn(browser: Browser, staffId: string): Promise<void> {
  const page = await browser.get('/workspace/sign-in');
  expect((await browser.post('/workspace/sign-in', { staffId }, page)).status).toBe(303);
}

/** The letters' download links in the page's Letters table, in order. */
function letterLinks(page: Page): string[] {
  const table = page.html.slice(page.html.indexOf('id="letters"'));
  return [...table.matchAll(/<td class="govuk-table__cell"><a class="govuk-link" href="([^"]+)"/g)].map((m) => m[1]!);
}

/** The radios offered for "Which letter". */
function kindsOffered(page: Page): string[] {
  return [...page.html.matchAll(/name="kind" type="radio" value="([^"]+)"/g)].map((m) => m[1]!);
}

/** A download, as the browser receives it: status, headers and the bytes. */
async function download(browser: Browser, path: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${browser.origin}${path}`, { redirect: 'manual', headers: { cookie: browser.cookies() } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** A link followed from another site (a chat in a browser): fetch sets Sec-Fetch-Mode itself, so node:http. */
function navigateFromElsewhere(browser: Browser, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, browser.origin);
  const headers = { cookie: browser.cookies(), 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(BACKENDS)("a suspension case's letters in the web workspace on %s", (backend) => {
  async function demo() {
    const { store } = await demoStore({ backend });
    stores.push(store);
    return store;
  }

  /** An open suspension (not a permanent exclusion) of the demo school. */
  async function suspension(store: CaseStore): Promise<CaseView<'suspension'>> {
    const all = await store.cases.list(SYSTEM);
    const found = all.find((c): c is CaseView<'suspension'> => c.kind === 'suspension' && c.status === 'active' && c.context.exclusion.category === 'FIXD');
    if (!found) throw new Error('the demo store has no open suspension');
    return found;
  }

  it("lets a head write the parents' notice as a PDF from the form, lists it, and downloads the very bytes the audit trail's hash names; the download is audited", async () => {
    const store = await demo();
    const c = await suspension(store);
    const lines: string[] = [];
    const browser = await serve(store, lines);
    await signIn(browser, 'demo-head');

    const page = await browser.get(`/workspace/cases/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Letters');
    expect(page.text).toContain('No letters have been written from this case yet.');
    // A suspension not cancelled and not yet reviewed: the parents' notice and the local authority's.
    expect(kindsOffered(page)).toEqual(['parents-suspension', 'local-authority']);
    expect(page.html).toMatch(/name="format" type="radio" value="pdf" checked/);

    const made = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'pdf', ...TYPED, laName: '', laAddress: '' }, page);
    expect(made.status).toBe(303);
    const [entry, ...more] = (await store.audit.entriesOf(LETTER_MADE)).filter((r) => r.caseId === c.id);
    expect(more).toEqual([]);
    const data = entry!.data as { letterId: string; sha256: string; kind: string; format: string; fileName: string };
    expect(data).toMatchObject({ kind: 'parents-suspension', format: 'pdf' });
    expect(entry!.actor).toBe('demo-head');
    expect(made.location).toBe(`/workspace/cases/${c.id}?letter=${data.letterId}`);

    const after = await browser.get(made.location!);
    expect(after.text).toContain("The letter was written and is kept with the case: Parents' notice of the suspension (PDF).");
    expect(after.text).toContain(`Download ${data.fileName}`);
    expect(after.text).toMatch(/Parents' notice of the suspension \(PDF\), made 20 March 2026, \d\d:\d\d Version \d+, following Suspension and permanent exclusion from maintained schools[^)]+\) Demo Head \(fictional\), 20 March 2026/);
    expect(after.text).toContain(`${data.sha256.slice(0, 12)}…`);
    // The names typed are in the letter, not on the page after it is made.
    for (const name of SECRETS) expect(after.html).not.toContain(name);
    const href = `/workspace/cases/${c.id}/letters/${data.letterId}`;
    expect(letterLinks(after)).toEqual([href]);

    const reads = async () => (await store.audit.entriesOf(LETTER_READ)).filter((r) => r.actor === 'demo-head');
    expect(await reads()).toEqual([]);
    const file = await download(browser, href);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="${data.fileName}"`);
    expect(data.fileName).toBe(`parents-suspension-${c.id}-${TODAY}.pdf`);
    expect(file.headers.get('cache-control')).toBe('no-store');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(data.sha256);
    expect(await reads()).toEqual([expect.objectContaining({ caseId: c.id, data: { letterId: data.letterId, kind: 'parents-suspension', sha256: data.sha256 } })]);
    // Listing the letters is audited too, as the store does for every channel.
    expect((await store.audit.entriesOf(LETTER_LIST_READ)).filter((r) => r.actor === 'demo-head' && r.caseId === c.id).length).toBeGreaterThanOrEqual(2);

    // The names typed reach no audit row and no log line; the letter's kind and the case do.
    const trail = [...(await store.audit.entriesFor(c.id)), ...(await store.audit.entriesOf(CASE_LIST_READ))];
    expect(trail.map((r) => r.action)).toEqual(expect.arrayContaining([LETTER_MADE, LETTER_READ, LETTER_LIST_READ, 'case-read']));
    for (const row of trail) for (const name of SECRETS) expect(JSON.stringify(row), row.action).not.toContain(name);
    expect(lines.some((l) => l.includes('letter made') && l.includes(c.id) && l.includes('parents-suspension'))).toBe(true);
    expect(lines.some((l) => l.includes('letter read') && l.includes(c.id))).toBe(true);
    for (const line of lines) for (const name of SECRETS) expect(line).not.toContain(name);
  });

  it('writes a Word letter for the local authority with its contact and address, and keeps no parent name with it', async () => {
    const store = await demo();
    const c = await suspension(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const page = await browser.get(`/workspace/cases/${c.id}`);
    const made = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'local-authority', format: 'docx', ...TYPED, laName: 'The Exclusions Officer', laAddress: 'County Hall\nShiretown' }, page);
    expect(made.status).toBe(303);
    const head = await store.staff.actorFor('demo-head');
    const [summary] = await store.letters.forCase(head, c.id);
    const letter = await store.letters.read(head, summary!.letterId);
    // Only what that letter uses is kept with it.
    expect(letter.people).toEqual({ pupilName: TYPED.pupilName, headteacherName: TYPED.headteacherName, localAuthority: { name: 'The Exclusions Officer', address: ['County Hall', 'Shiretown'] } });
    const file = await download(browser, `/workspace/cases/${c.id}/letters/${summary!.letterId}`);
    expect(file.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="local-authority-${c.id}-${TODAY}.docx"`);
    expect(file.bytes.subarray(0, 2).toString()).toBe('PK');
    expect((await browser.get(made.location!)).text).toContain("Local authority's notification (Word)");
  });

  it("says a letter was erased once the pupil's data is, where it was downloaded before; the names typed for it are gone", async () => {
    const store = await demo();
    const c = await suspension(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const page = await browser.get(`/workspace/cases/${c.id}`);
    expect((await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'pdf', ...TYPED, laName: '', laAddress: '' }, page)).status).toBe(303);
    const head = await store.staff.actorFor('demo-head');
    const [summary] = await store.letters.forCase(head, c.id);
    const href = `/workspace/cases/${c.id}/letters/${summary!.letterId}`;
    expect((await download(browser, href)).status).toBe(200);
    await store.pupilData.erase(head, c.pupilId, 'request');
    const gone = await browser.get(href);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain("This was erased It was erased with the pupil's data");
    expect(JSON.stringify((await store.pupilData.subjectAccess(head, c.pupilId)).letters)).not.toMatch(/Zebedee|Quartermaine/);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  });

  it('says on the form what is wrong, keeping what was typed, and writes nothing: no letter chosen, one that does not fit, a name too long, no board reasons', async () => {
    const store = await demo();
    const c = await suspension(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const page = await browser.get(`/workspace/cases/${c.id}`);

    const none = await browser.post(`/workspace/cases/${c.id}/letters`, { format: 'pdf', ...TYPED }, page);
    expect(none.status).toBe(400);
    expect(none.html).toMatch(/<title>Error: Case /);
    expect(none.text).toContain('There is a problem');
    expect(none.html).toContain('href="#letter-kind">Choose which letter to write</a>');
    expect(none.html).toContain(`value="${TYPED.pupilName}"`);
    expect(none.html).toContain('7 Larkspur Row\nFernhollow\nFH1 2AB</textarea>');

    // Not cancelled: the cancellation letter is not offered, and is refused if sent.
    const unfit = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'cancellation', format: 'pdf', ...TYPED }, none);
    expect(unfit.status).toBe(400);
    expect(unfit.text).toContain('Choose one of the letters listed');
    const long = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'rtf', pupilName: 'x'.repeat(201) }, none);
    expect(long.status).toBe(400);
    expect(long.text).toContain("The pupil's name must be 200 characters or fewer");
    expect(long.text).toContain('Choose PDF or Word');
    expect((await store.audit.entriesOf(LETTER_MADE)).length).toBe(0);

    // Once the board's review is recorded, its decision letter is offered, and needs the board's reasons.
    const head = await store.staff.actorFor('demo-head');
    const board = (await store.cases.list(SYSTEM)).find((v): v is CaseView<'suspension'> => v.kind === 'suspension' && v.context.exclusion.category === 'FIXD' && v.context.boardReview !== undefined);
    if (!board) throw new Error('the demo store has no suspension the governing board reviews');
    await store.cases.send(head, { id: board.id, kind: 'suspension' }, [{ type: 'RECORD_BOARD_REVIEW', outcome: 'reinstated', heldOn: '2026-03-19' }]);
    const reviewed = await browser.get(`/workspace/cases/${board.id}`);
    expect(kindsOffered(reviewed)).toEqual(['parents-suspension', 'local-authority', 'board-decision']);
    const noReasons = await browser.post(`/workspace/cases/${board.id}/letters`, { kind: 'board-decision', format: 'pdf', ...TYPED, boardReasons: '  ' }, reviewed);
    expect(noReasons.status).toBe(400);
    expect(noReasons.html).toContain('href="#letter-board-reasons">Enter the governing board&#39;s reasons for its decision</a>');
    const decided = await browser.post(`/workspace/cases/${board.id}/letters`, { kind: 'board-decision', format: 'pdf', ...TYPED, boardReasons: 'The board found the incident was not proven.' }, reviewed);
    expect(decided.status).toBe(303);
    expect((await browser.get(decided.location!)).text).toContain("The letter was written and is kept with the case: The governing board's decision (PDF).");
  });

  it('offers only the cancellation letter once the exclusion is cancelled', async () => {
    const store = await demo();
    const c = await suspension(store);
    const head = await store.staff.actorFor('demo-head');
    await store.cases.send(head, { id: c.id, kind: 'suspension' }, [{ type: 'CANCEL', reason: 'Cancelled after the investigation.' }]);
    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const page = await browser.get(`/workspace/cases/${c.id}`);
    expect(kindsOffered(page)).toEqual(['cancellation']);
    expect(page.html).toMatch(/name="kind" type="radio" value="cancellation" checked/);
    expect(page.text).not.toContain('For the local authority');
    const made = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'cancellation', format: 'pdf', pupilName: TYPED.pupilName }, page);
    expect(made.status).toBe(303);
    expect((await browser.get(made.location!)).text).toContain('Notice that the exclusion is cancelled (PDF)');
  });

  it('shows an inclusion officer the list and lets them download, but offers no form and refuses their POST in the policy\'s words', async () => {
    const store = await demo();
    const c = await suspension(store);
    const head = await store.staff.actorFor('demo-head');
    const made = await makeLetter(store, head, { caseId: c.id, kind: 'parents-suspension', format: 'pdf', today: TODAY });
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const page = await browser.get(`/workspace/cases/${c.id}`);
    expect(letterLinks(page)).toEqual([`/workspace/cases/${c.id}/letters/${made.letterId}`]);
    expect(page.text).not.toContain('Write the letter');
    expect(kindsOffered(page)).toEqual([]);
    expect(page.text).toContain('An inclusion officer reads cases and adds audit notes but does not act on them.');
    expect((await download(browser, letterLinks(page)[0]!)).status).toBe(200);

    const refused = await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'pdf', ...TYPED }, page);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('There is a problem');
    expect(refused.text).toContain('An inclusion officer reads cases and adds audit notes but does not act on them.');
    expect((await store.audit.entriesOf(LETTER_MADE)).length).toBe(1);
  });

  it("gives another school's head the same 404 for a letter as for one that does not exist, and for writing one; a letter is found only under its own case", async () => {
    const store = await demo();
    const c = await suspension(store);
    const head = await store.staff.actorFor('demo-head');
    const made = await makeLetter(store, head, { caseId: c.id, kind: 'parents-suspension', format: 'pdf', today: TODAY });
    await addOtherSchool(store);
    const browser = await serve(store);
    await signIn(browser, 'other-head');
    const reads = async () => (await store.audit.entriesOf(LETTER_READ)).length;

    const theirs = await browser.get(`/workspace/cases/${c.id}/letters/${made.letterId}`);
    const unknown = await browser.get(`/workspace/cases/${c.id}/letters/letter-0000000000`);
    const odd = await browser.get(`/workspace/cases/${c.id}/letters/..%2F..%2Fetc`);
    for (const page of [theirs, unknown, odd]) {
      expect(page.status).toBe(404);
      expect(page.text).toContain('Page not found');
      expect(page.html).not.toContain(made.letterId);
    }
    const strip = (p: Page) => p.html.replace(/value="[^"]+"/g, '');
    expect(strip(theirs)).toBe(strip(unknown));
    expect(await reads()).toBe(0);
    const cases = await browser.get('/workspace/cases');
    expect((await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'pdf' }, cases)).status).toBe(404);
    expect((await store.audit.entriesOf(LETTER_MADE)).length).toBe(1);

    // The demo head, at another of their cases' address: not found either.
    const own = new Browser(browser.origin);
    await signIn(own, 'demo-head');
    const other = (await store.cases.list(SYSTEM)).find((v) => v.kind === 'suspension' && v.id !== c.id)!;
    expect((await own.get(`/workspace/cases/${other.id}/letters/${made.letterId}`)).status).toBe(404);
    expect((await download(own, `/workspace/cases/${c.id}/letters/${made.letterId}`)).status).toBe(200);
    // A PEAP has no letters: no section, and nothing to post to.
    const peap = (await store.cases.list(SYSTEM)).find((v) => v.kind === 'peap')!;
    const peapPage = await own.get(`/workspace/cases/${peap.id}`);
    expect(peapPage.html).not.toContain('id="letters"');
    expect((await own.post(`/workspace/cases/${peap.id}/letters`, { kind: 'parents-suspension', format: 'pdf' }, peapPage)).status).toBe(404);
  });

  it("serves a letter to no other site's request, reading nothing; a person who followed a chat's link gets a link to go on", async () => {
    const store = await demo();
    const c = await suspension(store);
    const head = await store.staff.actorFor('demo-head');
    const made = await makeLetter(store, head, { caseId: c.id, kind: 'parents-suspension', format: 'pdf', today: TODAY });
    const browser = await serve(store);
    await signIn(browser, 'demo-head');
    const path = `/workspace/cases/${c.id}/letters/${made.letterId}`;
    expect((await browser.get(path, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await store.audit.entriesOf(LETTER_READ)).length).toBe(0);
    const followed = await navigateFromElsewhere(browser, path);
    expect(followed.status).toBe(403);
    expect(followed.body).toContain('Open this page from the workspace');
    expect(followed.body).toContain(`href="${path}"`);
    expect((await store.audit.entriesOf(LETTER_READ)).length).toBe(0);
    // A form without its CSRF token writes nothing.
    expect((await browser.post(`/workspace/cases/${c.id}/letters`, { kind: 'parents-suspension', format: 'pdf' }, null)).status).toBe(403);
    expect((await store.audit.entriesOf(LETTER_MADE)).length).toBe(1);
  });
});

describe('the letter form', () => {
  const fitting = ['parents-suspension', 'local-authority'] as const;
  const read = (body: Record<string, unknown>) => readLetterForm(letterFormValues(body), fitting);

  it('keeps only the names the chosen letter uses, a line of address each, the parents split at commas', () => {
    const body = { kind: 'parents-suspension', format: 'docx', pupilName: '  Sam   Example ', parentNames: 'Alex Example,  Jo Example ,', address: '1 Test Street\r\n\r\n Testtown \r\n', laName: 'LA contact', boardReasons: 'Not this letter.' };
    expect(read(body)).toEqual({ errors: [], asked: { kind: 'parents-suspension', format: 'docx', people: { pupilName: 'Sam Example', parentNames: ['Alex Example', 'Jo Example'], address: ['1 Test Street', 'Testtown'] } } });
    expect(read({ ...body, kind: 'local-authority', laAddress: 'County Hall' })).toEqual({ errors: [], asked: { kind: 'local-authority', format: 'docx', people: { pupilName: 'Sam Example', localAuthority: { name: 'LA contact', address: ['County Hall'] } } } });
    // Nothing typed: a letter with lines to write the names by hand.
    expect(read({ kind: 'parents-suspension', format: 'pdf' })).toEqual({ errors: [], asked: { kind: 'parents-suspension', format: 'pdf', people: {} } });
  });

  it('says what is wrong with each field, and what would be accepted', () => {
    const problems = (body: Record<string, unknown>) => read(body).errors.map((e) => `${e.field}: ${e.text}`);
    expect(problems({})).toEqual(['kind: Choose which letter to write', 'format: Choose PDF or Word']);
    expect(problems({ kind: 'board-decision', format: 'pdf' })).toEqual(['kind: Choose one of the letters listed']);
    expect(problems({ kind: 'local-authority', format: 'pdf', laAddress: 'County Hall' })).toEqual(['laName: Enter who at the local authority the letter is to, or leave the address blank too']);
    expect(problems({ kind: 'parents-suspension', format: 'pdf', address: Array.from({ length: 9 }, (_, i) => `line ${i}`).join('\n') })).toEqual(['address: Enter the address in 8 lines or fewer']);
    expect(problems({ kind: 'parents-suspension', format: 'pdf', parentNames: `A, ${'b'.repeat(201)}` })).toEqual(["parentNames: Each parent's name must be 200 characters or fewer"]);
    expect(readLetterForm(letterFormValues({ kind: 'board-decision', format: 'pdf' }), ['board-decision']).errors).toEqual([{ field: 'boardReasons', text: "Enter the governing board's reasons for its decision" }]);
    // A repeated field counts as its last; anything but text is nothing.
    expect(letterFormValues({ kind: ['local-authority', 'parents-suspension'], format: { pdf: 1 } })).toMatchObject({ kind: 'parents-suspension', format: '' });
  });
});
