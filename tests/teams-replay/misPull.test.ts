/**
 * A suspension entered in the school's MIS reaches the head in Teams within one pull: the service
 * (as `pnpm start` runs it) pulls the demo school from a fake Assembly API on loopback every
 * second or so (MIS_SCHOOLS_FILE, MIS_PULL_EVERY_MINUTES); the suspension added to the fake opens
 * its case, and the prompt goes to the demo head through a fake Bot Framework connector. A pull
 * that fails in the middle (500s past the retries) imports nothing and holds up nothing else: the
 * head's chat still answers, and the next pull completes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PUPIL_ID_KEY, pupilPseudonym, SYSTEM } from '../../packages/workflows/dist/index.js';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector.js';
import { fakeStudent, fakeSuspension, startFakeAssembly, type FakeAssembly } from '../support/fakeAssembly.js';
import { backends } from '../support/postgres.js';
import { dataDir, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { serviceDatabase, withStore, type ServiceDatabase } from '../support/stores.js';
import { cardOf, cardText, installActivity, messageActivity, type TeamsUser } from '../support/teamsActivities.js';
import { post } from './teamsHttp.js';

const head: TeamsUser = { id: '29:demo-head', name: 'Demo Head', aadObjectId: '3f9a2b7c-1e4d-4a6b-8c2d-9e0f1a2b3c4d' };
const SCHOOL = 'DEMO-SCH';
// Outside production without PUPIL_ID_KEY the service derives ids with the public demo key (and says so in its log).
const pupil = pupilPseudonym(DEMO_PUPIL_ID_KEY, SCHOOL, 'A200000000001');

describe.each(backends())('a suspension entered in the MIS prompts the head in Teams (%s store)', (backend) => {
  let connector: FakeConnector;
  let assembly: FakeAssembly;
  let service: ServiceProcess;
  let db: ServiceDatabase;
  const conversation = 'a:demo-head-personal-chat';

  beforeAll(async () => {
    connector = await startFakeConnector();
    assembly = await startFakeAssembly({ students: [fakeStudent(1, 'A200000000001'), fakeStudent(2, 'A200000000002')] });
    const dir = dataDir('mis-');
    db = await serviceDatabase(backend, dir, 'mis');
    const schools = join(dir, 'mis-schools.json');
    writeFileSync(schools, JSON.stringify({ schools: [{ schoolId: SCHOOL, system: 'assembly', tokenEnv: 'ASSEMBLY_TOKEN_DEMO', baseUrl: assembly.url }] }));
    service = await startService(dir, { ...db.env, MIS_SCHOOLS_FILE: schools, MIS_PULL_EVERY_MINUTES: '0.02', ASSEMBLY_TOKEN_DEMO: assembly.token });
    await post(service.url, installActivity(head, connector.url, conversation));
    await connector.waitFor(2);
    // Starting the service, loading the demo and its first pull take a while on a loaded machine.
  }, 45_000);
  afterAll(async () => {
    await service?.stop();
    await assembly?.close();
    await connector?.close();
  });

  const waitForLog = async (pattern: RegExp, after = 0, timeoutMs = 15_000) => {
    for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      const line = service.logs.slice(after).find((l) => pattern.test(l));
      if (line) return line;
    }
    throw new Error(`no log line matching ${pattern} in ${timeoutMs} ms:\n${service.logs.slice(after).join('\n')}`);
  };

  it('pulls the school on its schedule, pseudonymous, and logs no token and no pupil', async () => {
    await waitForLog(/mis: pulled school DEMO-SCH/);
    const record = await withStore(db, (store) => store.pupils.record(SYSTEM, pupil));
    expect(record).toMatchObject({ id: pupil, schoolId: SCHOOL, yearGroup: 9 });
    const logs = service.logs.join('\n');
    expect(logs).not.toContain(assembly.token);
    expect(logs).not.toMatch(/A20000000000|Firstname|Surname|px-/);
  });

  it('a 500 in the middle of a pull imports nothing and holds up nothing else; the next pull brings the suspension and the head is prompted', async () => {
    // Assembly fails on the exclusions page, past the retries, until it recovers: those pulls import nothing.
    assembly.fail({ path: '/exclusions', status: 500, times: 1_000 });
    assembly.exclusions.push(fakeSuspension(900, 1, '2026-03-19', 6, ['PA']));
    const mark = service.logs.length;
    await waitForLog(/mis: pull of school DEMO-SCH failed; nothing imported/, mark);
    const during = await withStore(db, (store) => store.pupils.record(SYSTEM, pupil));
    expect(during.exclusions).toEqual([]);
    // /healthz names the school whose pulls fail (the service itself is ok).
    const health = (await (await fetch(`${service.url}/healthz`)).json()) as { status: string; mis?: { schools: number; failing: { schoolId: string; failures: number }[] } };
    expect(health.status).toBe('ok');
    expect(health.mis).toMatchObject({ schools: 1, failing: [{ schoolId: 'DEMO-SCH', failures: expect.any(Number) }] });
    // Meanwhile the chat answers as ever.
    const hello = messageActivity(head, connector.url, conversation, 'help');
    expect((await post(service.url, hello)).status).toBe(200);
    await connector.waitForReplyTo(hello.id);

    // Assembly recovers; the next pull completes: the case opens and its prompt reaches the head, unasked.
    const sentBefore = connector.sent.length;
    assembly.recover();
    for (const until = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
      const prompt = connector.sent.slice(sentBefore).find((a) => a.activity.attachments?.length && cardText(cardOf(a.activity)).includes(`Suspension — ${pupil}`));
      if (prompt) {
        expect(cardText(cardOf(prompt.activity))).toContain('The exclusion has been recorded. These are its statutory duties');
        break;
      }
      if (Date.now() > until) throw new Error(`no prompt for the suspension in 20 s; logs:\n${service.logs.join('\n')}`);
    }
    const cases = await withStore(db, (store) => store.cases.list(SYSTEM, { pupilId: pupil }));
    expect(cases.map((c) => c.kind)).toEqual(['suspension']);
    expect(((await (await fetch(`${service.url}/healthz`)).json()) as { mis?: unknown }).mis).toEqual({ schools: 1, failing: [] });
  });
});
