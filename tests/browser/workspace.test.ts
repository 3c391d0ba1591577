/**
 * End to end, as an inclusion officer meets the web workspace: the service (`pnpm start`, demo
 * school) and headless Chromium. The demo officer signs in on the local page, filters the cases,
 * opens one and adds a note, and sees it; the demo head writes a letter from a suspension case's
 * page and downloads it. Every page visited is checked with axe-core against
 * WCAG 2.2 A and AA, and again at 320 CSS pixels wide, where nothing may scroll sideways but a
 * table in its own box; screenshots of the case list and the case page are saved.
 *
 * axe is injected with addScriptTag, an inline script, which the workspace's content security
 * policy forbids: that context bypasses CSP. So the same pages are then loaded with the policy in
 * force, and must load without a single CSP violation, with GOV.UK Frontend's script started.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const RESULTS = join(root, 'test-results');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

interface Violation {
  readonly id: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/** axe-core's WCAG 2.2 A/AA violations on the page as it is now. */
async function axe(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_22_AA)} } })
       .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  );
  return found as Violation[];
}

describe('an inclusion officer in the web workspace', () => {
  let service: ServiceProcess;
  let db: ServiceDatabase;
  let browser: Browser;
  let checked: BrowserContext;
  let page: Page;
  /** Every page the officer visited, for the checks with the content security policy in force. */
  const visited: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup (it installs Debian's chromium) or set CHROMIUM_PATH`);
    const dir = dataDir('bot-workspace-');
    // SQLite only: the store underneath is checked on both backends by the bot's own suite.
    db = await serviceDatabase('sqlite', dir);
    service = await startService(dir, db.env);
    // The service runs the rules in the background on start: wait for the cases they open.
    for (const until = Date.now() + 30_000; (await withStore(db, (store) => store.cases.list(SYSTEM))).length === 0; ) {
      if (Date.now() > until) throw new Error('the service opened no cases within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    checked = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 900 } });
    page = await checked.newPage();
    // Pages reached by a GET (a form's error page answers a POST: its URL is not a page of its own).
    page.on('load', () => {
      if (!page.url().endsWith('/notes')) visited.push(page.url());
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  /** axe finds nothing on this page, at desktop width and at 320 CSS pixels, where only table boxes scroll sideways. */
  async function accessible(what: string): Promise<void> {
    expect(await axe(page), `${what}: axe at 1024px`).toEqual([]);
    await page.setViewportSize({ width: 320, height: 800 });
    try {
      expect(await page.evaluate('document.documentElement.scrollWidth'), `${what}: the page scrolls sideways at 320px`).toBeLessThanOrEqual(320);
      expect(await axe(page), `${what}: axe at 320px`).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1024, height: 900 });
    }
  }

  it('has a checker that finds faults (a picture without a text alternative, a field without a label)', async () => {
    const probe = await checked.newPage();
    await probe.setContent('<!DOCTYPE html><html lang="en"><head><title>Probe</title></head><body><main><img src="x.png"><input type="text"></main></body></html>');
    expect((await axe(probe)).map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'label']));
    await probe.close();
  });

  it('signs in as the demo officer, filters the cases, opens one, adds a note and sees it — every page accessible', { timeout: 120_000 }, async () => {
    await page.goto(`${service.url}/workspace/`);
    await page.getByRole('heading', { name: 'Who are you?' }).waitFor();
    await accessible('sign-in');

    // A mistake first: the error summary is accessible too.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.title()).toMatch(/^Error: Sign in/);
    await accessible('sign-in with an error');

    await page.getByRole('radio', { name: 'Demo Inclusion Officer (fictional)' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    await page.getByText('Signed in as Demo Inclusion Officer (fictional)').waitFor();
    await accessible('cases');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'workspace-cases.png'), fullPage: true });

    await page.getByLabel('Kind of case').selectOption({ label: 'Pre-exclusion assessment (PEAP)' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/kind=peap/);
    const links = page.getByRole('region', { name: /cases/ }).getByRole('link');
    expect(await links.count()).toBeGreaterThan(0);
    for (const text of await links.allInnerTexts()) expect(text).toMatch(/^peap-/);
    await accessible('cases filtered');

    const caseId = (await links.first().innerText()).trim();
    await links.first().click();
    await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
    await accessible('case');

    // An empty note is refused, with the error summary and the field's message.
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await accessible('case with an error');

    await page.getByLabel('Add a note').fill('Spoke to the head: the meeting is booked for Monday.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Your note was added to the case.').waitFor();
    await page.locator('.app-note', { hasText: 'Spoke to the head: the meeting is booked for Monday.' }).waitFor();
    await accessible('case with a note');
    await page.screenshot({ path: join(RESULTS, 'workspace-case.png'), fullPage: true });
    // The top of the page, as the README shows it.
    await page.screenshot({ path: join(RESULTS, 'workspace-case-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1024, height: 1300 } });

    const trail = await withStore(db, (store) => store.audit.entriesFor(caseId));
    expect(trail.filter((r) => r.action === 'note')).toEqual([expect.objectContaining({ actor: 'demo-officer', data: { text: 'Spoke to the head: the meeting is booked for Monday.' } })]);
    expect(existsSync(join(RESULTS, 'workspace-cases.png')) && existsSync(join(RESULTS, 'workspace-case.png'))).toBe(true);
  });

  it('loads the same pages with the content security policy in force: no violation, GOV.UK Frontend started', { timeout: 60_000 }, async () => {
    expect(visited.length).toBeGreaterThan(3);
    // The same signed-in session, without bypassing anything.
    const enforced = await browser.newContext({ storageState: await checked.storageState() });
    const strict = await enforced.newPage();
    const problems: string[] = [];
    strict.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    strict.on('pageerror', (e) => problems.push(e.message));
    for (const url of new Set(visited)) {
      const response = await strict.goto(url);
      expect(response?.headers()['content-security-policy'], url).toContain("script-src 'self'");
      await strict.waitForFunction('document.body.classList.contains("govuk-frontend-supported")');
    }
    expect(problems).toEqual([]);
    await enforced.close();
  });

  it('compares a proposed setting in the what-if page by filling its form — the result and an error accessible', { timeout: 120_000 }, async () => {
    await page.goto(`${service.url}/workspace/what-if`);
    if (page.url().endsWith('/sign-in')) {
      await page.getByRole('radio', { name: 'Demo Inclusion Officer (fictional)' }).check();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/cases/);
      await page.goto(`${service.url}/workspace/what-if`);
    }
    await page.getByRole('heading', { name: 'What if a setting changed?', level: 1 }).waitFor();
    await page.getByLabel('Suspensions in one half-term that call for a PEAP').fill('3');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('heading', { name: '30 pupils compared' }).waitFor();
    await page.getByRole('table', { name: 'Prompts that would change' }).waitFor();
    await accessible('what-if');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'workspace-what-if.png'), fullPage: true });
    await page.getByLabel('Suspensions in one half-term that call for a PEAP').fill('many');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await accessible('what-if with an error');
  });

  it('shows the figures — charts drawn on the server, tables beside them, publication and an error — every view accessible, nothing refused by the content security policy', { timeout: 120_000 }, async () => {
    await page.goto(`${service.url}/workspace/figures`);
    if (page.url().endsWith('/sign-in')) {
      await page.getByRole('radio', { name: 'Demo Inclusion Officer (fictional)' }).check();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/cases/);
      await page.goto(`${service.url}/workspace/figures`);
    }
    await page.getByRole('heading', { name: 'Figures', level: 1 }).waitFor();
    await page.getByRole('heading', { name: '2025/26, year to date to the end of the spring term' }).waitFor();
    // Each chart is one image, named by its title; its figures are in the table beside it.
    const charts = page.getByRole('img');
    expect(await charts.count()).toBeGreaterThanOrEqual(3);
    await page.getByRole('img', { name: 'Rates per 100 pupils on roll, year to date' }).waitFor();
    await page.getByRole('table', { name: 'Year-to-date figures, with rates per 100 pupils on roll' }).waitFor();
    await accessible('figures');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, 'workspace-figures.png'), fullPage: true });
    await page.screenshot({ path: join(RESULTS, 'workspace-figures-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1024, height: 1500 } });

    await page.getByLabel('Figures for publication: withhold small figures').check();
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.waitForURL(/publication=yes/);
    await page.getByText('c: withheld.').first().waitFor();
    // A closed section's table, opened as a reader would.
    await page.getByText('Children permanently excluded: each group beside the rest').first().click();
    await accessible('figures for publication');
    const published = page.url();

    // The Excel download, as an officer saves it, read back: the figures shown, withheld as on the page.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as an Excel workbook' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^figures-2025-26-.*-for-publication\.xlsx$/);
    const saved = join(RESULTS, 'workspace-figures.xlsx');
    await download.saveAs(saved);
    // exceljs is the workflows package's; the shape read back is all this test needs of it.
    type Workbook = { xlsx: { readFile(path: string): Promise<unknown> }; worksheets: { name: string }[] };
    const { Workbook } = createRequire(join(root, 'packages/workflows/package.json'))('exceljs') as { Workbook: new () => Workbook };
    const workbook = new Workbook();
    await workbook.xlsx.readFile(saved);
    expect(workbook.worksheets.map((w) => w.name)).toContain('About');
    expect(workbook.worksheets.length).toBeGreaterThan(2);

    await page.getByLabel('Academic year').fill('2025/27');
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.title()).toMatch(/^Error: Figures/);
    await accessible('figures with an error');

    // With the policy in force: the charts are inline SVG, nothing in them is refused.
    const enforced = await browser.newContext({ storageState: await checked.storageState() });
    const strict = await enforced.newPage();
    const problems: string[] = [];
    strict.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    strict.on('pageerror', (e) => problems.push(e.message));
    for (const url of [`${service.url}/workspace/figures`, published]) {
      const response = await strict.goto(url);
      expect(response?.headers()['content-security-policy'], url).toContain("style-src 'self'");
      await strict.waitForFunction('document.body.classList.contains("govuk-frontend-supported")');
    }
    expect(problems).toEqual([]);
    await enforced.close();

    const reads = await withStore(db, (store) => store.audit.entriesOf('report-read'));
    expect(reads.filter((r) => r.actor === 'demo-officer').length).toBeGreaterThanOrEqual(4);
    expect(existsSync(join(RESULTS, 'workspace-figures.png'))).toBe(true);
  });

  it("reads back a decided PEAP — the pupil's words, a Yes changed to No, the decision and its rationale — and tells another school's head it is not found", { timeout: 120_000 }, async () => {
    // The head's side, through the store: an interview with the attestation changed, then the decision.
    const caseId = await withStore(db, async (store) => {
      const head = await store.staff.actorFor('demo-head');
      const peap = (await store.cases.list(head, { status: 'active' })).find((c) => c.kind === 'peap' && c.state === 'triggered')!;
      await store.cases.send(head, { id: peap.id, kind: 'peap' }, [
        { type: 'SCHEDULE_MEETING', date: '2026-03-23' },
        { type: 'ANSWER', questionId: 'pupil-voice.likes', answer: 'Football at lunchtime, and art.' },
        { type: 'ANSWER', questionId: 'support.school-based', answer: 'A mentor twice a week since October.' },
        { type: 'ANSWER', questionId: 'support.exhausted', answer: true },
        { type: 'ANSWER', questionId: 'support.exhausted', answer: false },
        { type: 'COMPLETE_REFLECTION' },
        { type: 'DECIDE', decision: 'no-exclusion-support-plan', rationale: 'The mentoring is working; a support plan instead.', followUpDate: '2026-05-01' },
      ]);
      await store.staff.upsertSchool({ id: 'OTHER-SCH', name: 'Other School (fictional)' }, SYSTEM);
      await store.staff.upsert({ id: 'other-head', displayName: 'Other Head (fictional)', role: 'headteacher', schoolIds: ['OTHER-SCH'] }, SYSTEM);
      return peap.id;
    });

    await page.goto(`${service.url}/workspace/cases/${caseId}`);
    await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
    await page.getByText('Football at lunchtime, and art.').waitFor();
    await page.getByText(/Changed from Yes/).first().waitFor();
    await page.getByText('No exclusion: a support plan').first().waitFor();
    await page.getByText('The mentoring is working; a support plan instead.').waitFor();
    await accessible('a decided case');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('radio', { name: 'Other Head (fictional)' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    const response = await page.goto(`${service.url}/workspace/cases/${caseId}`);
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { name: /not found/i }).waitFor();
    expect(await page.content()).not.toContain('Football at lunchtime');
    await accessible('not found');
  });

  it("lets a head write a letter from a suspension case's page and download it — the form, its error and the list accessible, nothing refused by the content security policy", { timeout: 120_000 }, async () => {
    const caseId = await withStore(db, async (store) => {
      const all = await store.cases.list(SYSTEM);
      return all.find((c) => c.kind === 'suspension' && c.status === 'active' && c.context.exclusion.category === 'FIXD')!.id;
    });
    await page.goto(`${service.url}/workspace/sign-in`);
    if (await page.getByRole('button', { name: 'Sign out' }).count()) {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Who are you?' }).waitFor();
    }
    await page.getByRole('radio', { name: 'Demo Head (fictional)' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();

    await page.goto(`${service.url}/workspace/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Letters', level: 2 }).waitFor();
    await page.getByText('No letters have been written from this case yet.').waitFor();
    await accessible('a suspension case with the letter form');

    // No letter chosen: the error summary, and the field's message.
    await page.getByRole('button', { name: 'Write the letter' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await page.getByRole('link', { name: 'Choose which letter to write' }).waitFor();
    await accessible('the letter form with an error');

    await page.getByRole('radio', { name: "Parents' notice of the suspension" }).check();
    await page.getByLabel("Pupil's name").fill('Sam Example');
    await page.getByRole('button', { name: 'Write the letter' }).click();
    await page.getByText("The letter was written and is kept with the case: Parents' notice of the suspension (PDF).").waitFor();
    await accessible('a suspension case with a letter');
    await page.screenshot({ path: join(RESULTS, 'workspace-letters.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('table').getByRole('link', { name: /Parents' notice of the suspension \(PDF\)/ }).click()]);
    expect(download.suggestedFilename()).toBe(`parents-suspension-${caseId}-2026-03-20.pdf`);
    const saved = join(RESULTS, 'workspace-letter.pdf');
    await download.saveAs(saved);
    const made = await withStore(db, (store) => store.audit.entriesOf('letter-made'));
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex')).toBe((made.find((r) => r.caseId === caseId)!.data as { sha256: string }).sha256);

    // With the policy in force: the case page and its form load with nothing refused.
    const enforced = await browser.newContext({ storageState: await checked.storageState() });
    const strict = await enforced.newPage();
    const problems: string[] = [];
    strict.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    strict.on('pageerror', (e) => problems.push(e.message));
    await strict.goto(`${service.url}/workspace/cases/${caseId}`);
    await strict.waitForFunction('document.body.classList.contains("govuk-frontend-supported")');
    expect(problems).toEqual([]);
    await enforced.close();
  });
});
