/**
 * The workspace's Support pages over HTTP, as an officer and a head meet them: the demo school in a
 * real store with a support record added (a plan due for review, an action agreed at last week's
 * meeting, a pupil who left the roll, three nurture outreach referrals), read back as the weekly
 * list, the caseload and waiting list, and the support figures — each read audited — and the
 * refusals: a week that is not a date or a school that is not one's own said under its field, with
 * nothing read; another school's head seeing none of this school's pupils.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CASE_LIST_READ, SYSTEM, giveNurturePlace, openByHand, type CaseStore } from '@before-exclusion/workflows';
import { loadConfig } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { BACKENDS, TODAY, addOtherSchool, demoStore, silentLogger } from '../testing/fixtures.js';
import { WorkspaceBrowser as Browser } from '../testing/workspaceBrowser.js';
import { signInMethods } from './signIn.js';
import { readSupportQuery } from './support.js';
import { WORKSPACE_PATH, workspaceRouter } from './workspace.js';

const SECRET = 'a-test-secret-for-the-workspace-sessions-0123456789';
const servers: { close(): Promise<void> }[] = [];
const stores: CaseStore[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

async function serve(store: CaseStore, log: Logger = silentLogger): Promise<Browser> {
  const app = express();
  app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: SECRET, https: false, signIn: signInMethods(loadConfig({})) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new Browser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function signIn(browser: Browser, staffId: string): Promise<void> {
  const page = await browser.get('/workspace/sign-in');
  expect((await browser.post('/workspace/sign-in', { staffId }, page)).status).toBe(303);
}

/**
 * The support record a term brings (the demo date is Friday 20 March 2026): DEMO-004's support plan,
 * due for review on Tuesday 24 March; an action agreed for DEMO-001 at the meeting of 13 March,
 * due 18 March and not done; DEMO-017 left the roll on 16 March; nurture outreach referrals for
 * DEMO-007 (consent, a place, amber, SDQ 24 → 15), DEMO-008 (consent: waiting) and DEMO-011 (no consent yet).
 */
async function supportRecord(store: CaseStore): Promise<{ plan: string; action: string; placed: string; waiting: string; unconsented: string }> {
  const head = await store.staff.actorFor('demo-head');
  const open = async (kind: 'support-plan' | 'tats-action' | 'nurture-outreach', pupil: string, data: Record<string, unknown> = {}) => (await openByHand(store, head, kind, pupil, TODAY, data)).case;
  const plan = await open('support-plan', 'DEMO-004');
  await store.cases.send(head, { id: plan.id, kind: 'support-plan' }, [
    { type: 'ASSESS', assessedOn: '2026-02-23' },
    { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'baseline', takenOn: '2026-02-23', developmentalStrands: 60, diagnosticProfile: 50 },
    { type: 'AGREE_PLAN', intervention: 'nurture-group', provider: 'School nurture group', startDate: '2026-02-24', reviewDue: '2026-03-24' },
    { type: 'RECORD_MEASURE', measure: 'boxall', stage: 'follow-up', takenOn: '2026-03-17', developmentalStrands: 75, diagnosticProfile: 42 },
  ]);
  const action = await open('tats-action', 'DEMO-001', { action: 'attendance-meeting', owner: 'demo-head', agreedOn: '2026-03-13', dueDate: '2026-03-18' });
  await store.pupils.amend(SYSTEM, 'DEMO-017', { action: 'test-left-roll', data: { leftOn: '2026-03-16' } }, (r) => ({ ...r, leftOn: '2026-03-16' }));
  const refer = (pupil: string, referredOn: string) => open('nurture-outreach', pupil, { route: 'school-caseload', referredOn });
  const placed = await refer('DEMO-007', '2026-01-12');
  const waiting = await refer('DEMO-008', '2026-02-02');
  const unconsented = await refer('DEMO-011', '2026-01-05');
  for (const c of [placed, waiting]) await store.cases.send(head, { id: c.id, kind: 'nurture-outreach' }, [{ type: 'RECORD_CONSENT', given: true, on: '2026-02-09' }]);
  await giveNurturePlace(store, head, placed.id, { startedOn: '2026-02-23', followUpDue: '2026-03-16' });
  await store.cases.send(head, { id: placed.id, kind: 'nurture-outreach' }, [
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'baseline', takenOn: '2026-02-23', totalDifficulties: 24 },
    { type: 'SET_STATUS', status: 'amber', on: '2026-03-02' },
    { type: 'RECORD_MEASURE', measure: 'sdq', stage: 'follow-up', takenOn: '2026-03-13', totalDifficulties: 15 },
  ]);
  return { plan: plan.id, action: action.id, placed: placed.id, waiting: waiting.id, unconsented: unconsented.id };
}

