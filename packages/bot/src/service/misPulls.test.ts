/**
 * The MIS pulls' settings: production refuses to pull without the deployment's own pupil id key;
 * a trial without one says in the log that its ids protect nothing; a connections file with a
 * missing token names the school and the variable, never a token.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import { join } from 'node:path';
import type { InputError } from '@before-exclusion/rules';
import { DEMO_PUPIL_ID_KEY, loadMisConnections } from '@before-exclusion/workflows';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { misPupilIdKey } from './misPulls.js';

const production = { NODE_ENV: 'production', MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'p', AUDIT_ANCHOR_KEY: 'k', WORKSPACE_SESSION_SECRET: 'x'.repeat(32) };

describe('MIS pull settings', () => {
  it('refuses to start in production with MIS_SCHOOLS_FILE and no PUPIL_ID_KEY, naming the setting', () => {
    const refused = (() => {
      try {
        loadConfig({ ...production, MIS_SCHOOLS_FILE: 'mis.json' });
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([expect.stringMatching(/^PUPIL_ID_KEY is empty: in production pupils pulled from a school's MIS need ids derived with the deployment's own secret/)]);
    expect(loadConfig({ ...production, MIS_SCHOOLS_FILE: 'mis.json', PUPIL_ID_KEY: 'k'.repeat(32) }).MIS_PULL_EVERY_MINUTES).toBe(15);
  });

  it('outside production without a key uses the public demo key and says so in the log', () => {
    const lines: string[] = [];
    expect(misPupilIdKey({}, createLogger('info', (l) => lines.push(l)))).toBe(DEMO_PUPIL_ID_KEY);
    expect(lines.join('\n')).toContain('public demo key');
    expect(misPupilIdKey({ PUPIL_ID_KEY: 'k'.repeat(32) }, createLogger('info', (l) => lines.push(l))).demo).toBe(false);
  });

  it('names the school and the variable when a credential is missing, and never shows one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mis-conn-'));
    const file = join(dir, 'mis.json');
    writeFileSync(
      file,
      JSON.stringify({ schools: [{ schoolId: 'URN-1', system: 'assembly', tokenEnv: 'TOKEN_ONE' }, { schoolId: 'URN-2', system: 'assembly', token: 'secret-token-xyz' }, { schoolId: 'URN-3', system: 'assembly', refreshTokenEnv: 'REFRESH_THREE' }] }),
    );
    const missing = (() => {
      try {
        loadMisConnections(file, { REFRESH_THREE: 'secret-refresh' });
        return undefined;
      } catch (error) {
        return error as InputError;
      }
    })();
    expect(missing?.problems.map((p) => `${p.location} ${p.field}: ${p.message}`)).toEqual([
      'school URN-1 schools.0.tokenEnv: names TOKEN_ONE, which is not set in the environment',
      "school URN-3 schools.2.refreshTokenEnv: a refresh token needs the app's ASSEMBLY_CLIENT_ID in the environment too",
      "school URN-3 schools.2.refreshTokenEnv: a refresh token needs the app's ASSEMBLY_CLIENT_SECRET in the environment too",
    ]);
    const connections = loadMisConnections(file, { TOKEN_ONE: 'secret-token-abc', REFRESH_THREE: 'secret-refresh', ASSEMBLY_CLIENT_ID: 'app', ASSEMBLY_CLIENT_SECRET: 'secret-app' });
    expect(await Promise.all(connections.slice(0, 2).map((c) => c.token.current(1000)))).toEqual(['secret-token-abc', 'secret-token-xyz']);
    expect(connections[2]!.token.renewable).toBe(true);
    expect(`${JSON.stringify(connections)} ${inspect(connections)}`).not.toMatch(/secret/);
  });
});
