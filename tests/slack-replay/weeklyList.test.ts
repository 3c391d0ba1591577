/**
 * The week's list for the team around the school in Slack: the service as `pnpm start` runs it with
 * Slack configured (a fake Slack Web API on loopback) and the demo school, its clock set by the
 * test to Monday 23 March 2026 before eight and then moved past TATS_WEEKLY_AT. The demo head and
 * the demo inclusion officer each get the list as exactly one direct message with blocks — a
 * header, the counts, a section for each pupil, the link — and nothing before the meeting's time.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeSlackApi, type FakeSlackApi, type SlackCall } from '../support/fakeSlackApi.js';
import { dataDir, root, startService, type ServiceProcess } from '../support/serviceProcess.js';
import { SIGNING_SECRET } from '../support/slackRequests.js';
import { serviceDatabase } from '../support/stores.js';

const WEEK = '2026-03-23';
const shiftedClock = pathToFileURL(join(root, 'tests/support/shiftedClock.mjs')).href;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let slack: FakeSlackApi;
let service: ServiceProcess;
let clockFile = '';
const setClock = (iso: string) => writeFileSync(clockFile, String(Date.parse(iso) - Date.now()));

/** The weekly lists posted: chat.postMessage calls whose first block is the list's header. */
const weeklyMessages = (): SlackCall[] =>
  slack.calls.filter((c) => c.method === 'chat.postMessage' && Array.isArray(c.args.blocks) && String(c.args.blocks[0]?.text?.text ?? '').startsWith('Team around the school'));

beforeAll(async () => {
  slack = await startFakeSlackApi();
  const dir = dataDir('weekly-slack-');
  clockFile = join(dir, 'clock');
  setClock(`${WEEK}T07:50:00Z`);
  const db = await serviceDatabase('sqlite', dir, 'weekly-slack');
  service = await startService(
    dir,
    { ...db.env, DEMO: 'on', SCHOOL_DATE: WEEK, TATS_WEEKLY_AT: 'Monday 08:00', TEST_CLOCK_FILE: clockFile, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.url, SLACK_ALLOWED_TEAMS: 'T0DEMO' },
    ['--import', shiftedClock],
  );
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await slack?.close();
});

it('sends the head and the officer the list as one direct message each, with blocks, once the meeting time comes', async () => {
  await sleep(2_000); // four ticks before eight: nothing
  expect(weeklyMessages()).toEqual([]);

  setClock(`${WEEK}T08:00:05Z`);
  await expect.poll(() => weeklyMessages().length, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
  await sleep(1_500); // and nothing more comes
  const messages = weeklyMessages();
  // Each to the person's own direct message (the fake opens D-<user> for them), once.
  expect(messages.map((m) => m.args.channel).sort()).toEqual(['D-U0DEMOHEAD', 'D-U0DEMOOFFICER']);

  for (const m of messages) {
    const blocks = m.args.blocks as { type: string; block_id?: string; text?: { text: string }; elements?: { text: string }[] }[];
    expect(blocks.length).toBeLessThanOrEqual(50);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'Team around the school · Demo Academy (fictional) · week of Monday 23 Mar 2026' } });
    expect(blocks[1]!.elements![0]!.text).toMatch(/^\d+ on the list: \d+ new, \d+ changed; \d+ off it since Monday 16 Mar 2026$/);
    const pupils = blocks.filter((b) => b.block_id?.startsWith('weekly-list-pupil-'));
    expect(pupils.length).toBeGreaterThan(0);
    // Each pupil's section opens with their id, and gives why they are on the list; ids only, never a name.
    for (const p of pupils) expect(p.text!.text.split('\n')[0]).toContain(`*${p.block_id!.slice('weekly-list-pupil-'.length)}*`);
    // The notification's words say what it is.
    expect(m.args.text).toMatch(/^Team around the school · Demo Academy \(fictional\) · week of Monday 23 Mar 2026: \d+ on the list/);
  }
  // The same list for both.
  expect(messages[0]!.args.blocks).toEqual(messages[1]!.args.blocks);
  if (process.env.SHOW_WEEKLY_LIST) console.log(JSON.stringify(messages[0]!.args.blocks, null, 1));
});
