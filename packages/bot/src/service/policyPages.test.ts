/**
 * The privacy notice and terms of use as the service serves them at `/privacy` and `/terms`
 * (where the Teams app package's developer.privacyUrl and termsOfUseUrl point): the words of the
 * repository's docs/privacy.md and docs/terms.md, as a page that runs nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import type { Logger } from './log.js';
import { POLICY_PAGES, policyPage } from './policyPages.js';
import { startService, type RunningService } from './service.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** What a reader sees of a page: the text in <main>, entities decoded, whitespace as single spaces. */
function textOfPage(html: string): string {
  const main = /<main>([\s\S]*)<\/main>/.exec(html)?.[1] ?? '';
  return main
    .replace(/<[^>]+>/g, '') // blocks are on lines of their own: the newlines keep words apart
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The same of a Markdown file: its words without the markup. */
function textOfMarkdown(markdown: string): string {
  return markdown
    .replace(/^#+ |^[-*] /gm, '')
    .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
    .replace(/\*\*|`/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('the privacy notice and terms of use', () => {
  let service: RunningService;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bot-policy-'));
    service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', CASES_DB: join(dir, 'cases.db'), DEMO: 'off' }), silent);
  });
  afterAll(() => service?.close());

  it.each(POLICY_PAGES)('serves $path with the words of $file', async ({ path, file }) => {
    const markdown = readFileSync(join(root, file), 'utf8');
    const res = await fetch(`${service.url}${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; /);
    const html = await res.text();
    expect(textOfPage(html)).toBe(textOfMarkdown(markdown));
    expect(html).toContain(`<h1>${/^# (.+)$/m.exec(markdown)?.[1]}</h1>`);
  });

  it('says what is stored about pupils, who reads it, the audit, retention, no warranty and the licence', async () => {
    const privacy = textOfPage(await (await fetch(`${service.url}/privacy`)).text());
    expect(privacy).toMatch(/pseudonymous id/);
    expect(privacy).toMatch(/No names, except inside a letter a headteacher makes/);
    expect(privacy).toMatch(/A headteacher reads the cases of their own school/);
    expect(privacy).toMatch(/append-only audit trail/);
    expect(privacy).toMatch(/the decision of the school, trust or local authority/);
    const terms = textOfPage(await (await fetch(`${service.url}/terms`)).text());
    expect(terms).toMatch(/MIT licence/);
    expect(terms).toMatch(/without warranty of any kind/);
  });

  it('turns nothing in a file into markup beyond headings, lists, paragraphs, links, bold and code', () => {
    const page = policyPage('# A <b>title</b>\n\nText with <script>alert(1)</script> and [a link](javascript:alert(1)) and [ours](https://example.org/?a=1&b=2).\n\n- one\n  carried on\n- **two** and `code`');
    expect(page).not.toMatch(/<script>|<b>|href="javascript/);
    expect(page).toContain('<title>A &#60;b&#62;title&#60;/b&#62; — Before Exclusion</title>');
    expect(page).toContain('<a href="https://example.org/?a=1&#38;b=2">ours</a>');
    expect(page).toContain('<ul>\n<li>one carried on</li>\n<li><strong>two</strong> and <code>code</code></li>\n</ul>');
  });
});
