/**
 * Pages: Nunjucks over the workspace's templates (pages/) and GOV.UK Frontend's own templates and
 * macros, imported as "govuk/components/…". Autoescaping is on: everything from the store is
 * text, never markup.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Response } from 'express';
import nunjucks from 'nunjucks';

/** GOV.UK Frontend's dist folder (its templates, compiled CSS and JS, images and fonts). */
export const GOVUK_DIST = join(dirname(createRequire(import.meta.url).resolve('govuk-frontend/package.json')), 'dist');

/**
 * The workspace's templates and assets, read from the source tree whether this runs from src/
 * (tests) or dist/ (the service): the compiler copies no .njk, .css or .mjs into dist.
 */
export const WEB_SOURCES = fileURLToPath(new URL('../../src/web/', import.meta.url));

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

/** "2026-03-20" (a school date) → "20 March 2026". */
export function dateInWords(iso: string): string {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(day.getTime()) ? iso : DATE.format(day);
}

/** An instant ("2026-03-20T09:00:00.000Z") → "20 March 2026, 09:00", as the clock on a wall in England reads. */
export function dateTimeInWords(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const local = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'Europe/London' }).format(at);
  return `${dateInWords(local)}, ${TIME.format(at)}`;
}

export type PageContext = Readonly<Record<string, unknown>>;

export interface Pages {
  /** Renders `pages/<name>.njk` with `context` and sends it with `status`; pages are never cached. */
  send(res: Response, name: string, context: PageContext, status?: number): void;
}

export function pages(): Pages {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([join(WEB_SOURCES, 'pages'), GOVUK_DIST]), { autoescape: true, throwOnUndefined: false });
  env.addFilter('date', (iso: unknown) => (typeof iso === 'string' ? dateInWords(iso) : ''));
  env.addFilter('dateTime', (iso: unknown) => (typeof iso === 'string' ? dateTimeInWords(iso) : ''));
  return {
    send(res, name, context, status = 200) {
      const html = env.render(`${name}.njk`, context);
      // Pupils' cases: not to be kept by the browser or anything between.
      res.status(status).set('Cache-Control', 'no-store').type('html').send(html);
    },
  };
}
