/**
 * The Slack manifest a workspace admin pastes must match the service: the endpoints Bolt is
 * mounted on, the `/peap` command it handles, the events it listens to, and only the scopes used.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLACK_PATHS } from './slackApp.js';

const manifest = parse(readFileSync(new URL('../../slack/manifest.yaml', import.meta.url), 'utf8'));

describe('the Slack app manifest', () => {
  it("points Slack's requests at the service's endpoints", () => {
    const path = (url: string) => new URL(url).pathname;
    expect(path(manifest.settings.event_subscriptions.request_url)).toBe(SLACK_PATHS.events);
    expect(path(manifest.settings.interactivity.request_url)).toBe(SLACK_PATHS.interactivity);
    expect(manifest.features.slash_commands.map((c: { command: string; url: string }) => [c.command, path(c.url)])).toEqual([['/peap', SLACK_PATHS.commands]]);
  });

  it('subscribes to the events the app handles, with the scopes those need and no more, over HTTP (not Socket Mode)', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'message.im']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(['chat:write', 'commands', 'im:history', 'im:write']);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });
});
