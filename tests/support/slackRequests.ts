/**
 * Slack's requests as Slack sends them: form-encoded slash commands and interaction payloads,
 * JSON events — each signed with the signing secret (HMAC-SHA256 over `v0:{timestamp}:{body}`).
 */
import { createHmac } from 'node:crypto';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const DEMO_TEAM = 'T0DEMO';
export const DEMO_HEAD = 'U0DEMOHEAD';

export interface SlackResponse {
  readonly status: number;
  readonly body: any;
}

/** Posts a signed request; `secret` and `timestamp` can be changed to forge or age it. */
export async function signedPost(url: string, body: string, contentType: string, options: { secret?: string; timestamp?: number } = {}): Promise<SlackResponse> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', options.secret ?? SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // plain text
  }
  return { status: res.status, body: parsed };
}

/** `/peap TEXT` typed in the app's DM, or in the channel `options.channelId` names. */
export function slashCommand(serviceUrl: string, text: string, user = DEMO_HEAD, team = DEMO_TEAM, options: { secret?: string; timestamp?: number; channelId?: string } = {}) {
  const body = new URLSearchParams({ command: '/peap', text, user_id: user, team_id: team, trigger_id: `trigger-${Date.now()}`, response_url: 'https://hooks.slack.invalid/commands/1', channel_id: options.channelId ?? 'D0DEMO', user_name: 'demo.head', api_app_id: 'A0DEMO', token: 'legacy' }).toString();
  return signedPost(`${serviceUrl}/slack/commands`, body, 'application/x-www-form-urlencoded', options);
}

export function interaction(serviceUrl: string, payload: Record<string, unknown>, options = {}) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return signedPost(`${serviceUrl}/slack/interactivity`, body, 'application/x-www-form-urlencoded', options);
}

/** A modal submitted, with the values a person entered. */
export function viewSubmission(view: Record<string, any>, values: Record<string, Record<string, unknown>>, user = DEMO_HEAD, team = DEMO_TEAM) {
  return {
    type: 'view_submission',
    team: { id: team, domain: 'demo' },
    user: { id: user, team_id: team, name: 'demo.head' },
    api_app_id: 'A0DEMO',
    trigger_id: `trigger-${Date.now()}`,
    view: { id: 'V-fake', hash: 'h1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values } },
  };
}

/** A button pressed in a message or the Home tab. */
export function blockAction(value: Record<string, unknown>, user = DEMO_HEAD, team = DEMO_TEAM) {
  return {
    type: 'block_actions',
    team: { id: team, domain: 'demo' },
    user: { id: user, team_id: team, name: 'demo.head' },
    api_app_id: 'A0DEMO',
    trigger_id: `trigger-${Date.now()}`,
    container: { type: 'view', view_id: 'V-home' },
    actions: [{ type: 'button', action_id: `${value.verb}#1`, block_id: 'b1', value: JSON.stringify(value), action_ts: `${Date.now() / 1000}` }],
  };
}

/** The answer a person would give to the question modal: confirm what is pre-filled, or enter something. */
export function answerState(view: Record<string, any>, made = 'An answer given in Slack'): Record<string, Record<string, unknown>> {
  const input = view.blocks.find((b: any) => b.block_id === 'answer');
  if (!input) throw new Error(`no answer input in the view: ${JSON.stringify(view).slice(0, 300)}`);
  const e = input.element;
  switch (e.type) {
    case 'datepicker':
      return { answer: { value: { type: 'datepicker', selected_date: e.initial_date ?? '2026-03-25' } } };
    case 'radio_buttons':
      return { answer: { value: { type: 'radio_buttons', selected_option: e.initial_option ?? e.options[0] } } };
    case 'checkboxes':
      return { answer: { value: { type: 'checkboxes', selected_options: e.initial_options ?? [e.options[1]] } } };
    default:
      return { answer: { value: { type: 'plain_text_input', value: e.initial_value ?? made } } };
  }
}

/** All the text in a view or message blocks. */
export function blocksText(blocks: any[]): string {
  return JSON.stringify(blocks)
    .match(/"text":"((?:[^"\\]|\\.)*)"/g)!
    .map((m) => JSON.parse(m.slice(7)))
    .join('\n');
}
