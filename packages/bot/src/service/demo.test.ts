/**
 * The fictional demo school as `startService` loads it: unasked only for a local trial. In
 * production an empty database stays empty — no fictional pupils in a real, append-only audit
 * log — and the service works on the date in England; a local trial gets the demo school and
 * works on the demo's date.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_SCHOOL, DEMO_SCHOOL_DATE, englishDate } from '@before-exclusion/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import type { Logger } from './log.js';
import { startService, type RunningService } from './service.js';

const APP_ID = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

const running: RunningService[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
});

/** The service on an empty SQLite store with these settings; its log lines. */
async function start(env: Record<string, string>): Promise<{ service: RunningService; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-demo-'));
  const lines: string[] = [];
  const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
  const log: Logger = { debug: write, info: write, warn: write, error: write };
  const service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', CASES_DB: join(dir, 'cases.db'), AUDIT_ANCHOR_KEY: 'test-anchor-key-0123456789', TATS_WEEKLY_AT: 'off', ...env }), log);
  running.push(service);
  return { service, lines };
}

async function schoolDateOf(service: RunningService): Promise<unknown> {
  const health = (await (await fetch(`${service.url}/healthz`)).json()) as { schoolDate?: unknown };
  return health.schoolDate;
}

describe('the demo school', () => {
  it('is not loaded in production without DEMO=on: the database stays empty and today is the date in England', async () => {
    const { service, lines } = await start({ NODE_ENV: 'production', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', WORKSPACE_SESSION_SECRET: 'x'.repeat(32) });
    expect(await service.store.staff.schools()).toEqual([]);
    expect(await schoolDateOf(service)).toBe(englishDate(new Date()));
    expect(lines.some((l) => l.includes('demo: not loaded (NODE_ENV is production)'))).toBe(true);
    expect(lines.some((l) => l.includes('Demo Academy'))).toBe(false);
  });

  it('is loaded for a local trial with no settings, which then works on the demo date', async () => {
    const { service, lines } = await start({});
    expect(await service.store.staff.schools()).toEqual([expect.objectContaining({ id: DEMO_SCHOOL.id })]);
    expect(await schoolDateOf(service)).toBe(DEMO_SCHOOL_DATE);
    expect(lines.some((l) => l.includes(`working on school date ${DEMO_SCHOOL_DATE} (the demo school's)`))).toBe(true);
  });

  it('is loaded in production when asked for with DEMO=on, with a warning in the log', async () => {
    const { service, lines } = await start({ NODE_ENV: 'production', DEMO: 'on', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', WORKSPACE_SESSION_SECRET: 'x'.repeat(32) });
    expect((await service.store.staff.schools()).map((s) => s.id)).toEqual([DEMO_SCHOOL.id]);
    expect(lines.some((l) => l.includes('demo: loaded in production because DEMO=on'))).toBe(true);
  });
});
