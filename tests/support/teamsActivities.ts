/**
 * Teams activities in the shapes Microsoft documents for a bot in a personal chat
 * (MicrosoftDocs/msteams-docs: conversation-messages, subscribe-to-conversation-events,
 * universal-actions-for-adaptive-cards), and helpers to read and answer the bot's cards.
 */
import { randomUUID } from 'node:crypto';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:c9e8c047-2a74-40a2-b28a-b162d5f5327c', name: 'Before Exclusion' };

export interface TeamsUser {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly tenantId?: string;
}

function envelope(user: TeamsUser, serviceUrl: string, conversationId: string) {
  const tenantId = user.tenantId ?? TENANT;
  return {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { conversationType: 'personal', tenantId, id: conversationId },
    recipient: BOT,
    entities: [{ locale: 'en-GB', country: 'GB', platform: 'Web', timezone: 'Europe/London', type: 'clientInfo' }],
    channelData: { tenant: { id: tenantId } },
    locale: 'en-GB',
  };
}

export function messageActivity(user: TeamsUser, serviceUrl: string, conversationId: string, text: string) {
  return { ...envelope(user, serviceUrl, conversationId), type: 'message', textFormat: 'plain', text };
}

/** The bot installed in a personal scope: both the user and the bot are added. */
export function installActivity(user: TeamsUser, serviceUrl: string, conversationId: string) {
  return { ...envelope(user, serviceUrl, conversationId), type: 'conversationUpdate', membersAdded: [{ id: user.id, aadObjectId: user.aadObjectId }, { id: BOT.id }], channelData: { tenant: { id: user.tenantId ?? TENANT }, eventType: 'teamMemberAdded' } };
}

/** A Universal Actions button press (`Action.Execute`): an `adaptiveCard/action` invoke. */
export function executeActivity(user: TeamsUser, serviceUrl: string, conversationId: string, replyToId: string, verb: string, data: Record<string, unknown>) {
  return {
    ...envelope(user, serviceUrl, conversationId),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', id: randomUUID(), verb, data }, trigger: 'manual' },
  };
}

/** The `Action.Submit` fallback: a message carrying the button's data and the card's inputs as its value. */
export function submitActivity(user: TeamsUser, serviceUrl: string, conversationId: string, replyToId: string, data: Record<string, unknown>) {
  return { ...envelope(user, serviceUrl, conversationId), type: 'message', replyToId, value: data };
}

type CardElement = { type?: string; [k: string]: unknown };

/** The Adaptive Card of a sent activity, or of an invoke response body. */
export function cardOf(activity: { attachments?: { contentType: string; content: unknown }[] } | { value?: unknown }): CardElement {
  if ('attachments' in activity && activity.attachments?.[0]) return activity.attachments[0].content as CardElement;
  if ('value' in activity && activity.value) return activity.value as CardElement;
  throw new Error(`no card in ${JSON.stringify(activity).slice(0, 300)}`);
}

/** Every element of a card, depth first. */
export function elements(card: CardElement): CardElement[] {
  const out: CardElement[] = [];
  const walk = (e: unknown) => {
    if (Array.isArray(e)) e.forEach(walk);
    else if (e && typeof e === 'object') {
      out.push(e as CardElement);
      for (const v of Object.values(e)) if (typeof v === 'object') walk(v);
    }
  };
  walk(card);
  return out;
}

/** All the text a person would read on a card. */
export function cardText(card: CardElement): string {
  return elements(card)
    .filter((e) => e.type === 'TextBlock')
    .map((e) => String(e.text))
    .join('\n');
}

/** The data of the first `Action.Execute` with this verb. */
export function actionData(card: CardElement, verb: string): Record<string, unknown> {
  const action = elements(card).find((e) => e.type === 'Action.Execute' && e.verb === verb);
  if (!action) throw new Error(`no ${verb} button on the card:\n${cardText(card)}`);
  return action.data as Record<string, unknown>;
}

/** A valid answer to the question card: the pre-filled value (confirming it), or a made-up one. */
export function answerFor(card: CardElement, made = 'An answer given in the test'): string {
  const input = elements(card).find((e) => e.id === 'answer');
  if (!input) throw new Error(`no answer input on the card:\n${cardText(card)}`);
  const value = typeof input.value === 'string' ? input.value : '';
  switch (input.type) {
    case 'Input.Date':
      return value || '2026-03-25';
    case 'Input.ChoiceSet':
      return value || String((input.choices as { value: string }[])[0]!.value);
    default:
      return value || made;
  }
}
