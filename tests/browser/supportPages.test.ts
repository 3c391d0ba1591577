/**
 * End to end, as an inclusion officer reads the support record in the web workspace: the service
 * (`pnpm start`, demo school, NURTURE_OUTREACH_CAPACITY=1) with a support record written into its
 * store — a support plan due for review, an action agreed at last week's meeting, three nurture
 * outreach referrals — and headless Chromium. The officer opens Support, sees the week's list with
 * the pupils the store holds, follows a pupil to their cases, opens the caseload and waiting list
 * and the support figures, and mistypes the meeting's date. Every page is checked with axe-core
 * against WCAG 2.2 A and AA, at 1024 and 320 CSS pixels, and loaded again with the content security
 * policy in force; screenshots are saved in test-results/ (workspace-support-*.png).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHOOL_DATE, SYSTEM, giveNurturePlace, openByHand, type CaseStore } from '../../packages/workflows/dist/index.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const RESULTS = join(root, 'test-results');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** axe-core's WCAG 2.2 A/AA violations on the page as it is now. */
async function axe(page: Page): Promise<{ id: string; help: string; targets: string[] }[]> {
  await page.addScriptTag({ path: AXE });
  return (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_22_AA)} } })
       .then((r) => r.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`,
  )) as { id: string; help: string; targets: string[] }[];
}

/**
 * The support record, written as the schools would have written it: DEMO-004's support plan due for
 * review on 24 March, an attendance meeting agreed for DEMO-001 and due 18 March, and the outreach
 * service's referrals — DEMO-007 with a place (amber, SDQ 24 → 15), DEMO-008 waiting, DEMO-011
 * awaiting consent.
 */
async function writeSupportRecord(store: CaseStore): Promise<void> {
  const head = await store.staff.actorFor('demo-head');
  const today = DEMO_SCHOOL_DATE;
  const open = async (kind: 'support-plan' | 'tats-action' | 'nurture-outreach', pupil: string, data: Record<string, unknown> = {}) => (await openByHand(store, head, kind, pupil, today, data)).case;
  const plan = await open('support-plan', 'DEMO-004');
  await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, [
    { type: 'ASSESS', assessedOn: '2026-02-23' },
    { type: 'AGREE_PLAN', intervention: 'nurture-group', provider: 'School nurture group', startDate: '2026-02-24', reviewDue: '2026-03-24' },
  ]);
  await open('tats-action', 'DEMO-001', { action: 'attendance-meeting', owner: 'demo-head', agreedOn: '2026-03-13', dueDate: '2026-03-18' });
  const refer = (pupil: string, referredOn: string) => open('nurture-outreach', pupil, { route: 'school-caseload', referredOn });
  const placed = await refer('DEMO-007', '2026-01-12');
  const waiting = await refer('DEMO-008', '2026-02-02');
  await refer('DEMO-011', '2026-01-05');
  for (const c of [placed, waiting]) await store.cases.send(head, { id: c.id, kind: 'nurture-outreach' }, [{ type: 'RECORD_CONSENT', given: true, on: '2026-02-09' }]);
  await giveNurturePlace(store, head, placed.id, { startedOn: '2026-02-23', followUpDue: '2026-03-27' });
  await store.cases.send(head, { id: placed.id, kind: 'nurture-outreach' }, [
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'baseline', takenOn: '2026-02-23', totalDifficulties: 24 },
    { type: 'SET_STATUS', status: 'amber', on: '2026-03-02' },
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'follow-up', takenOn: '2026-03-13', totalDifficulties: 15 },
  ]);
}

describe('an inclusion officer reads the support record in the web workspace', () => {
  let service: ServiceProcess;
  let db: ServiceDatabase;
  let browser: Browser;
  let checked: BrowserContext;
  let page: Page;
  const visited: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup (it installs Debian's chromium) or set CHROMIUM_PATH`);
    const dir = dataDir('bot-support-');
    db = await serviceDatabase('sqlite', dir);
    service = await startService(dir, { ...db.env, NURTURE_OUTREACH_CAPACITY: '1' });
    // The service runs the rules in the background on start: wait for the cases they open, then add the support record.
    for (const until = Date.now() + 30_000; (await withStore(db, (store) => store.cases.list(SYSTEM))).length === 0; ) {
      if (Date.now() > until) throw new Error('the service opened no cases within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await withStore(db, writeSupportRecord);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    checked = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 900 } });
    page = await checked.newPage();
    page.on('load', () => visited.push(page.url()));
    mkdirSync(RESULTS, { recursive: true });
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

  it('opens the weekly list and sees the pupils the store holds, follows one to their cases, then the caseload and the figures — every page accessible', { timeout: 180_000 }, async () => {
    await page.goto(`${service.url}/workspace/`);
    await page.getByRole('radio', { name: 'Demo Inclusion Officer (fictional)' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();

    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Support' }).click();
    await page.getByRole('heading', { name: 'Weekly list for the team around the school', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Week of 20 March 2026' }).waitFor();
    // The pupils the store holds: a plan due for review (new this week), the action agreed last week, the rules' selections.
    const plan = page.locator('.app-tats-pupil', { has: page.getByRole('heading', { name: /DEMO-004/ }) });
    await plan.getByText('New this week').waitFor();
    await plan.getByText('Support plan review due').waitFor();
    const withAction = page.locator('.app-tats-pupil', { has: page.getByRole('heading', { name: /DEMO-001/ }) });
    expect(await withAction.innerText()).toMatch(/an attendance meeting with the family — Demo Head \(fictional\), Overdue was due 18 March 2026 — case tats-action-/);
    expect(await page.locator('.app-tats-pupil').count()).toBe(13);
    await accessible('weekly list');
    await page.screenshot({ path: join(RESULTS, 'workspace-support-weekly-list.png'), fullPage: true });
    // The top of the page, as the README shows it.
    await page.screenshot({ path: join(RESULTS, 'workspace-support-weekly-list-top.png'), fullPage: true, clip: { x: 0, y: 0, width: 1024, height: 1100 } });

    // A pupil's cases, from their card.
    await plan.getByRole('link', { name: 'Cases for pupil DEMO-004' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    expect(page.url()).toContain('pupil=DEMO-004');
    const links = page.getByRole('region', { name: /cases/ }).getByRole('link');
    expect((await links.allInnerTexts()).some((t) => t.startsWith('support-plan-'))).toBe(true);
    await page.goBack();

    // A date that is not one, said under the field.
    await page.getByLabel('Meeting date').fill('2026-13-01');
    await page.getByRole('button', { name: 'Show the list' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.title()).toMatch(/^Error: Weekly list/);
    await page.locator('#week-error', { hasText: "Enter the meeting's date as a real date written year-month-day" }).waitFor();
    await accessible('weekly list with an error');

    await page.getByRole('navigation', { name: 'Support' }).getByRole('link', { name: 'Caseload and waiting list' }).click();
    await page.getByRole('heading', { name: 'Nurture outreach caseload and waiting list', level: 1 }).waitFor();
    await page.getByRole('heading', { name: '1 of 1 places taken' }).waitFor();
    const placed = page.getByRole('table').filter({ hasText: 'Follow-up due' }).getByRole('row', { name: /DEMO-007/ });
    expect(await placed.innerText()).toMatch(/Amber\s+early days, starting to respond to the strategies/);
    await placed.getByText('SDQ total difficulties 24 → 15 (improved)').waitFor();
    await page.getByRole('table').filter({ hasText: 'Place in the queue' }).getByRole('row', { name: /DEMO-008/ }).waitFor();
    await page.getByRole('table').filter({ hasText: 'Referral route' }).last().getByRole('row', { name: /DEMO-011/ }).waitFor();
    await accessible('caseload');
    await page.screenshot({ path: join(RESULTS, 'workspace-support-caseload.png'), fullPage: true });

    await page.getByRole('navigation', { name: 'Support' }).getByRole('link', { name: 'Support figures' }).click();
    await page.getByRole('heading', { name: 'Support figures', level: 1 }).waitFor();
    await page.getByRole('table', { name: 'Support plans agreed, by intervention and how each ended' }).getByRole('row', { name: /A nurture group/ }).waitFor();
    await page.getByRole('table', { name: 'Nurture outreach' }).getByRole('row', { name: 'Referred 3' }).waitFor();
    await accessible('support figures');
    await page.screenshot({ path: join(RESULTS, 'workspace-support-figures.png'), fullPage: true });
    // For publication: the small counts withheld, shown as c as on the Figures page.
    await page.getByLabel('Figures for publication: withhold small figures').check();
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.waitForURL(/publication=yes/);
    await page.getByRole('table', { name: 'Nurture outreach' }).getByRole('row', { name: 'Referred c (withheld)' }).waitFor();
    await accessible('support figures for publication');

    // Each page's read is in the audit trail, in the officer's name.
    const reads = await withStore(db, (store) => store.audit.entriesOf('case-list-read'));
    expect(reads.filter((r) => r.actor === 'demo-officer').length).toBeGreaterThanOrEqual(4);
    for (const name of ['weekly-list', 'caseload', 'figures']) expect(existsSync(join(RESULTS, `workspace-support-${name}.png`))).toBe(true);
  });

  it('loads the same pages with the content security policy in force: no violation, GOV.UK Frontend started', { timeout: 60_000 }, async () => {
    const pages = [...new Set(visited.filter((u) => u.includes('/workspace/support')))];
    expect(pages.length).toBeGreaterThanOrEqual(3);
    const enforced = await browser.newContext({ storageState: await checked.storageState() });
    const strict = await enforced.newPage();
    const problems: string[] = [];
    strict.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    strict.on('pageerror', (e) => problems.push(e.message));
    for (const url of pages) {
      const response = await strict.goto(url);
      expect(response?.headers()['content-security-policy'], url).toContain("script-src 'self'");
      await strict.waitForFunction('document.body.classList.contains("govuk-frontend-supported")');
    }
    // The page with the mistyped date answers 400: its console says so, and nothing else.
    expect(problems.filter((p) => !p.includes('status of 400'))).toEqual([]);
    await enforced.close();
  });
});
