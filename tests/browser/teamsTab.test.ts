/**
 * The web workspace as a Teams tab, in headless Chromium, without Teams (no Teams client, no
 * network): the service with Teams tab sign-in on (a Microsoft app id and WORKSPACE_URL), and
 * the same in local mode to reach the signed-in pages.
 *
 * - Teams' dark and high-contrast themes (teams.css, the class teams-tab.mjs puts on <html>)
 *   keep WCAG 2.2 AA on every page: axe, theme by theme, on the sign-in, case list, case and
 *   "not found" pages, the tab's page and its refusal.
 * - The tab's page loads with its content security policy in force: the Teams JS SDK comes from
 *   the service, nothing inline runs, and opened outside Teams it says to open it in Teams.
 * - A theme chosen on one page is back before the next is drawn (teams-theme.js).
 */
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../../packages/workflows/dist/index.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const THEMES = ['dark', 'contrast'] as const;

const APP_ID = '8c6f1a2e-3b4d-4e5f-9a0b-1c2d3e4f5a6b';
const TENANT = 'f2b1c3d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

/** axe-core's WCAG 2.2 A/AA violations on the page as it is now, with the ids of what they are on. */
async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_22_AA)} } })
       .then((r) => r.violations.flatMap((v) => v.nodes.map((n) => v.id + ': ' + n.target.join(' ') + ' ' + (n.any[0]?.message ?? ''))))`,
  )) as string[];
}

/** Each Teams theme on the page as it is, checked with axe; teams.css added where the page does not load it (local mode). */
async function themesAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate('!!document.querySelector(\'link[href$="/teams.css"]\')'))) {
    await page.addStyleTag({ url: new URL('/workspace/assets/teams.css', page.url()).href });
  }
  for (const theme of THEMES) {
    await page.evaluate(`document.documentElement.classList.remove('app-theme-dark', 'app-theme-contrast'); document.documentElement.classList.add('app-theme-${theme}')`);
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor'), `${what}: the ${theme} theme applies`).not.toBe('rgb(255, 255, 255)');
    expect(await axe(page), `${what} in the ${theme} theme`).toEqual([]);
  }
}

describe('the web workspace as a Teams tab', () => {
  let local: ServiceProcess;
  let teams: ServiceProcess;
  let localDb: ServiceDatabase;
  let browser: Browser;

  beforeAll(async () => {
    const dir = dataDir('bot-tab-local-');
    localDb = await serviceDatabase('sqlite', dir);
    local = await startService(dir, localDb.env);
    const teamsDir = dataDir('bot-tab-teams-');
    teams = await startService(teamsDir, {
      ...(await serviceDatabase('sqlite', teamsDir)).env,
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret',
      WORKSPACE_URL: 'https://bx.example.org/workspace',
      TEAMS_ALLOWED_TENANTS: TENANT,
    });
    for (const until = Date.now() + 30_000; (await withStore(localDb, (store) => store.cases.list(SYSTEM))).length === 0; ) {
      if (Date.now() > until) throw new Error('the service opened no cases within 30 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await local?.stop();
    await teams?.stop();
  });

  it('says at start that Teams tab sign-in is on, for the Application ID URI on WORKSPACE_URL\'s host', () => {
    expect(teams.logs.some((l) => l.includes(`Teams tab sign-in on, for api://bx.example.org/${APP_ID}`))).toBe(true);
  });

  it('keeps WCAG 2.2 AA in the dark and high-contrast themes on the signed-in pages', { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${local.url}/workspace/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await themesAccessible(page, 'sign-in with an error');

    await page.getByRole('radio', { name: 'Demo Inclusion Officer (fictional)' }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Cases', level: 1 }).waitFor();
    await themesAccessible(page, 'cases');

    const links = page.getByRole('region', { name: /cases/ }).getByRole('link');
    const caseId = (await links.first().innerText()).trim();
    await links.first().click();
    await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
    await themesAccessible(page, 'case');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await themesAccessible(page, 'case with an error');

    await page.goto(`${local.url}/workspace/nowhere`);
    await themesAccessible(page, 'not found');
    await context.close();
  });

  it('loads the tab\'s page with its content security policy in force; outside Teams it says to open it in Teams; its pages keep AA in each theme', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // The SDK's fetch of Microsoft's list of Teams origins is refused by connect-src 'self' (it uses the list it carries).
      if (m.type() === 'error' && !/res\.cdn\.office\.net/.test(m.text())) problems.push(m.text());
    });
    page.on('request', (r) => requests.push(r.url()));

    const response = await page.goto(`${teams.url}/workspace/sign-in/teams`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['x-frame-options']).toBeUndefined();
    expect(response?.headers()['content-security-policy']).toContain('frame-ancestors');
    await page.getByRole('heading', { name: 'Signing you in', level: 1 }).waitFor();
    expect(await page.evaluate('typeof window.microsoftTeams?.authentication?.getAuthToken')).toBe('function');
    // Not in Teams: nobody answers app.initialize(), and after a while the page says where to go.
    await page.getByText('Open the workspace from the Before Exclusion app in Microsoft Teams').waitFor({ timeout: 20_000 });
    expect(await page.getByText('Teams is telling the workspace who you are').isHidden()).toBe(true);
    expect(problems).toEqual([]);
    // Scripts and styles came from the service alone.
    const origin = new URL(teams.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);

    const checked = await browser.newContext({ bypassCSP: true, viewport: { width: 1024, height: 900 } });
    const tab = await checked.newPage();
    // The service is set up for https://bx.example.org (WORKSPACE_URL), behind a proxy that ends TLS;
    // a browser there posts the tab's form from that origin, and the service takes forms from its own origin only.
    // (Chromium keeps its own Origin on a request continued: the POST is sent from here instead, and its answer given to the page.)
    await tab.route('**/workspace/sign-in/teams', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      await route.fulfill({ response: await route.fetch({ headers: { ...route.request().headers(), origin: 'https://bx.example.org' } }) });
    });
    await tab.goto(`${teams.url}/workspace/sign-in/teams`);
    await themesAccessible(tab, 'the tab\'s page');
    // A refused token's page, as teams-tab.mjs would send a token the service cannot accept.
    await tab.evaluate(`(() => { const f = document.getElementById('teams-sign-in'); f.elements.namedItem('token').value = 'not.a.token'; f.submit(); })()`);
    await tab.getByRole('heading', { name: 'You cannot sign in to the workspace' }).waitFor();
    await themesAccessible(tab, 'the refusal');
    await checked.close();
    await context.close();
  });

  it('puts the last Teams theme back before the next page is drawn', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${teams.url}/workspace/sign-in/teams`);
    await page.evaluate(`sessionStorage.setItem('workspace.teams-theme', 'contrast')`);
    // The class is there at the first paint: checked before any module script (and so Teams) has run.
    // ("interactive": the page is parsed, and no deferred or module script has run yet.)
    await page.addInitScript(`document.addEventListener('readystatechange', () => { if (document.readyState === 'interactive') window.__themeAtParse = document.documentElement.className; })`);
    await page.reload();
    expect(await page.evaluate('window.__themeAtParse')).toContain('app-theme-contrast');
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(0, 0, 0)');
    await context.close();
  });
});
