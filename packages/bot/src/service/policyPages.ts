/**
 * The privacy notice and the terms of use, served at `/privacy` and `/terms`: the Teams app
 * package names them (developer.privacyUrl and termsOfUseUrl, PUBLIC_URL + path), and Teams and
 * an administrator deciding whether to install the app must be able to open them. They are
 * rendered from the repository's docs/privacy.md and docs/terms.md, so the words reviewed in the
 * repository are the words served.
 *
 * The Markdown is the small subset those files use — headings, paragraphs, bullet lists, links,
 * bold and code — rendered here rather than with a Markdown library: every character is escaped
 * first, so nothing in the files becomes markup beyond that subset.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Express, Response } from 'express';
import type { Logger } from './log.js';

/** The pages, where the service serves them and the file in the repository each is rendered from. */
export const POLICY_PAGES = [
  { path: '/privacy', file: 'docs/privacy.md' },
  { path: '/terms', file: 'docs/terms.md' },
] as const;

export const PRIVACY_PATH = POLICY_PAGES[0].path;
export const TERMS_PATH = POLICY_PAGES[1].path;

// From packages/bot/src/service/ or packages/bot/dist/service/ alike: four folders up.
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

const STYLE = 'body{font-family:system-ui,sans-serif;line-height:1.5;margin:0;color:#0b0c0c}main{max-width:42rem;margin:2rem auto;padding:0 1rem}a{color:#1d70b8}code{font-size:.95em}';
// The page's one inline style, allowed by its hash: no script, no other source.
const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

/**
 * Mounts `GET /privacy` and `GET /terms`. A file that cannot be read is logged at start and its
 * page answers 404, rather than stopping the service.
 *
 * @param root the repository's root, where docs/ is (default: this checkout's)
 */
export function mountPolicyPages(app: Express, log: Logger, root: string = REPOSITORY_ROOT): void {
  for (const { path, file } of POLICY_PAGES) {
    let page: string | undefined;
    try {
      page = policyPage(readFileSync(`${root}/${file}`, 'utf8'));
    } catch (error) {
      log.warn(`${path}: ${file} cannot be read; the page answers 404`, { error: (error as NodeJS.ErrnoException).code ?? 'unreadable' });
    }
    app.get(path, (_req, res) => (page === undefined ? res.status(404).end() : send(res, page)));
  }
}

function send(res: Response, page: string): void {
  res
    .set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'public, max-age=3600' })
    .send(page);
}

/**
 * A Markdown file as a whole HTML page, titled by its first heading.
 *
 * @example policyPage('# Terms of use\n\nProvided "as is".') // '<!doctype html>…<h1>Terms of use</h1><p>Provided &#34;as is&#34;.</p>…'
 */
export function policyPage(markdown: string): string {
  const title = /^# (.+)$/m.exec(markdown)?.[1]?.trim() ?? 'Before Exclusion';
  return `<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${inline(title)} — Before Exclusion</title><style>${STYLE}</style></head>\n<body><main>\n${markdownBlocks(markdown)}\n</main></body></html>\n`;
}

/** Headings, bullet lists (an indented line carries on the item before it) and paragraphs. */
function markdownBlocks(markdown: string): string {
  const html: string[] = [];
  for (const block of markdown.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) continue;
    const heading = /^(#{1,6}) (.+)$/.exec(lines[0]!);
    if (heading && lines.length === 1) {
      const level = heading[1]!.length;
      html.push(`<h${level}>${inline(heading[2]!.trim())}</h${level}>`);
    } else if (/^[-*] /.test(lines[0]!)) {
      const items: string[] = [];
      for (const line of lines) {
        if (/^[-*] /.test(line)) items.push(line.slice(2).trim());
        else items[items.length - 1] += ` ${line.trim()}`;
      }
      html.push(`<ul>\n${items.map((item) => `<li>${inline(item)}</li>`).join('\n')}\n</ul>`);
    } else {
      html.push(`<p>${inline(lines.map((l) => l.trim()).join(' '))}</p>`);
    }
  }
  return html.join('\n');
}

/** Escapes the text, then renders `code`, [links](https://…) and **bold**. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\(((?:https?:\/\/|\/)[^\s)]*)\)/g, '<a href="$2">$1</a>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
