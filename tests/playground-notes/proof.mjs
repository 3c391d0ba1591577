// Self-contained proof: starts probe-bot + Agents Playground, drives the web client with headless
// Chromium (playwright-core), completes Action.Execute (2 steps) and Action.Submit cards, checks
// update + proactive, asserts the activity shapes the bot received, then cleans everything up.
//
//   cd /work/main/tests && node playground-notes/proof.mjs
//
// Env: DEMO_CONFIG=0 to use Playground's built-in config (Alex Wilber) instead of playground.demo.yml.
import { spawn } from 'node:child_process';
import path from 'node:path';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BOT_PORT = 3978;
const PG_PORT = 56150;
const PG_URL = `http://localhost:${PG_PORT}/`;
const useDemo = process.env.DEMO_CONFIG !== '0';
const t0 = Date.now();
const T = () => `${((Date.now() - t0) / 1000).toFixed(2)}s`;
const log = (...a) => console.log(`[proof ${T()}]`, ...a);

const children = [];
function start(name, cmd, args, env) {
  const p = spawn(cmd, args, {
    cwd: here, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = fs.createWriteStream(path.join(here, `${name}.proof.log`));
  p.stdout.pipe(out); p.stderr.pipe(out);
  children.push({ name, p });
  return p;
}
async function waitFor(url, { timeoutMs = 30000, ok = (r) => r.ok } = {}) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try { const r = await fetch(url); if (ok(r)) return; } catch {}
    if (Date.now() > until) throw new Error(`timeout waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
let cleaned = false;
function cleanup() {
  if (cleaned) return; cleaned = true;
  for (const { name, p } of children.reverse()) {
    if (p.exitCode === null) { try { process.kill(-p.pid, 'SIGTERM'); } catch {} log('killed', name, p.pid); }
  }
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

let browser;
try {
  // 1. bot
  start('bot', process.execPath, [path.join(here, 'probe-bot.mjs')], { BOT_PORT: String(BOT_PORT) });
  await waitFor(`http://localhost:${BOT_PORT}/activities`);
  log('bot ready');

  // 2. playground. Readiness = GET /_debug/ping -> "pong" (or stdout line "Listening on 56150").
  const pgBin = path.resolve(here, '../node_modules/.bin/agentsplayground');
  start('playground', pgBin,
    ['start', '-e', `http://localhost:${BOT_PORT}/api/messages`, '-c', 'msteams', '-p', String(PG_PORT), '--dt'],
    {
      TEAMSAPPTESTER_BROWSER: 'none', // don't try to open a browser
      M365_AGENTS_PLAYGROUND_LOGFILE: path.join(here, 'playground-debug.proof.log'), // else ./devTools/m365agentsplayground.log in cwd
      ...(useDemo ? { M365_AGENTS_PLAYGROUND_CONFIG_PATH: path.join(here, 'playground.demo.yml') } : {}),
    });
  await waitFor(`http://localhost:${PG_PORT}/_debug/ping`);
  log('playground ready');

  // 3. browser
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The client pulls Segoe UI fonts + an animation worklet from res-1.cdn.office.net; with no DNS
  // that stalls page load by ~4 s. Abort everything that is not localhost.
  await page.route((u) => !['localhost', '127.0.0.1'].includes(u.hostname), (r) => r.abort());
  page.on('pageerror', (e) => log('[pageerror]', e.message));
  await page.goto(PG_URL, { waitUntil: 'domcontentloaded' });

  // Selectors
  const composer = page.locator('[contenteditable="true"][role="textbox"]'); // Lexical editor, "Type a message..."
  const sendButton = page.getByRole('button', { name: 'Send Message' });
  const botMessage = (text) => page.locator('.fai-OutputCard', { hasText: text }); // one per bot activity
  const card = (text) => page.locator('.ac-adaptiveCard', { hasText: text }).last();
  const say = async (text) => { await composer.click(); await page.keyboard.type(text); await sendButton.click(); };

  await composer.waitFor();
  log('composer visible');
  // Wait until Playground has connected to the bot (it sends installationUpdate + conversationUpdate first).
  await page.getByText('conversationUpdate 200').waitFor();
  log('connected (conversationUpdate delivered)');

  // --- Action.Execute, step 1 -------------------------------------------------------------
  await say('execute');
  const c1 = card('Execute – question card');
  await c1.waitFor();
  log('execute card shown');
  await c1.getByRole('textbox', { name: 'Your answer' }).fill('He threw a chair.\nSecond line.');
  await c1.getByRole('radio', { name: 'Beta choice' }).check();
  await c1.getByRole('combobox', { name: 'When' }).fill('2026-03-15'); // Fluent DatePicker; ISO text is parsed
  await c1.getByRole('button', { name: 'Save (execute)' }).click();
  // Execute: the card is replaced IN PLACE by the card returned in the invoke response.
  const c2 = card('Step 2 – thanks!');
  await c2.waitFor();
  assert.equal(await page.locator('.ac-adaptiveCard', { hasText: 'Execute – question card' }).count(), 0);
  log('execute card replaced by step-2 card');
  // step 2 on the replaced card
  await c2.getByRole('textbox', { name: 'Second question' }).fill('step two answer');
  await c2.getByRole('button', { name: 'Next (step 2)' }).click();
  await page.locator('.ac-adaptiveCard', { hasText: '"answer2":"step two answer"' }).waitFor();
  log('step 2 done');

  // --- Action.Submit ----------------------------------------------------------------------
  await say('submit');
  const s1 = card('Submit – question card');
  await s1.waitFor();
  await s1.getByRole('textbox', { name: 'Your answer' }).fill('Submitted answer');
  await s1.getByRole('radio', { name: 'Alpha choice' }).check();
  await s1.getByRole('combobox', { name: 'When' }).fill('2026-04-01');
  await s1.getByRole('button', { name: 'Save (submit)' }).click();
  await botMessage('Got submit:').waitFor();
  log('submit echoed:', await botMessage('Got submit:').innerText());

  // --- updateActivity + proactive ---------------------------------------------------------
  await say('update');
  await botMessage('UPDATED text').waitFor();
  assert.equal(await botMessage('original text').count(), 0);
  log('updateActivity replaced the message');
  await say('proactive');
  await botMessage('proactive hello').waitFor();
  log('proactive (continueConversationAsync) shown');

  await page.screenshot({ path: path.join(here, 'proof.png') });

  // --- Assert what the bot received ------------------------------------------------------
  const acts = await (await fetch(`http://localhost:${BOT_PORT}/activities`)).json();
  const invokes = acts.filter((a) => a.type === 'invoke' && a.name === 'adaptiveCard/action');
  assert.equal(invokes.length, 2);
  assert.deepEqual(invokes[0].value, {
    action: {
      type: 'Action.Execute', title: 'Save (execute)', verb: 'save',
      data: { step: 1, answer: 'He threw a chair.\nSecond line.', pick: 'beta', when: '2026-03-15' },
    },
  });
  const submit = acts.find((a) => a.type === 'message' && a.value);
  assert.deepEqual(submit.value, { verb: 'save', answer: 'Submitted answer', pick: 'alpha', when: '2026-04-01' });
  const msg = acts.find((a) => a.type === 'message' && a.text === 'execute');
  if (useDemo) {
    assert.deepEqual(msg.from, { id: '29:demo-headteacher', name: 'Demo Headteacher', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' });
    assert.equal(msg.conversation.tenantId, '5b0f3c1e-7d2a-4c8e-9f10-2a3b4c5d6e7f');
    assert.equal(msg.channelData.tenant.id, '5b0f3c1e-7d2a-4c8e-9f10-2a3b4c5d6e7f');
    assert.equal(msg.conversation.id, 'a:demo-personal-chat');
  }
  log('activity assertions passed; from =', JSON.stringify(msg.from), 'conversation =', JSON.stringify(msg.conversation));
  console.log('PROOF OK');
} catch (e) {
  console.error('PROOF FAILED', e);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  cleanup();
}
