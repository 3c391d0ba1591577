/**
 * A school's pull from its MIS through Assembly, against a fake Assembly API on loopback serving
 * the documented shapes: pages, a 429 with its wait, a 500 in the middle of a pull (nothing half
 * imported; the next pull completes), an incremental pull from the saved cursor, a code the
 * product does not know (refused, named), and a new suspension opening its case within one pull.
 * The store and the rules are the product's own, on SQLite (and PostgreSQL with TEST_DATABASE_URL).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssemblyAdapter, AssemblyToken, CaseStore, MisRefused, MisUnavailable, pullSchool, pupilIdKey, pupilPseudonym, SYSTEM } from '../../packages/workflows/dist/index.js';
import { FAKE_OAUTH, fakeStudent, fakeSuspension, startFakeAssembly, type FakeAssembly } from '../support/fakeAssembly.js';
import { backends, freshDatabase } from '../support/postgres.js';

const require = createRequire(import.meta.url);
const CALENDAR = require.resolve('../../packages/rules/data/calendars/england-2025-26.example.json');
const SCHOOL = 'URN-100001';
const TODAY = '2026-03-20';
const key = pupilIdKey('k'.repeat(40));
const pupil = (upn: string) => pupilPseudonym(key, SCHOOL, upn);

describe.each(backends())('pulling a school from Assembly (%s store)', (backend) => {
  let fake: FakeAssembly;
  let store: CaseStore;
  let dir: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mis-pull-'));
    const url = backend === 'postgres' ? await freshDatabase('mis') : join(dir, 'cases.db');
    store = await CaseStore.open({ url, anchorPath: join(dir, 'audit.anchor'), anchorKey: 'test-anchor-key-0123456789', clock: () => new Date(`${TODAY}T10:00:00Z`) });
    // The school's calendar comes first (a pupil file with one pupil the MIS does not list).
    const seed = join(dir, 'seed.ndjson');
    writeFileSync(seed, `${JSON.stringify({ id: 'HAND-1', schoolId: SCHOOL })}\n`);
    await store.pupils.import(SYSTEM, { pupils: seed, calendar: CALENDAR });
    fake = await startFakeAssembly({
      students: [fakeStudent(1, 'A100000000001'), fakeStudent(2, 'A100000000002', { demographics: { gender: 'F', ethnicity_code: 'WBRI', sen_category: 'K', is_fsm: true, in_care: true } }), fakeStudent(3, 'A100000000003')],
      exclusions: [fakeSuspension(501, 2, '2026-03-16', 6, ['VA', 'PA'])],
    });
    fake.mark(1, '2026-03-16', 'AM', '/');
    fake.mark(1, '2026-03-16', 'PM', 'N');
  });
  afterEach(async () => {
    await fake.close();
    await store.close();
  });

  const adapter = () => new AssemblyAdapter({ baseUrl: fake.url, token: new AssemblyToken({ accessToken: fake.token }), pupilIdKey: key, backoffMs: 10, timeoutMs: 2_000 });
  const pull = () => pullSchool(store, adapter(), { schoolId: SCHOOL, today: TODAY });
  const pupilsOf = async () => (await store.pupils.inSchools([SCHOOL])).map((p) => p.id).sort();

  it('pages through students, maps them to pseudonymous pupil records without names, and opens the suspension\'s case in the same pull', async () => {
    const result = await pull();
    expect(result).toMatchObject({ pupils: 3, changed: 3 });
    expect(await pupilsOf()).toEqual(['HAND-1', pupil('A100000000001'), pupil('A100000000002'), pupil('A100000000003')].sort());
    // Three students at two a page: two pages, each with the school token and API version 1.1.
    expect(fake.requests.filter((r) => r.path === '/students').map((r) => r.query.page)).toEqual(['1', '2']);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${fake.token}` && r.accept === 'application/vnd.assembly+json; version=1.1')).toBe(true);

    const suspended = await store.pupils.record(SYSTEM, pupil('A100000000002'));
    expect(suspended).toMatchObject({ send: 'K', fsm: true, lookedAfter: true, sex: 'F', yearGroup: 9, joinedOn: '2023-09-04' });
    expect(suspended.exclusions).toEqual([expect.objectContaining({ id: 'assembly-501', category: 'FIXD', startDate: '2026-03-16', sessions: 6, reasons: ['VA', 'PA'] })]);
    expect((await store.pupils.record(SYSTEM, pupil('A100000000001'))).attendance).toEqual([{ date: '2026-03-16', am: '/', pm: 'N' }]);

    const cases = await store.cases.list(SYSTEM, { pupilId: pupil('A100000000002') });
    expect(cases.map((c) => c.kind)).toContain('suspension');
    // Names and UPNs never reach the store: not in any record, not in the audit trail.
    const everything = JSON.stringify([await store.pupils.inSchools([SCHOOL]), cases]);
    expect(everything).not.toMatch(/Firstname|Surname|A10000000000/);
    if (backend === 'sqlite') expect(readFileSync(join(dir, 'cases.db')).toString('latin1')).not.toMatch(/Firstname|Surname|A10000000000/);
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('waits out a 429 for the period Assembly gives, then completes', async () => {
    fake.fail({ path: '/exclusions', status: 429, times: 1, period: 1 });
    const started = Date.now();
    const result = await pull();
    expect(result.changed).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests.filter((r) => r.path === '/exclusions').map((r) => r.status)).toEqual([429, 200]);
  });

  it('retries a 500 with backoff and completes when Assembly recovers within the tries', async () => {
    fake.fail({ path: '/students', page: 2, status: 500, times: 2 });
    expect((await pull()).changed).toBe(3);
    expect(fake.requests.filter((r) => r.path === '/students').map((r) => r.status)).toEqual([200, 500, 500, 200]);
  });

  it('abandons a request Assembly never answers after its timeout, and the retry completes the pull', async () => {
    fake.fail({ path: '/students/left', status: 'hang', times: 1 });
    const started = Date.now();
    const result = await pullSchool(store, new AssemblyAdapter({ baseUrl: fake.url, token: new AssemblyToken({ accessToken: fake.token }), pupilIdKey: key, backoffMs: 10, timeoutMs: 300 }), { schoolId: SCHOOL, today: TODAY });
    expect(result.changed).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.requests.filter((r) => r.path === '/students/left').map((r) => r.status)).toEqual([0, 200]);
  });

  it('renews the school token when Assembly says it has run out (401), with the refresh token and the app\'s credentials, and the pull completes', async () => {
    const token = new AssemblyToken({ accessToken: fake.token, oauth: { url: fake.url, ...FAKE_OAUTH } });
    const renewing = new AssemblyAdapter({ baseUrl: fake.url, token, pupilIdKey: key, backoffMs: 10, timeoutMs: 2_000 });
    fake.expireTokens();
    expect((await pullSchool(store, renewing, { schoolId: SCHOOL, today: TODAY })).changed).toBe(3);
    expect(fake.renewals).toBe(1);
    expect(fake.requests.filter((r) => r.path === '/students').map((r) => [r.status, r.authorization])).toEqual([
      [401, `Bearer ${fake.token}`],
      [200, 'Bearer fake-renewed-token-1'],
      [200, 'Bearer fake-renewed-token-1'],
    ]);
    // The renewed token serves the next pull; printed or serialised, the token shows nothing.
    await pullSchool(store, renewing, { schoolId: SCHOOL, today: TODAY });
    expect(fake.renewals).toBe(1);
    expect(JSON.stringify({ token })).toBe('{"token":"[hidden]"}');
    // Without a refresh token, a token that ran out stops the pull, saying what to do; nothing imported.
    fake.expireTokens();
    const refused = await pull().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MisUnavailable);
    expect((refused as Error).message).toMatch(/^Assembly \/students \(page 1\) was refused \(HTTP 401\): the school token is missing, wrong or expired/);
  });

  it('imports nothing when Assembly keeps failing mid-pull, keeps the cursor, and the next pull completes', async () => {
    const before = { pupils: await pupilsOf(), rows: (await store.audit.verify()).rows };
    fake.fail({ path: '/attendances', status: 500, times: 10 });
    const failed = await pull().catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(MisUnavailable);
    expect((failed as Error).message).toMatch(/Assembly \/attendances \(page 1\) failed on Assembly's side \(HTTP 500\); gave up after 4 tries/);
    expect((failed as Error).message).not.toContain(fake.token);
    expect(await pupilsOf()).toEqual(before.pupils);
    expect((await store.audit.verify()).rows).toBe(before.rows);
    expect(await store.pupils.misCursor(SCHOOL, 'assembly')).toBeUndefined();

    fake.recover();
    const recovered = await pull();
    expect(recovered.changed).toBe(3);
    expect(await store.pupils.misCursor(SCHOOL, 'assembly')).toBeDefined();
  });

  it('pulls incrementally from the saved cursor: unchanged data changes nothing; a new suspension in the MIS opens its case', async () => {
    await pull();
    const cursor = await store.pupils.misCursor(SCHOOL, 'assembly');
    expect(cursor).toBeDefined();

    const again = await pull();
    expect(again.changed).toBe(0);
    const conditional = fake.requests.filter((r) => r.path === '/attendances').at(-1)!;
    expect(conditional.ifModifiedSince).toBe(JSON.parse(cursor!).attendances);
    expect(conditional.status).toBe(304);

    fake.exclusions.push(fakeSuspension(502, 3, '2026-03-19', 4, ['DB']));
    fake.mark(3, '2026-03-19', 'AM', 'E');
    const next = await pull();
    expect(next.changed).toBe(1);
    expect(next.evaluation?.opened).toBeGreaterThanOrEqual(1);
    const cases = await store.cases.list(SYSTEM, { pupilId: pupil('A100000000003') });
    expect(cases.map((c) => c.kind)).toContain('suspension');
    // The marks pulled before are kept; the new one is added.
    expect((await store.pupils.record(SYSTEM, pupil('A100000000001'))).attendance).toEqual([{ date: '2026-03-16', am: '/', pm: 'N' }]);
    expect((await store.pupils.record(SYSTEM, pupil('A100000000003'))).attendance).toEqual([{ date: '2026-03-19', am: 'E' }]);
  });

  it('a suspension the head recorded in the product and the school then entered in the MIS stays one exclusion, under the product\'s id', async () => {
    await pull();
    const id = pupil('A100000000001');
    const recorded = { id: 'EX-HEAD-1', category: 'FIXD' as const, startDate: '2026-03-18', startSession: 'AM' as const, sessions: 2, reasons: ['DB' as const], cancelled: false, missesPublicExam: false };
    await store.pupils.amend(SYSTEM, id, { action: 'exclusion-recorded', data: { exclusionId: recorded.id } }, (r) => ({ ...r, exclusions: [...r.exclusions, recorded] }));
    fake.exclusions.push(fakeSuspension(601, 1, '2026-03-18', 2, ['DB', 'VA']));
    await pull();
    expect((await store.pupils.record(SYSTEM, id)).exclusions).toEqual([{ ...recorded, reasons: ['DB', 'VA'] }]);
  });

  it('a reinstated exclusion is kept as cancelled, with the category it had; a leaver\'s last day is their end date', async () => {
    await pull();
    const suspended = fake.exclusions.find((e) => e.id === 501)!;
    suspended.exclusion_type = 'Reinstated';
    fake.students[0]!.end_date = '2026-03-13';
    await pull();
    expect((await store.pupils.record(SYSTEM, pupil('A100000000002'))).exclusions).toEqual([expect.objectContaining({ id: 'assembly-501', category: 'FIXD', sessions: 6, cancelled: true })]);
    expect((await store.pupils.record(SYSTEM, pupil('A100000000001'))).leftOn).toBe('2026-03-13');
  });

  it('refuses a pull with a code the product does not know, naming the endpoint, the record and what is accepted; nothing imported', async () => {
    fake.exclusions.push({ ...fakeSuspension(503, 1, '2026-03-18', 2, ['ZZ']) });
    const refused = await pull().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MisRefused);
    expect((refused as MisRefused).problems).toEqual([
      expect.objectContaining({ file: 'Assembly /exclusions', location: 'id 503', field: 'exclusion_reason', message: expect.stringMatching(/^ZZ is not a CBDS exclusion reason; accepted: PP, PA, VP/) }),
    ]);
    expect(await pupilsOf()).toEqual(['HAND-1']);
  });

  it('refuses an attendance mark retired in 2024 (H), naming the student and the day', async () => {
    fake.mark(3, '2026-03-17', 'PM', 'H');
    const refused = await pull().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MisRefused);
    expect((refused as MisRefused).problems).toEqual([expect.objectContaining({ file: 'Assembly', location: `student id 3 (pupil ${pupil('A100000000003')}), marks of 2026-03-17`, field: 'attendance[0].pm', message: expect.stringMatching(/^"H" is not an attendance mark; accepted: /) })]);
    expect(await pupilsOf()).toEqual(['HAND-1']);
  });
});
