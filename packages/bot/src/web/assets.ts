/**
 * The workspace's static files under /workspace/assets: GOV.UK Frontend's compiled CSS and JS,
 * its images and fonts, the Microsoft Teams JS SDK's browser bundle (for the Teams tab), and the
 * workspace's own stylesheets and scripts.
 *
 * GOV.UK Frontend's compiled CSS points at /assets/…; it is rewritten once to /workspace/assets/….
 * Its @font-face rules (GDS Transport) are taken out: that typeface, like the crown, is licensed
 * for services on GOV.UK only, and this is a school's or council's service — text falls back to
 * Arial, as the Design System asks of services off GOV.UK.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';
import { GOVUK_DIST, WEB_SOURCES } from './views.js';

/** The Teams JS SDK's browser (UMD) bundle: it sets `window.microsoftTeams`. Served from here, never a CDN. */
const TEAMS_JS_DIST = join(dirname(createRequire(import.meta.url).resolve('@microsoft/teams-js/package.json')), 'dist/umd');

const CACHE = 'public, max-age=3600';

export function assets(base: string): Router {
  const router = express.Router();
  const css = readFileSync(join(GOVUK_DIST, 'govuk/govuk-frontend.min.css'), 'utf8')
    .replace(/@font-face\{[^}]*\}/g, '')
    .replaceAll('url(/assets/', `url(${base}/assets/`);
  router.get('/govuk-frontend.min.css', (_req, res) => {
    res.set('Cache-Control', CACHE).type('css').send(css);
  });
  router.get('/govuk-frontend.min.js', (_req, res) => {
    // With `root`: the path to it runs through pnpm's .pnpm folder, which send would refuse as a dotfile.
    res.set('Cache-Control', CACHE).sendFile('govuk/govuk-frontend.min.js', { root: GOVUK_DIST });
  });
  for (const file of ['MicrosoftTeams.min.js', 'MicrosoftTeams.min.js.map']) {
    // Named as in the package, so the bundle's own sourceMappingURL finds its map.
    router.get(`/${file}`, (_req, res) => {
      res.set('Cache-Control', CACHE).sendFile(file, { root: TEAMS_JS_DIST });
    });
  }
  const files = { maxAge: '1h', index: false, fallthrough: true } as const;
  router.use(express.static(join(WEB_SOURCES, 'assets'), files));
  router.use(express.static(join(GOVUK_DIST, 'govuk/assets'), files));
  return router;
}
