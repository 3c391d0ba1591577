/**
 * The rules core in a browser: the main entry bundled by esbuild for the browser (an IIFE, as a
 * page's <script> loads it) and run in headless Chromium — a school calendar read from .ics
 * text, pupils evaluated with the embedded default rules. The bundle must build without any
 * Node built-in, and the browser's triggers must be exactly those Node gives for the same input.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const rulesDir = join(root, 'packages/rules');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ics = readFileSync(join(rulesDir, 'data/calendars/england-2025-26.example.ics'), 'utf8');

/** What the page runs: the core's public API only, as an embedder's browser code would. */
const entry = `
import { parseCalendarText, parsePupilRecord, RulesEvaluator, version } from './dist/index.js';
window.evaluateInBrowser = async (icsText, records, asOf) => {
  const calendar = parseCalendarText(icsText, 'term-dates.ics');
  const evaluator = new RulesEvaluator();
  const triggers = [];
  for (const json of records) {
    const parsed = parsePupilRecord(json);
    if (!parsed.ok) return { problems: parsed.problems.map((p) => p.message) };
    triggers.push(...(await evaluator.evaluate(parsed.record, calendar, asOf)));
  }
  return { version, triggers };
};
`;

const pupils = [
  // Permanently excluded on Wednesday 5 Nov 2025, looked after: the statutory duties, the governors' review due in 15 school days.
  { id: 'P1', schoolId: 'SCH1', lookedAfter: true, exclusions: [{ id: 'X1', category: 'PERM', startDate: '2025-11-05', reasons: ['PA'] }] },
  { id: 'P2', schoolId: 'SCH1', hasSocialWorker: true, exclusions: [{ id: 'X2', category: 'FIXD', startDate: '2025-11-06', sessions: 12, reasons: ['VA'] }] },
];

let bundle: string;
let inputs: string[];
let warnings: string[];
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup (it installs Debian's chromium) or set CHROMIUM_PATH`);
  // No polyfills, no externals: a Node built-in anywhere in the core fails this build.
  const result = await build({
    stdin: { contents: entry, resolveDir: rulesDir, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  bundle = result.outputFiles[0]!.text;
  inputs = Object.keys(result.metafile.inputs);
  // esbuild warns of what an IIFE cannot carry, such as a top-level `new URL(…, import.meta.url)`.
  warnings = result.warnings.map((w) => w.text);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('the rules core in a browser', () => {
  it('bundles for the browser without the file readers, any Node built-in or import.meta', () => {
    expect(inputs.filter((i) => i.startsWith('node:') || /dist\/(node|cli)/.test(i))).toEqual([]);
    expect(warnings).toEqual([]);
    expect(bundle).not.toMatch(/require\(["']node:|from ["']node:/);
  });

  it('evaluates pupils in Chromium exactly as Node does: the statutory duties of a permanent exclusion, with dates', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><title>rules</title>');
    await page.addScriptTag({ content: bundle });
    type Outcome = { version: string; triggers: { pupilId: string; trigger: string; dueDate?: string }[] };
    const inBrowser = await page.evaluate(
      ([text, records]) => (globalThis as unknown as { evaluateInBrowser: (t: string, r: unknown[], d: string) => Promise<Outcome> }).evaluateInBrowser(text, records, '2025-11-20'),
      [ics, pupils] as const,
    );
    await page.close();
    expect(errors).toEqual([]);

    const p1 = inBrowser.triggers.filter((t) => t.pupilId === 'P1');
    expect(p1.map((t) => t.trigger)).toEqual(expect.arrayContaining([
      'statutory.notify-parents', 'statutory.notify-local-authority', 'statutory.notify-governing-board',
      'statutory.governors-must-review', 'statutory.notify-virtual-school-head', 'looked-after.contact-virtual-school',
    ]));
    // 15 school days after Wednesday 5 Nov 2025 on the example calendar (no closures in between).
    expect(p1.find((t) => t.trigger === 'statutory.governors-must-review')?.dueDate).toBe('2025-11-26');
    expect(inBrowser.triggers.filter((t) => t.pupilId === 'P2').map((t) => t.trigger)).toContain('statutory.notify-social-worker');

    // The same package in Node, same input: the browser's answer is the library's answer.
    const core = (await import(join(rulesDir, 'dist/index.js'))) as typeof import('../../packages/rules/dist/index.js');
    const calendar = core.parseCalendarText(ics, 'term-dates.ics');
    const evaluator = new core.RulesEvaluator();
    const inNode = [];
    for (const json of pupils) {
      const parsed = core.parsePupilRecord(json);
      if (!parsed.ok) throw new Error(parsed.problems.map(core.formatProblem).join('\n'));
      inNode.push(...(await evaluator.evaluate(parsed.record, calendar, '2025-11-20')));
    }
    expect(inBrowser.triggers).toEqual(JSON.parse(JSON.stringify(inNode)));
    expect(inBrowser.version).toBe(core.version);
  });
});
