/**
 * Pupils recognisable where the school allows it: once the demo school opts in and loads a name,
 * its staff see "name (id)" in the chat's case list and status and in the workspace's list and
 * case page; the proactive prompt (built by the system for any channel) and the server's log
 * carry no name; opting out removes the names everywhere. Over a real store, on each backend.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SCHOOL, SYSTEM, type CaseStore } from '@before-exclusion/workflows';
import { only, BACKENDS, TODAY, demoAssistant, demoStore } from './testing/fixtures.js';
import { WorkspaceBrowser } from './testing/workspaceBrowser.js';
import { loadConfig } from './service/config.js';
import type { Logger } from './service/log.js';
import { signInMethods } from './web/signIn.js';
import { WORKSPACE_PATH, workspaceRouter } from './web/workspace.js';

const SCHOOL = DEMO_SCHOOL.id;
const NAME = 'Sam Example-Jones';
const stores: CaseStore[] = [];
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

/** The workspace on a port of its own, logging into `lines`. */
async function workspace(store: CaseStore, lines: string[]): Promise<WorkspaceBrowser> {
  const log: Logger = { debug: (m, f) => lines.push(JSON.stringify({ m, ...f })), info: (m, f) => lines.push(JSON.stringify({ m, ...f })), warn: (m, f) => lines.push(JSON.stringify({ m, ...f })), error: (m, f) => lines.push(JSON.stringify({ m, ...f })) };
  const app = express();
  app.use(WORKSPACE_PATH, workspaceRouter({ store, log, today: () => TODAY, sessionSecret: 'a-test-secret-for-the-workspace-sessions-0123456789', https: false, signIn: signInMethods(loadConfig({})) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return new WorkspaceBrowser(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

async function signedIn(browser: WorkspaceBrowser, staffId: string): Promise<void> {
  const page = await browser.get('/workspace/sign-in');
  expect((await browser.post('/workspace/sign-in', { staffId }, page)).status).toBe(303);
}

describe.each(BACKENDS)('display names on %s', (backend) => {
  it('shows a name the school chose to hold to its staff in the chat and the workspace, nowhere else, and takes it away when the school opts out', async () => {
    const { store } = await demoStore({ backend });
    stores.push(store);
    const assistant = demoAssistant(store);
    const head = await store.staff.actorFor('demo-head');
    const peap = (await store.cases.list(SYSTEM, { schoolId: SCHOOL })).find((c) => c.kind === 'peap')!;
    const names = join(mkdtempSync(join(tmpdir(), 'names-')), 'names.csv');
    writeFileSync(names, `pupilId,displayName\n${peap.pupilId},${NAME}\n`);
    const chatList = async () => JSON.stringify(only(await assistant.handle(head, { verb: 'cases.mine' }), 'case-list'));

    // Pseudonymous by default.
    expect(await chatList()).not.toContain(NAME);
    await expect(store.displayNames.load(head, SCHOOL, names)).rejects.toThrow(/has not chosen to hold display names/);
    await store.displayNames.choose(head, SCHOOL, true);
    await store.displayNames.load(head, SCHOOL, names);

    // The chat: the case list and the case's status, for the head who asked.
    expect(await chatList()).toContain(`${NAME} (${peap.pupilId})`);
    const status = only(await assistant.handle(head, { verb: 'case.status', caseId: peap.id }), 'case-status');
    expect(status.case.title).toContain(`${NAME} (${peap.pupilId})`);
    // A prompt is built by the system, once for every channel and recipient: no name.
    expect(JSON.stringify(await assistant.prompt(peap.id))).not.toContain(NAME);

    // The workspace: the head's list and the case page, and the inclusion officer who covers the school.
    const lines: string[] = [];
    for (const staffId of ['demo-head', 'demo-officer']) {
      const browser = await workspace(store, lines);
      await signedIn(browser, staffId);
      expect((await browser.get('/workspace/cases')).text).toContain(`${NAME} (${peap.pupilId})`);
      expect((await browser.get(`/workspace/cases/${peap.id}`)).text).toContain(`${NAME} (${peap.pupilId})`);
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('\n')).not.toContain(NAME);
    // Never in the audit trail: that names were set, as a count.
    const rows = await store.audit.entriesOf('display-names-set');
    expect(rows.map((r) => r.data)).toEqual([expect.objectContaining({ schoolId: SCHOOL, named: 1 })]);
    expect(JSON.stringify(rows)).not.toContain(NAME);

    // Opting out removes the names held.
    expect(await store.displayNames.choose(head, SCHOOL, false)).toEqual({ removed: 1 });
    expect(await chatList()).not.toContain(NAME);
    const browser = await workspace(store, lines);
    await signedIn(browser, 'demo-head');
    expect((await browser.get('/workspace/cases')).text).not.toContain(NAME);
  });
});
