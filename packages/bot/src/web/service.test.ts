/**
 * The service around the workspace, over HTTP: `startService` as `pnpm start` runs it (an empty
 * SQLite store in a temporary folder, no demo, a free port on 127.0.0.1) — what it sends when a
 * request fails before any route answers, and when it takes the workspace to be reached over HTTPS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../service/config.js';
import type { Logger } from '../service/log.js';
import { startService, type RunningService } from '../service/service.js';

const running: RunningService[] = [];
afterEach(async () => {
  for (const service of running.splice(0)) await service.close();
});

/** The service with these settings added to an empty store's; its log lines, as JSON. */
async function start(env: Record<string, string> = {}): Promise<{ service: RunningService; lines: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'bot-service-'));
  const lines: string[] = [];
  const write = (m: string, f?: object) => lines.push(JSON.stringify({ m, ...f }));
  const log: Logger = { debug: write, info: write, warn: write, error: write };
  const service = await startService(loadConfig({ PORT: '0', HOST: '127.0.0.1', CASES_DB: join(dir, 'cases.db'), DEMO: 'off', TATS_WEEKLY_AT: 'off', ...env }), log);
  running.push(service);
  return { service, lines };
}

describe('the service over HTTP', () => {
  it('answers a request body it cannot read with the bare status: no message, no stack trace; the log says what kind of error, not what was sent', async () => {
    const { service, lines } = await start();
    const bad = await fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad "DEMO-009" secret' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('');
    expect(bad.headers.get('content-type')).toBeNull();
    const huge = await fetch(`${service.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'x'.repeat(1_100_000) }) });
    expect(huge.status).toBe(413);
    expect(await huge.text()).toBe('');
    const refused = lines.filter((l) => l.includes('request refused')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refused).toEqual([
      { m: 'request refused', channel: 'http', status: 400, error: 'entity.parse.failed' },
      { m: 'request refused', channel: 'http', status: 413, error: 'entity.too.large' },
    ]);
    for (const line of lines) expect(line).not.toMatch(/DEMO-009|secret|\{bad/);
  });

  it('takes an https WORKSPACE_URL to mean HTTPS — HSTS, upgrade-insecure-requests, Secure cookies — outside production too; plain http does not', async () => {
    const { service } = await start({ WORKSPACE_URL: 'https://bx.example.org/workspace' });
    const page = await fetch(`${service.url}/workspace/sign-in`, { redirect: 'manual' });
    expect(page.headers.get('strict-transport-security')).toMatch(/max-age=31536000/);
    expect(page.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    const cookies = page.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/; secure/i);
    expect(cookies.some((c) => c.startsWith('__Secure-workspace.csrf='))).toBe(true);

    const { service: plain } = await start({ WORKSPACE_URL: 'http://127.0.0.1:3978/workspace' });
    const local = await fetch(`${plain.url}/workspace/sign-in`, { redirect: 'manual' });
    expect(local.headers.get('strict-transport-security')).toBeNull();
    expect(local.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    for (const cookie of local.headers.getSetCookie()) expect(cookie).not.toMatch(/; secure/i);
  });
});
