/**
 * One notion of today: the service, as `pnpm start` runs it, and the `cases` command, on the same
 * store, work on the same date — the demo's when the store holds the demo school, SCHOOL_DATE
 * when it is set, else the date in England — so a duty is never OVERDUE in one and "next" in the
 * other. The service says its date in `/healthz`; the command in `cases evaluate` ("as of DATE").
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { englishDate } from '../../packages/workflows/dist/index.js';
import { dataDir, root, SERVICE_ANCHOR_KEY, startService } from '../support/serviceProcess.js';

const bin = join(root, 'packages/workflows/dist/cli.js');

/**
 * The service's today on the store in a fresh folder (then stopped), and the command's after it,
 * with the same settings — in the environment, and in a .env file in the folder if given.
 */
async function todays(env: Record<string, string>, dotenv?: string): Promise<{ service: unknown; cli: string | undefined }> {
  const dir = dataDir('today-');
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  const service = await startService(dir, env);
  let health: { schoolDate?: unknown };
  try {
    health = (await (await fetch(`${service.url}/healthz`)).json()) as { schoolDate?: unknown };
  } finally {
    await service.stop();
  }
  const cliEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', AUDIT_ANCHOR_KEY: SERVICE_ANCHOR_KEY, ...(env.SCHOOL_DATE ? { SCHOOL_DATE: env.SCHOOL_DATE } : {}) };
  const run = spawnSync(process.execPath, [bin, '--db', join(dir, 'cases.db'), 'evaluate'], { cwd: dir, encoding: 'utf8', env: cliEnv });
  expect(run.stderr).toBe('');
  return { service: health.schoolDate, cli: /as of (\d{4}-\d\d-\d\d)/.exec(run.stdout)?.[1] };
}

describe('today, in the service and the cases command', () => {
  it('is the demo school\'s date for both on a store holding the demo', async () => {
    expect(await todays({ DEMO: 'on' })).toEqual({ service: '2026-03-20', cli: '2026-03-20' });
  });

  it('is SCHOOL_DATE for both when it is set, demo or not', async () => {
    expect(await todays({ DEMO: 'on', SCHOOL_DATE: '2026-01-15' })).toEqual({ service: '2026-01-15', cli: '2026-01-15' });
    expect(await todays({ DEMO: 'off', SCHOOL_DATE: '2025-11-03' })).toEqual({ service: '2025-11-03', cli: '2025-11-03' });
  });

  it('is SCHOOL_DATE for both when the .env file in the working directory sets it', async () => {
    expect(await todays({ DEMO: 'on' }, 'SCHOOL_DATE=2026-02-02\n')).toEqual({ service: '2026-02-02', cli: '2026-02-02' });
  });

  it('is the date in England for both on a store without the demo school', async () => {
    const { service, cli } = await todays({ DEMO: 'off' });
    expect(service).toBe(cli);
    expect([englishDate(new Date(Date.now() - 60_000)), englishDate(new Date())]).toContain(cli);
  });
});
