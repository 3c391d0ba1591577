/**
 * End to end, as a head meets it: the service (`pnpm start`, demo school), Microsoft 365 Agents
 * Playground as the Teams client, and headless Chromium clicking its cards. The demo head is
 * greeted, receives the waiting cases unprompted, completes a whole PEAP by filling and pressing
 * the cards — pressing "Record the decision" with no decision chosen first, which shows the error
 * on the review card with the rationale still typed — and records the decision; the case in the
 * store holds every answer. Then, on a suspension case's card, the head records the parents'
 * notice by clicking its button and filling its form: the card says it is done, and the case and
 * its audit trail hold the notice. Screenshots of the summary card and the recorded notice are saved.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SCHOOL_DATE, SYSTEM, dutyActions, type CaseView } from '../../packages/workflows/dist/index.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = join(root, 'test-results/playground-peap-summary.png');
const NOTICE_SCREENSHOT = join(root, 'test-results/playground-notice-recorded.png');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForUrl(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a head completes a PEAP and records a notice in Agents Playground', () => {
  let service: ServiceProcess;
  let dir: string;
  // SQLite only: this suite is slow, and the store underneath is checked by the replay suites on both.
  let db: ServiceDatabase;
  let playground: ChildProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup (it installs Debian's chromium) or set CHROMIUM_PATH`);
    dir = dataDir('bot-browser-');
    db = await serviceDatabase('sqlite', dir);
    service = await startService(dir, db.env);
    const port = await freePort();
    playground = spawn(
      join(root, 'tests/node_modules/.bin/agentsplayground'),
      ['start', '-e', `${service.url}/api/messages`, '-c', 'msteams', '-p', String(port), '--dt'],
      {
        cwd: dir,
        detached: true,
        stdio: 'ignore',
        env: {
          ...process.env,
          TEAMSAPPTESTER_BROWSER: 'none',
          M365_AGENTS_PLAYGROUND_CONFIG_PATH: join(root, 'packages/bot/playground/agentsplayground.yml'),
          M365_AGENTS_PLAYGROUND_LOGFILE: join(dir, 'playground.log'),
        },
      },
    );
    await waitForUrl(`http://localhost:${port}/_debug/ping`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Tall enough for the whole summary card in one screenshot.
    page = await browser.newPage({ viewport: { width: 1200, height: 3000 } });
    // The client asks a CDN for fonts; with no network that only stalls the page.
    await page.route((u) => !['localhost', '127.0.0.1'].includes(u.hostname), (r) => r.abort());
    await page.goto(`http://localhost:${port}/`, { waitUntil: 'domcontentloaded' });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (playground?.pid) {
      try {
        process.kill(-playground.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await service?.stop();
  });

  const card = (text: string | RegExp): Locator => page.locator('.ac-adaptiveCard', { hasText: text }).last();
  const say = async (text: string) => {
    await page.locator('[contenteditable="true"][role="textbox"]').click();
    await page.keyboard.type(text);
    await page.getByRole('button', { name: 'Send Message' }).click();
  };

  /**
   * Chooses `option` in a card's choice input labelled `label`, however the client draws it: a
   * drop-down (Playground's Fluent combobox, its list of options opened beside the card) or radio buttons.
   */
  async function chooseIn(within: Locator, label: string, option: string): Promise<void> {
    const list = within.getByRole('combobox', { name: label });
    if ((await list.count()) === 0) return within.getByRole('radio', { name: option }).check();
    await list.click();
    await page.getByRole('option', { name: option, exact: true }).click();
    await expect(list.inputValue()).resolves.toBe(option);
  }

  /** Answers the question card on screen the way a head would: confirm what is pre-filled, or write/choose. */
  async function answer(question: Locator, n: number): Promise<void> {
    const date = question.getByRole('combobox', { name: /Your answer/ });
    const textbox = question.getByRole('textbox', { name: /Your answer/ });
    if ((await question.getByRole('radio', { name: 'Yes' }).count()) > 0) await question.getByRole('radio', { name: 'Yes' }).check();
    else if ((await question.getByRole('checkbox').count()) > 0) {
      const family = question.getByRole('checkbox', { name: 'Family circumstances' });
      if (!(await family.isChecked())) await family.check();
    } else if ((await date.count()) > 0) await date.fill('2026-03-25');
    else if ((await textbox.inputValue()) === '') await textbox.fill(`What the head wrote for question ${n}.`);
    await question.getByRole('button', { name: /and continue/ }).click();
  }

  it('greets the head, sends the waiting cases, and walks them through every question to the decision', { timeout: 240_000 }, async () => {
    await page.locator('[contenteditable="true"][role="textbox"]').waitFor({ timeout: 60_000 });
    await card('I prompt you when a pupil needs a pre-exclusion assessment').waitFor({ timeout: 60_000 });
    await card(/cases have opened for your school/).waitFor({ timeout: 30_000 });

    await say('start peap DEMO-002');
    let current = card(/question 1 of \d+/);
    await current.waitFor({ timeout: 30_000 });
    let total = 0;
    for (let n = 1; ; n++) {
      const heading = (await current.innerText()).match(/question (\d+) of (\d+)/);
      expect(Number(heading?.[1])).toBe(n);
      total = Number(heading?.[2]);
      await answer(current, n);
      if (n === total) break;
      current = card(new RegExp(`question ${n + 1} of \\d+`));
      await current.waitFor({ timeout: 30_000 });
    }
    const summary = card('Review before the decision');
    await summary.waitFor({ timeout: 30_000 });
    await expect(summary.innerText()).resolves.toContain('What the head wrote for question');
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await summary.screenshot({ path: SCREENSHOT });

    // No decision chosen: the review card comes back with the error, and what was typed is kept.
    const rationale = 'A support plan with a key adult and a part-time timetable.';
    await summary.getByRole('textbox', { name: /Rationale/ }).fill(rationale);
    await summary.getByRole('button', { name: 'Record the decision' }).click();
    const refused = card('Please choose the decision.');
    await refused.waitFor({ timeout: 30_000 });
    // The same card, redrawn in place with the error: not a second card, and not a wiped one.
    await expect(page.locator('.ac-adaptiveCard', { hasText: 'Review before the decision' }).count()).resolves.toBe(1);
    await expect(refused.innerText()).resolves.toContain('Review before the decision');
    await expect(refused.innerText()).resolves.not.toMatch(/button's data is incomplete/);
    await expect(refused.getByRole('textbox', { name: /Rationale/ }).inputValue()).resolves.toBe(rationale);
    await expect(refused.getByRole('radio', { name: 'No exclusion: a support plan' }).isChecked()).resolves.toBe(false);

    await refused.getByRole('radio', { name: 'No exclusion: a support plan' }).check();
    await refused.getByRole('button', { name: 'Record the decision' }).click();
    await card('Decision recorded · pupil DEMO-002').waitFor({ timeout: 30_000 });

    const peap = await withStore(db, async (store) => {
      const [found, ...others] = (await store.cases.list(SYSTEM, { pupilId: 'DEMO-002' })).filter((c) => c.kind === 'peap');
      expect(others).toEqual([]);
      return store.cases.get(SYSTEM, found!.id, 'peap');
    });
    const context = peap.context;
    expect(peap.state).toBe('decided');
    expect(context.meetingDate).toBe('2026-03-25');
    // Every question but the meeting date is an answer in the case: all of them saved.
    expect(Object.keys(context.answers)).toHaveLength(total - 1);
    expect(context.answers['factors.family.how']?.value).toMatch(/What the head wrote/);
    expect(context.answers['support.exhausted']?.value).toBe(true);
    expect(context.decision).toMatchObject({ decision: 'no-exclusion-support-plan', rationale, by: 'demo-head' });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it("records the parents' notice of a suspension by clicking its button and filling its form", { timeout: 120_000 }, async () => {
    await page.locator('[contenteditable="true"][role="textbox"]').waitFor({ timeout: 60_000 });
    // A demo suspension whose parents' notice the head can record now (the button the card should offer).
    const caseId = await withStore(db, async (store) => {
      const head = await store.staff.actorFor('demo-head');
      const due = (await store.cases.list(SYSTEM, { status: 'active' }))
        .filter((c): c is CaseView<'suspension'> => c.kind === 'suspension')
        .filter((c) => dutyActions(store, head, c).some((a) => a.duty === 'notice' && a.recipient === 'parents'))
        // The same one every run (case ids are random): the first pupil's earliest.
        .sort((a, b) => a.pupilId.localeCompare(b.pupilId) || a.context.exclusion.startDate.localeCompare(b.context.exclusion.startDate));
      expect(due.length).toBeGreaterThan(0);
      return due[0]!.id;
    });

    await say(`status ${caseId}`);
    const status = card(`Case ${caseId}`);
    await status.waitFor({ timeout: 30_000 });
    const parentsLine = /notify the parents in writing[^\n]*/;
    expect((await status.innerText()).match(parentsLine)?.[0]).toMatch(/: (to do|overdue)$/);
    await status.getByRole('button', { name: 'Notice sent to the parents', exact: true }).click();

    const form = card('Notice sent to the parents ·');
    await form.waitFor({ timeout: 30_000 });
    // The form starts filled: a letter, sent today (the client writes the date its own way). The head chooses email and keeps the date.
    await expect(form.getByRole('combobox', { name: 'How' }).inputValue()).resolves.toBe('Letter');
    await expect(form.getByRole('combobox', { name: 'Sent on' }).inputValue()).resolves.toMatch(/March 20, 2026|20 March 2026|2026-03-20/);
    await chooseIn(form, 'How', 'Email');
    await form.getByRole('button', { name: 'Record the notice' }).click();

    const recorded = card(/Recorded\./);
    await recorded.waitFor({ timeout: 30_000 });
    const shown = await recorded.innerText();
    expect(shown).toContain(`Case ${caseId}`);
    const line = shown.match(parentsLine)?.[0];
    expect(line).toMatch(/: (on time|late) \(/);
    expect(line).toContain('(email), recorded by demo-head');
    await expect(recorded.getByRole('button', { name: 'Notice sent to the parents', exact: true }).count()).resolves.toBe(0);
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await recorded.screenshot({ path: NOTICE_SCREENSHOT });

    const { view, trail } = await withStore(db, async (store) => ({ view: await store.cases.get(SYSTEM, caseId, 'suspension'), trail: await store.audit.entriesFor(caseId) }));
    expect(view.context.notices.parents?.sent).toMatchObject({ method: 'email', sentOn: DEMO_SCHOOL_DATE, by: 'demo-head' });
    const notices = trail.filter((r) => r.event === 'RECORD_NOTICE');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ actor: 'demo-head', data: expect.objectContaining({ recipient: 'parents', method: 'email', sentOn: DEMO_SCHOOL_DATE }) });
    expect(existsSync(NOTICE_SCREENSHOT)).toBe(true);
  });
});
