/**
 * The service's settings: defaults that run a local trial, and a clear refusal — naming each
 * setting and what is accepted — for what it cannot safely start with.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, isLocalMode, loadConfig } from './config.js';

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('settings', () => {
  it('runs a local trial with no settings at all: loopback, the demo, no authentication', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3978, HOST: '127.0.0.1', CASES_DB: 'data/cases.db', DEMO: 'on', TEAMS_ALLOWED_TENANTS: [] });
    expect(isLocalMode(config)).toBe(true);
  });

  it('refuses production without a Microsoft App ID or an audit anchor key, even with Slack configured', () => {
    const found = problems({ NODE_ENV: 'production', SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(found).toEqual([expect.stringMatching(/^MicrosoftAppId is empty: in production/), expect.stringMatching(/^AUDIT_ANCHOR_KEY is empty/)]);
  });

  it('names each bad setting and what is accepted', () => {
    const found = problems({ PORT: 'eighty', DEMO: 'maybe', SCHOOL_DATE: '20/03/2026', MicrosoftAppId: 'abc', SLACK_BOT_TOKEN: 'xoxb-1' });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT: expected a/),
        expect.stringMatching(/^DEMO: expected on or off/),
        expect.stringMatching(/^SCHOOL_DATE: expected a date written YYYY-MM-DD/),
      ]),
    );
  });

  it('reads lists and Slack settings as pairs', () => {
    expect(loadConfig({ TEAMS_ALLOWED_TENANTS: ' t1, t2 ,,' }).TEAMS_ALLOWED_TENANTS).toEqual(['t1', 't2']);
    expect(problems({ MicrosoftAppId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' })).toEqual([expect.stringMatching(/^MicrosoftAppPassword is needed/)]);
    expect(problems({ SLACK_SIGNING_SECRET: 'secret' })).toEqual(['SLACK_BOT_TOKEN is needed too: Slack needs both SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN']);
  });
});
