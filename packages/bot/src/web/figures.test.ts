/**
 * The figures pages over HTTP, as a browser meets them: the workspace router over a real store
 * (the demo school, on every backend), signed in through the local page. The page for the demo
 * officer by default (this year, the latest term begun), a term and a quarter, publication mode
 * with its "c"s, bad values refused in words, the CSV and Excel downloads and the governing
 * board's pack read back, each read audited; and another school "not found".
 */
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM, buildReport, reportToCsv, type CaseStore, type Report } from '@before-exclusion/workflows';
import { loadConfig } from '../service/config.js';
import { BACKENDS, TODAY, addOtherSchool, demoStore, silentLogger } from '../testing/fixtures.js';
import { arialWidth } from './chart.js';
import { CSV_TYPE, XLSX_TYPE } from './figures.js';
import { figuresDefaults, readAcademicYear, readFiguresForm } from './figuresForm.js';
import { signInMethods } from './signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';

const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';

/** What came back: status, headers, and the body as text and as bytes. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly html: string;
  /** The page's text as a person reads it: tags out, spaces collapsed. */
  readonly text: string;
}

/** A browser, near enough: keeps cookies, follows nothing. */
class Browser {
  readonly #jar = new Map<string, string>();
  constructor(readonly origin: string) {}