describe('the support query', () => {
  it('takes the school date for the week when none is given, and names a week that is not a real date and a school that is not one of yours', () => {
    expect(readSupportQuery({}, ['A'], '2026-03-20')).toEqual({ asked: { school: '', week: '2026-03-20' }, errors: [] });
    expect(readSupportQuery({ school: ['B', 'A'], week: ' 2026-03-13 ' }, ['A'], '2026-03-20').asked).toEqual({ school: 'A', week: '2026-03-13' });
    const { errors } = readSupportQuery({ school: 'B', week: '2026-02-30' }, ['A'], '2026-03-20');
    expect(errors).toEqual([
      { field: 'school', text: 'Choose one of your schools from the list, or all of them' },
      { field: 'week', text: "Enter the meeting's date as a real date written year-month-day, for example 2026-03-20" },
    ]);
  });
});

describe.each(BACKENDS)('the Support pages on %s', (backend) => {
  async function demo() {
    const { store } = await demoStore({ backend });
    stores.push(store);
    return store;
  }

  it("shows the officer the week's list: who is on it and why, who is new, whose reasons changed, who is off it, and the actions agreed — each pupil linked to their cases, the read audited", async () => {
    const store = await demo();
    const ids = await supportRecord(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const audited = (await store.audit.entriesOf(CASE_LIST_READ)).length;

    const page = await browser.get('/workspace/support');
    expect(page.status).toBe(200);
    const text = page.text;
    expect(text).toContain('Week of 20 March 2026');
    expect(text).toContain('12 pupils on the list: 1 new this week, 1 with reasons changed, 1 off the list since 13 March 2026; 1 open action.');
    // New: DEMO-004's plan falls due for review this week.
    expect(text).toContain(`DEMO-004 New this week Cases for pupil DEMO-004 Why on the list Support plan review due: a nurture group with School nurture group since 2026-02-24: review due 2026-03-24 — case ${ids.plan}`);
    // Changed: DEMO-016 crossed the persistent-absence line this week.
    expect(text).toMatch(/DEMO-016 Reasons changed .* Persistent absence \(new this week\): missed 10.3% of possible sessions/);
    // The action agreed last week, its owner by name, overdue in words and not only in colour.
    expect(text).toContain(`an attendance meeting with the family — Demo Head (fictional), Overdue was due 18 March 2026 — case ${ids.action}`);
    // Off the list: DEMO-017 left the roll on 16 March; last week's reason in words.
    expect(text).toContain('DEMO-017 Off the list Persistent absence');
    expect(page.html).toContain('href="/workspace/cases?school=DEMO-SCH&amp;pupil=DEMO-004"');
    expect(page.html).toContain(`href="/workspace/cases/${ids.action}"`);
    expect(page.html).toMatch(/<a [^>]*href="\/workspace\/support"[^>]*aria-current="page"/);
    expect(text).not.toContain('peap.required'); // words, not the rules' internal ids

    // Last week's list: DEMO-017 still on it, DEMO-004 not yet due.
    const before = await browser.get('/workspace/support?week=2026-03-13');
    expect(before.text).toContain('Week of 13 March 2026');
    expect(before.text).toContain('DEMO-017 Still on the list');
    expect(before.text).not.toContain('Support plan review due');
    // Each read is a list of cases read, in the officer's name.
    const reads = (await store.audit.entriesOf(CASE_LIST_READ)).slice(audited);
    expect(reads.length).toBeGreaterThanOrEqual(2);
    expect(reads.every((r) => r.actor === 'demo-officer')).toBe(true);
  });

  it('shows a pupil the meeting stepped down off the list until a new reason appears, and back, saying why', async () => {
    const store = await demo();
    const head = await store.staff.actorFor('demo-head');
    // DEMO-016 stepped down on 13 March, before crossing the persistent-absence line; DEMO-012 on 16 March, with nothing new
    // since (off the list this week); DEMO-001 on 6 March, so off last week's list too (held off).
    const back = (await openByHand(store, head, 'tats-action', 'DEMO-016', TODAY, { action: 'step-down', owner: 'demo-head', agreedOn: '2026-03-13', dueDate: '2026-03-13' })).case;
    await openByHand(store, head, 'tats-action', 'DEMO-012', TODAY, { action: 'step-down', owner: 'demo-head', agreedOn: '2026-03-16', dueDate: '2026-03-16' });
    const held = (await openByHand(store, head, 'tats-action', 'DEMO-001', TODAY, { action: 'step-down', owner: 'demo-head', agreedOn: '2026-03-06', dueDate: '2026-03-06' })).case;
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const text = (await browser.get('/workspace/support')).text;
    // DEMO-012 is said once, as off the list this week; only DEMO-001 is counted as held off.
    expect(text).toContain('10 pupils on the list: 1 new this week, 0 with reasons changed, 1 off the list since 13 March 2026, 1 held off by a step down;');
    expect(text).toContain(`DEMO-016 New this week Cases for pupil DEMO-016 Back after a step down Stepped down on 13 March 2026 ( case ${back.id} ); back because: Persistent absence Why on the list`);
    expect(text).toContain('DEMO-012 Off the list Hold a Pre-Exclusion Assessment (PEAP) meeting; stepped down by the meeting on 16 March 2026');
    expect(text).toContain(`Stepped down The rules still select these pupils, but the meeting stepped them down: they stay off the list until a reason appears that was not there when they were stepped down. Pupil Stepped down on Case DEMO-001 6 March 2026 ${held.id}`);
    expect(text).not.toMatch(/Stepped down on Case[^.]*DEMO-012/);
  });

  it('answers a week that is not a date and a school that is not theirs under the field, reading nothing; a head of another school sees none of these pupils', async () => {
    const store = await demo();
    await supportRecord(store);
    await addOtherSchool(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const audited = (await store.audit.entriesOf(CASE_LIST_READ)).length;

    const badWeek = await browser.get('/workspace/support?week=2026-02-30');
    expect(badWeek.status).toBe(400);
    expect(badWeek.text).toContain('There is a problem');
    expect(badWeek.html).toMatch(/<p id="week-error" class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:<\/span> Enter the meeting&#39;s date as a real date written year-month-day, for example 2026-03-20/);
    expect(badWeek.html).toContain('value="2026-02-30"'); // what was typed, given back to correct
    expect(badWeek.text).not.toContain('DEMO-');
    for (const path of ['/workspace/support?school=OTHER', '/workspace/support/caseload?school=NO-SUCH-SCHOOL', '/workspace/support/figures?school=OTHER']) {
      const refused = await browser.get(path);
      expect(refused.status, path).toBe(400);
      expect(refused.html, path).toMatch(/id="school-error"[^>]*>\s*<span class="govuk-visually-hidden">Error:<\/span> Choose one of your schools from the list, or all of them/);
      expect(refused.text, path).not.toContain('DEMO-0');
    }
    // Another site's request (a link, an image, a frame elsewhere) cannot make a signed-in browser read the list.
    const crossSite = await browser.get('/workspace/support/caseload', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' });
    expect(crossSite.status).toBe(403);
    expect(await store.audit.entriesOf(CASE_LIST_READ)).toHaveLength(audited);
    // A week no stored calendar reaches: said so, never this year's attendance shown as that year's.
    const farOff = await browser.get('/workspace/support?week=2030-01-07');
    expect(farOff.status).toBe(200);
    expect(farOff.text).toContain("No stored calendar covers this week for DEMO-SCH: the rules' reasons are not listed for their pupils.");
    expect(farOff.text).not.toContain('Persistent absence');
    // A real date far beyond any term is still a list as of that date (with the warning above), not a failure.
    const far = await browser.get('/workspace/support?week=9999-12-31');
    expect(far.status).toBe(200);
    expect(far.text).toContain('Week of 31 December 9999');
    const garbage = await browser.get('/workspace/support?week=%3Cscript%3E');
    expect(garbage.status).toBe(400);
    expect(garbage.html).not.toContain('<script>');

    const other = await serve(store);
    await signIn(other, 'other-head');
    const theirs = await other.get('/workspace/support');
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain('0 pupils on the list');
    expect(theirs.text).not.toContain('DEMO-0');
    const load = await other.get('/workspace/support/caseload');
    // The service's places count every school's children; none of them is named to another school's head.
    expect(load.text).toContain('1 of 30 places taken Places count the whole service, every school: 29 free. 0 children waiting, 0 awaiting consent.');
    expect(load.text).not.toContain('DEMO-0');
    expect((await other.get('/workspace/support?school=DEMO-SCH')).status).toBe(400);
  });

  it("puts the name beside the id where the school chose to hold names — on the page, never in the service's log", async () => {
    const store = await demo();
    await supportRecord(store);
    const head = await store.staff.actorFor('demo-head');
    const names = join(mkdtempSync(join(tmpdir(), 'names-')), 'names.csv');
    writeFileSync(names, 'pupilId,displayName\nDEMO-004,Ada Example\nDEMO-007,Ben Example\n');
    await store.displayNames.choose(head, 'DEMO-SCH', true);
    await store.displayNames.load(head, 'DEMO-SCH', names);
    const lines: string[] = [];
    const log: Logger = { debug() {}, info: (m, f) => lines.push(JSON.stringify({ m, ...f })), warn: (m, f) => lines.push(JSON.stringify({ m, ...f })), error: (m, f) => lines.push(JSON.stringify({ m, ...f })) };
    const browser = await serve(store, log);
    await signIn(browser, 'demo-officer');

    expect((await browser.get('/workspace/support')).text).toContain('Ada Example (DEMO-004) New this week');
    expect((await browser.get('/workspace/support/caseload')).text).toContain('Ben Example (DEMO-007) 23 February 2026 Amber');
    expect(lines.some((l) => l.includes('weekly list read'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/Ada|Ben|Example/);
  });

  it('shows an officer covering two schools all of them, each pupil under their school, or one school chosen', async () => {
    const store = await demo();
    await supportRecord(store);
    await addOtherSchool(store);
    await store.staff.upsert({ id: 'demo-officer', displayName: 'Demo Inclusion Officer (fictional)', role: 'inclusion-officer', schoolIds: ['DEMO-SCH', 'OTHER'] }, SYSTEM);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const all = await browser.get('/workspace/support');
    expect(all.text).toContain('School All your schools Demo Academy (fictional) Other School (fictional) Show the list');
    expect(all.text).toContain('DEMO-004 New this week Cases for pupil DEMO-004 School Demo Academy (fictional) Why on the list');
    const other = await browser.get('/workspace/support?school=OTHER&week=2026-03-13');
    expect(other.status).toBe(200);
    expect(other.text).toContain('Week of 13 March 2026 0 pupils on the list');
    // The area's own links keep the school chosen; the week before and after keep both.
    expect(other.html).toContain('href="/workspace/support/caseload?school=OTHER"');
    expect(other.html).toContain('href="/workspace/support?school=OTHER&amp;week=2026-03-06"');
    const load = await browser.get('/workspace/support/caseload');
    expect(load.text).toContain('Pupil School Since Status');
    expect(load.text).toContain('DEMO-007 Demo Academy (fictional) 23 February 2026 Amber');
  });

  it('shows the nurture outreach caseload: places taken of the capacity, the status in words, the follow-up overdue, the measures before → after; the waiting list in referral order; those awaiting consent', async () => {
    vi.stubEnv('NURTURE_OUTREACH_CAPACITY', '1'); // the store's setting, read as it opens
    const store = await demo();
    const ids = await supportRecord(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');

    const page = await browser.get('/workspace/support/caseload');
    expect(page.status).toBe(200);
    const text = page.text;
    expect(text).toContain('1 of 1 places taken');
    expect(text).toContain('0 free. 1 child waiting, 1 awaiting consent.');
    expect(text).toContain(
      `DEMO-007 23 February 2026 Amber early days, starting to respond to the strategies 16 March 2026 Overdue SDQ total difficulties 24 → 15 (improved) ${ids.placed}`,
    );
    expect(text).toContain(`1 DEMO-008 2 February 2026 a school with many complex cases whose staff need support and supervision ${ids.waiting}`);
    expect(text).toContain(`Awaiting the parents' consent Pupil Referred Referral route Case DEMO-011 5 January 2026`);
    expect(page.html).toContain('href="/workspace/cases?school=DEMO-SCH&amp;pupil=DEMO-008"');

  });

  it('shows the support figures: plans by intervention and how they ended, the measures’ average change, the outreach caseload — counts, never a pupil', async () => {
    const store = await demo();
    await supportRecord(store);
    const browser = await serve(store);
    await signIn(browser, 'demo-officer');
    const audited = (await store.audit.entriesOf(CASE_LIST_READ)).length;

    const page = await browser.get('/workspace/support/figures');
    expect(page.status).toBe(200);
    const text = page.text;
    expect(text).toContain('Support plans agreed, by intervention and how each ended Intervention Running Needs met Escalated Stopped Revised at a review All plans A nurture group 1 0 0 0 0 1');
    expect(text).toContain('Boxall Profile, developmental strands (higher is better) 1 +15 1');
    expect(text).toContain('SDQ, total difficulties (lower is better) 1 -9 1');
    expect(text).toContain(
      'Referred 3 Awaiting the parents’ consent 1 Waiting for a place 1 With a place now 1 Places the service has (NURTURE_OUTREACH_CAPACITY) 30 Closed 0 Given a place, now or before 1 Median days from referral to a place 42',
    );
    expect(text).toContain('EHC needs assessments Requests and timescales Number Requested 0');
    expect(text).toContain('Every figure is shown, however small.');
    expect(text).not.toContain('DEMO-0');
    expect((await store.audit.entriesOf(CASE_LIST_READ)).length).toBe(audited + 1);

    // For publication: every count here is 1 or 2 (or gives one away), so it is c, said in full to a screen reader.
    const published = await browser.get('/workspace/support/figures?publication=yes');
    expect(published.status).toBe(200);
    expect(published.text).toContain('For publication: counts of 1 or 2');
    expect(published.text).toContain('A nurture group c (withheld) 0 0 0 0 c (withheld)');
    expect(published.text).toContain('SDQ, total difficulties (lower is better) c (withheld) c (withheld) c (withheld)');
    expect(published.text).toContain('Referred c (withheld) Awaiting the parents’ consent c (withheld) Waiting for a place c (withheld) With a place now c (withheld)');
    expect(published.text).toContain('Median days from referral to a place c (withheld)');
    expect(published.html).toContain('c: withheld. <a class="govuk-link" href="#withheld">Why figures are withheld</a>');
  });
});