  async get(path: string): Promise<Answer> {
    return this.#request(path, { method: 'GET' });
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.#request(path, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  async #request(path: string, init: RequestInit): Promise<Answer> {
    const cookie = [...this.#jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(`${this.origin}${path}`, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string> | undefined), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const at = pair.indexOf('=');
      this.#jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const body = Buffer.from(await res.arrayBuffer());
    const html = body.toString('utf8');
    const text = html
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ');
    return { status: res.status, headers: res.headers, body, html, text };
  }
}

const servers: { close(): Promise<void> }[] = [];
const stores: CaseStore[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

async function serve(store: CaseStore): Promise<Browser> {
  const app = express();
  app.use(WORKSPACE_PATH, workspaceRouter({ store, log: silentLogger, today: () => TODAY, sessionSecret: SECRET, https: false, signIn: signInMethods(loadConfig({})) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function signIn(browser: Browser, staffId: string): Promise<void> {
  const page = await browser.get('/workspace/sign-in');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
  expect((await browser.post('/workspace/sign-in', { _csrf: token, staffId })).status).toBe(303);
}

/** The report's figure, as the page writes it. */
function shown(report: Report, school: string, measure: string, breakdown = 'total', category = 'all'): string {
  const row = report.rows.find((r) => r.school === school && r.measure === measure && r.breakdown === breakdown && r.category === category);
  if (!row) throw new Error(`no row ${school} ${measure} ${breakdown} ${category}`);
  return row.value === null ? 'c' : row.value.toLocaleString('en-GB', { maximumFractionDigits: 2 });
}

describe('the figures form', () => {
  it('reads an academic year as people write it, and says what is wrong', () => {
    expect(readAcademicYear('2025/26')).toBe('2025/26');
    expect(readAcademicYear('2025-26')).toBe('2025/26');
    expect(readAcademicYear('2025/2026')).toBe('2025/26');
    expect(readAcademicYear('1999/00')).toEqual({ error: expect.stringMatching(/from 2000\/01/) });
    expect(readAcademicYear('2025/27')).toEqual({ error: 'The academic year must be two years in a row, like 2025/26' });
    expect(readAcademicYear('last year')).toEqual({ error: 'Enter the academic year like 2025/26' });
  });

  it('opens on this year to the latest term begun; with a year but no period, a past year runs to its summer', () => {
    const defaults = { academicYear: '2025/26', to: { term: 'spring' as const } };
    expect(readFiguresForm({}, defaults).choice).toEqual({ academicYear: '2025/26', to: { term: 'spring' }, school: '', forPublication: false });
    expect(readFiguresForm({ year: '2024/25' }, defaults).choice?.to).toEqual({ term: 'summer' });
    // Where no calendar says when terms begin, by quarter.
    expect(readFiguresForm({ year: '2024/25' }, { academicYear: '2025/26', to: { quarter: 2 } }).choice?.to).toEqual({ quarter: 4 });
    expect(readFiguresForm({ year: '2025/26', period: 'quarter-3', publication: 'yes' }, defaults).choice).toEqual({ academicYear: '2025/26', to: { quarter: 3 }, school: '', forPublication: true });
  });

  it('measures chart labels in Arial, not at Vega\'s 0.8 em a character', () => {
    expect(arialWidth('Year 10', 10)).toBeCloseTo(35.02, 2);
    expect(arialWidth('Year 10', 10)).toBeLessThan(0.8 * 7 * 10);
  });
});

describe.each(BACKENDS)('the figures pages on %s', (backend) => {
  async function demo() {
    const { store } = await demoStore({ backend });
    stores.push(store);
    return store;
  }
  const reads = (store: CaseStore) => store.audit.entriesOf('report-read');

  it('shows the demo officer this year to the latest term begun by default — headline, reasons, groups beside the rest, cases, charts — and audits the read', async () => {
    const store = await demo();
    const browser = await serve(store);
    expect((await browser.get('/workspace/figures')).status).toBe(303);
    await signIn(browser, 'demo-officer');
    const officer = await store.staff.actorFor('demo-officer');
    expect(await figuresDefaults(store, officer, TODAY)).toEqual({ academicYear: '2025/26', to: { term: 'spring' } });

    const page = await browser.get('/workspace/figures');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<a class="govuk-service-navigation__link" href="\/workspace\/figures" aria-current="true">/);
    expect(page.text).toContain('2025/26, year to date to the end of the spring term');
    expect(page.text).toContain('Demo Academy (fictional) 1 September 2025 to 27 March 2026');
    const report = await buildReport(store, officer, { academicYear: '2025/26', term: 'spring' });
    const rate = (measure: string) => String(report.rows.find((r) => r.school === 'DEMO-SCH' && r.measure === measure && r.breakdown === 'total')!.ratePer100);
    expect(page.text).toContain(`Suspension incidents ${shown(report, 'DEMO-SCH', 'suspension-incidents')} ${rate('suspension-incidents')}`);
    expect(page.text).toContain(`Children suspended ${shown(report, 'DEMO-SCH', 'children-suspended')} ${rate('children-suspended')}`);
    expect(page.text).toContain(`School days lost to suspension ${shown(report, 'DEMO-SCH', 'suspension-days-lost')}`);
    expect(page.text).toContain(`Children with 2 or more suspensions ${shown(report, 'DEMO-SCH', 'children-with-2-or-more-suspensions')}`);
    expect(page.text).toContain(`Pupils on roll ${shown(report, 'DEMO-SCH', 'pupils-on-roll')}`);
    // Reasons in words; groups; each group beside the rest, with the counts behind both rates and the ratio.
    expect(page.text).toContain('Physical assault against an adult');
    expect(page.text).toContain('Demo Academy (fictional): by special educational needs (SEND)');
    const female = report.rows.find((r) => r.school === 'DEMO-SCH' && r.measure === 'children-suspended' && r.breakdown === 'sex' && r.category === 'F')!;
    const d = female.disproportionality!;
    expect(page.text).toContain(`Sex: female ${female.value} ${female.roll} ${female.ratePer100} ${d.restValue} ${d.restRoll} ${d.restRatePer100} ${d.rateRatio}`);
    // The case measures.
    expect(page.text).toContain('Decided: Permanent exclusion considered and overturned');
    expect(page.text).toMatch(/All duties \d+ \d+ \d+/);
    expect(page.text).toContain('EBSNA referrals');
    // Charts: SVG drawn on the server, each one image with a title and a description; no style attribute, no inline script.
    const charts = [...page.html.matchAll(/<svg class="app-chart__image" role="img" aria-labelledby="([^"]+)-title" aria-describedby="\1-desc"/g)];
    expect(charts.length).toBe(3);
    expect(page.html).toMatch(/<title id="headline-chart-title">Rates per 100 pupils on roll, year to date<\/title><desc id="headline-chart-desc">Demo Academy \(fictional\): suspension incidents 80;/);
    expect(page.html).not.toMatch(/\sstyle=/);
    expect(page.html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.headers.get('content-security-policy')).toContain("style-src 'self'");
    expect(page.html).not.toContain('c<span class="govuk-visually-hidden"> (withheld)');

    const rows = await reads(store);
    expect(rows.map((r) => [r.actor, r.data])).toEqual([['demo-officer', { academicYear: '2025/26', quarter: null, term: 'spring', schoolId: null, schools: ['DEMO-SCH'], forPublication: false, form: 'page' }]]);
  });

  it('reports to a quarter, and for publication shows "c" with its note — the same figures the workflows package withholds', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const officer = await store.staff.actorFor('demo-officer');

    const quarter = await browser.get('/workspace/figures?year=2025%2F26&period=quarter-2&school=DEMO-SCH');
    expect(quarter.status).toBe(200);
    expect(quarter.text).toContain('2025/26, year to date to the end of quarter 2 (31 March)');
    expect(quarter.text).toContain('1 September 2025 to 31 March 2026');
    expect(quarter.text).toContain("The governing board's pack is termly: choose a term to get it.");
    expect(quarter.html).toMatch(/<option value="quarter-2" selected>/);

    const published = await browser.get('/workspace/figures?year=2025%2F26&period=quarter-2&school=DEMO-SCH&publication=yes');
    expect(published.status).toBe(200);
    const report = await buildReport(store, officer, { academicYear: '2025/26', quarter: 2, schoolId: 'DEMO-SCH', forPublication: true });
    expect(shown(report, 'DEMO-SCH', 'children-permanently-excluded')).toBe('c');
    expect(published.text).toContain('Children permanently excluded c (withheld) c (withheld)');
    expect(published.text).toContain(`Children suspended ${shown(report, 'DEMO-SCH', 'children-suspended')}`);
    expect(published.text).toContain('c: withheld. Why figures are withheld');
    expect(published.html).toContain('id="withheld"');
    expect(published.text).toContain('For publication: counts of 1 or 2');
    expect(published.html).toMatch(/name="publication" type="checkbox" value="yes" checked/);

    expect((await reads(store)).map((r) => r.data)).toEqual([
      { academicYear: '2025/26', quarter: 2, term: null, schoolId: 'DEMO-SCH', schools: ['DEMO-SCH'], forPublication: false, form: 'page' },
      { academicYear: '2025/26', quarter: 2, term: null, schoolId: 'DEMO-SCH', schools: ['DEMO-SCH'], forPublication: true, form: 'page' },
    ]);
  });

  it('refuses what it cannot use with an error summary and the field\'s message, and reads nothing', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    for (const [query, message] of [
      ['year=2025%2F27', 'The academic year must be two years in a row, like 2025/26'],
      ['year=soon', 'Enter the academic year like 2025/26'],
      ['year=2025%2F26&period=quarter-5', 'Choose a term or a quarter from the list'],
      ['year=2025%2F26&period=%3Cscript%3E', 'Choose a term or a quarter from the list'],
      ['year=2025%2F26&period=spring&publication=maybe', 'Tick the box for figures to publish, or leave it empty'],
      // No calendar for that year: a term cannot be counted, and the page says why and what to do.
      ['year=2030%2F31&period=autumn', "There are no 2030/31 term dates for Demo Academy (fictional): choose a quarter, or import the school's calendar for that year"],
    ] as const) {
      for (const path of ['/workspace/figures', '/workspace/figures/download.csv']) {
        const page = await browser.get(`${path}?${query}`);
        expect(page.status, `${path}?${query}`).toBe(400);
        expect(page.headers.get('content-type'), query).toMatch(/^text\/html/);
        expect(page.text, query).toContain('There is a problem');
        expect(page.text, query).toContain(message);
        expect(page.html, query).toMatch(/<title>Error: Figures/);
        expect(page.html, query).toMatch(/govuk-error-message/);
        expect(page.html, query).not.toContain('<script>');
        expect(page.html, query).not.toMatch(/ at .*\.(ts|js):\d+/);
      }
    }
    // The same year by quarter has nothing to count but can be counted.
    expect((await browser.get('/workspace/figures?year=2030%2F31&period=quarter-1')).status).toBe(200);
    expect((await reads(store)).map((r) => r.data)).toEqual([expect.objectContaining({ academicYear: '2030/31', quarter: 1 })]);
  });

  it('downloads exactly the report the page shows, as CSV and Excel, and the governing board\'s termly pack, each read audited', async () => {
    const store = await demo();
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const officer = await store.staff.actorFor('demo-officer');
    const page = await browser.get('/workspace/figures?year=2025%2F26&period=spring&publication=yes');
    const csvHref = /href="([^"]+download\.csv[^"]*)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    const xlsxHref = /href="([^"]+download\.xlsx[^"]*)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    const packHref = /href="([^"]+board-pack\.xlsx[^"]*)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    expect(csvHref).toBe('/workspace/figures/download.csv?year=2025%2F26&period=spring&publication=yes');
    expect(packHref).toBe('/workspace/figures/board-pack.xlsx?year=2025%2F26&period=spring&school=DEMO-SCH&publication=yes');

    const csv = await browser.get(csvHref);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe(CSV_TYPE);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename=figures-2025-26-spring-term-all-schools-for-publication.csv');
    expect(csv.headers.get('cache-control')).toBe('no-store');
    const text = csv.body.toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toBe('academic_year,quarter,period_end,school,measure,breakdown,category,value,term,period_start,category_label,roll,rate_per_100,rest_value,rest_roll,rest_rate_per_100,rate_ratio,council_rate_per_100');
    const expected = reportToCsv(await buildReport(store, officer, { academicYear: '2025/26', term: 'spring', forPublication: true }));
    expect(text.slice(1).trimEnd()).toBe(expected);
    expect(lines).toContain('2025/26,,2026-03-27,DEMO-SCH,children-permanently-excluded,total,all,c,spring,2025-09-01,all pupils,30,c,,,,,');

    const xlsx = await browser.get(xlsxHref);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(xlsx.headers.get('content-disposition')).toBe('attachment; filename=figures-2025-26-spring-term-all-schools-for-publication.xlsx');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(book.worksheets.map((s) => s.name)).toEqual(['About', 'Suspensions', 'Permanent exclusions', 'Lunchtime suspensions', 'Pupils on roll', 'Cases', 'Pupil movement', 'Disproportionality']);
    const permanent = book.getWorksheet('Permanent exclusions')!;
    const total = permanent.getRows(2, permanent.rowCount - 1)!.find((r) => r.getCell(1).value === 'DEMO-SCH' && r.getCell(3).value === 'total')!;
    expect(total.getCell(6).value).toBe('c');

    const pack = await browser.get(packHref);
    expect(pack.status).toBe(200);
    expect(pack.headers.get('content-type')).toBe(XLSX_TYPE);
    expect(pack.headers.get('content-disposition')).toBe('attachment; filename=governing-board-pack-2025-26-spring-term-DEMO-SCH.xlsx');
    const packBook = new ExcelJS.Workbook();
    await packBook.xlsx.load(pack.body as unknown as ArrayBuffer);
    const about = packBook.getWorksheet('About')!;
    const aboutText = about.getSheetValues().flatMap((r) => (Array.isArray(r) ? r.map(String) : [])).join(' | ');
    expect(aboutText).toContain('Period for DEMO-SCH | 2025-09-01 to 2026-03-27');
    expect(aboutText).toContain('For publication | yes: small figures withheld');
    // The pack is always for publication, whatever the link says; and always one school's term.
    const unpublished = await browser.get('/workspace/figures/board-pack.xlsx?year=2025%2F26&period=spring&school=DEMO-SCH');
    expect(unpublished.status).toBe(200);
    for (const [query, message] of [
      ['year=2025%2F26&period=quarter-2&school=DEMO-SCH', "Choose a term: the governing board's pack is for a term"],
      ['year=2025%2F26&period=spring', 'Choose the school whose governing board the pack is for'],
    ] as const) {
      const refused = await browser.get(`/workspace/figures/board-pack.xlsx?${query}`);
      expect(refused.status, query).toBe(400);
      expect(refused.text, query).toContain(message);
    }

    expect((await reads(store)).map((r) => r.data)).toEqual([
      expect.objectContaining({ form: 'page', forPublication: true }),
      expect.objectContaining({ form: 'csv', forPublication: true, term: 'spring', schoolId: null }),
      expect.objectContaining({ form: 'xlsx', forPublication: true }),
      { academicYear: '2025/26', quarter: null, term: 'spring', schoolId: 'DEMO-SCH', schools: ['DEMO-SCH'], forPublication: true, form: 'board-pack' },
      expect.objectContaining({ form: 'board-pack', forPublication: true }),
    ]);
    // Every row of the trail still verifies.
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('shows an officer covering two schools each school and all together, a chart for each, and a board pack for each', async () => {
    const store = await demo();
    await addOtherSchool(store);
    await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Inclusion Officer (fictional)', role: 'inclusion-officer', schoolIds: ['DEMO-SCH', 'OTHER'] }, SYSTEM);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const page = await browser.get('/workspace/figures');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<option value="" selected>All your schools<\/option>/);
    for (const heading of ['Demo Academy (fictional): number', 'Other School (fictional): number', 'All your schools: number', 'All your schools: per 100 on roll']) expect(page.text).toContain(heading);
    expect(page.html).toMatch(/<h2 class="govuk-heading-m" id="s2">All your schools<\/h2>/);
    // The other school has no calendar of its own: its period is the span of the others'.
    expect(page.text).toContain('Other School (fictional) 1 September 2025 to 27 March 2026');
    // One headline chart with a set of bars per school, headed by its name; then each section's two, but none
    // for the other school, with nobody on roll (its tables say "None in the period"), and a dash for its rates.
    expect([...page.html.matchAll(/<svg class="app-chart__image"/g)]).toHaveLength(1 + 2 + 2);
    expect(page.text).toContain('None in the period.');
    expect(page.html).toMatch(/Other School \(fictional\): suspension incidents not applicable;/);
    expect(page.html).toMatch(/<desc id="headline-chart-desc">Demo Academy \(fictional\): [^<]+ Other School \(fictional\): [^<]+ All your schools: /);
    expect(page.html).toContain('>Other School (fictional)</text>');
    expect([...page.html.matchAll(/href="\/workspace\/figures\/board-pack\.xlsx\?[^"]*school=(\w[\w-]*)/g)].map((m) => m[1])).toEqual(['DEMO-SCH', 'OTHER']);
    expect((await reads(store)).map((r) => r.data)).toEqual([expect.objectContaining({ schoolId: null, schools: ['DEMO-SCH', 'OTHER'] })]);
  });

  it('gives a school one does not cover the same "not found" as a page that does not exist; a head sees only their school', async () => {
    const store = await demo();
    await addOtherSchool(store);
    const officerBrowser = await serve(store);
    await signIn(officerBrowser, 'demo-officer');
    const nowhere = await officerBrowser.get('/workspace/figures/nowhere');
    expect(nowhere.status).toBe(404);
    const strip = (a: Answer) => a.html.replace(/value="[^"]+"/g, '');
    for (const path of ['/workspace/figures?school=OTHER', '/workspace/figures?school=NO-SUCH&year=bad', '/workspace/figures/download.csv?year=2025%2F26&period=spring&school=OTHER', '/workspace/figures/board-pack.xlsx?year=2025%2F26&period=spring&school=OTHER']) {
      const page = await officerBrowser.get(path);
      expect(page.status, path).toBe(404);
      expect(page.text, path).toContain('Page not found');
      expect(page.text, path).not.toContain('Other School');
      expect(strip(page), path).toBe(strip(nowhere));
    }

    const headBrowser = await serve(store);
    await signIn(headBrowser, 'other-head');
    // A school without a calendar: terms cannot be counted, so the page opens on the latest quarter begun.
    const theirs = await headBrowser.get('/workspace/figures');
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain('2025/26, year to date to the end of quarter 2 (31 March)');
    expect(theirs.text).toContain('Other School (fictional)');
    expect(theirs.text).not.toContain('Demo Academy');
    expect(theirs.text).toContain('Pupils on roll 0');
    expect((await headBrowser.get('/workspace/figures?school=DEMO-SCH')).status).toBe(404);
    expect((await headBrowser.get('/workspace/figures/download.xlsx?school=DEMO-SCH&year=2025%2F26&period=spring')).status).toBe(404);

    // Nothing was read for a school refused: only the other head's own page.
    const rows = await reads(store);
    expect(rows.map((r) => [r.actor, (r.data as { schools: string[] }).schools])).toEqual([['other-head', ['OTHER']]]);
  });

  it('shows pupil movement per school — off-site directions, managed moves, leavers, Year 10 and 11 — saying what it counts, withheld for publication', async () => {
    const store = await demo();
    // DEMO-003 (Year 10): directed off site from Mon 12 Jan 2026, a managed move agreed Mon 2 Mar, off roll after Fri 13 Mar.
    await store.pupils.amend(SYSTEM, 'DEMO-003', { action: 'test-movement', data: {} }, (r) => ({
      ...r,
      offSiteDirections: [{ id: 'OSD1', startDate: '2026-01-12', provider: 'Learning Centre', reviews: [], reviewRequests: [], precedesManagedMove: true }],
      managedMoves: [{ id: 'MM1', agreedOn: '2026-03-02', receivingSchool: 'Hillside Academy', offRollOn: '2026-03-13', plannedTrial: false }],
      leftOn: '2026-03-13',
    }));
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const report = await buildReport(store, SYSTEM, { academicYear: '2025/26', term: 'spring' });
    const roll = report.rows.find((r) => r.school === 'DEMO-SCH' && r.measure === 'pupils-on-roll' && r.breakdown === 'total')!.value!;
    const per100 = (n: number) => (Math.round((10000 * n) / roll) / 100).toLocaleString('en-GB', { maximumFractionDigits: 2 });

    const page = await browser.get('/workspace/figures');
    expect(page.text).toContain('Pupil movement');
    expect(page.text).toContain('figures to ask about, not findings');
    // One of each in the spring term, all three about the one Year 10 pupil; none in Year 11; no part-time timetable.
    expect(page.text).toContain(`Off-site directions 1 ${per100(1)} Off-site directions: Year 10 1`);
    expect(page.text).toContain(`Managed moves 1 ${per100(1)} Managed moves: Year 10 1`);
    expect(page.text).toContain(`Pupils leaving the roll 1 ${per100(1)} Pupils leaving the roll: Year 10 1`);
    expect(page.text).toMatch(/Pupils leaving the roll: Year 11 0 /);
    expect(page.text).toMatch(/Part-time timetables 0 0 /);
    expect(page.text).toContain('Managed moves agreed in the period (to another school, permanently)');

    const published = await browser.get('/workspace/figures?year=2025%2F26&period=spring&school=DEMO-SCH&publication=yes');
    expect(published.text).toContain('Off-site directions c (withheld) c (withheld) Off-site directions: Year 10 c (withheld) c (withheld)');

    // An officer covering a second school (no pupils held there): each school beside all of them.
    await addOtherSchool(store);
    await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Inclusion Officer (fictional)', role: 'inclusion-officer', schoolIds: ['DEMO-SCH', 'OTHER'] }, SYSTEM);
    const both = await browser.get('/workspace/figures?year=2025%2F26&period=quarter-2');
    expect(both.status).toBe(200);
    expect(both.text).toContain('Pupil movement Number Per 100 on roll All your schools: per 100 on roll');
    expect(both.text).toContain(`Managed moves 1 ${per100(1)} ${per100(1)}`);
  });
});
