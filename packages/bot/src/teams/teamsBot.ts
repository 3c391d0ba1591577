/**
 * The Teams channel: a teams-ai `Application` on a `TeamsAdapter`. It maps the Teams user (their
 * Azure AD object id) to a member of staff, turns messages and card buttons into the assistant's
 * commands, and renders its replies as Adaptive Cards. The only module that imports teams-ai.
 *
 * With a Microsoft App ID configured, botbuilder refuses requests without a valid Bot Framework
 * token (401). The token does not prove the user's tenant, so the tenant allow-list is checked here.
 */
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { ActivityTypes, CardFactory, MessageFactory, TurnContext, type Activity, type ConversationReference, type Request, type Response } from 'botbuilder';
import { StoreBusy, type Actor, type CaseStore } from '@before-exclusion/workflows';
import { PERSONAL_CHAT_ONLY_REPLY, STORE_BUSY_REPLY, UNKNOWN_USER_REPLY, type Assistant } from '../conversation/assistant.js';
import { RecipientUnreachable, type Channel } from '../conversation/channel.js';
import { parseAction, parseText, VERBS, type Command } from '../conversation/commands.js';
import type { Reply } from '../conversation/replies.js';
import type { Logger } from '../service/log.js';
import { errorText } from '../service/log.js';
import { receiptCard, replyCard, type AdaptiveCard } from './cards.js';

/** The longest one send to Teams may take unless configured (SEND_TIMEOUT_SECONDS). */
const DEFAULT_SEND_TIMEOUT_MS = 10_000;

export interface TeamsSettings {
  /** The longest a message may take to send, in a turn or unprompted (ms). Default 10 s. */
  readonly sendTimeoutMs?: number;
  readonly appId?: string | undefined;
  readonly appPassword?: string | undefined;
  readonly appType?: string | undefined;
  readonly appTenantId?: string | undefined;
  /** Tenants allowed to use the bot; empty = any. */
  readonly allowedTenants: readonly string[];
}

export interface TeamsBot extends Channel {
  /** Handles `POST /api/messages`. */
  process(req: Request, res: Response): Promise<void>;
}

/** Called when a member of staff is first seen in a channel, so messages waiting for them go now. */
export type OnReachable = (staffId: string) => void;

/** What sending unprompted needs of an adapter (botbuilder's `TestAdapter` lacks it; tests subclass it). */
export interface ProactiveAdapter {
  continueConversationAsync(botAppId: string, reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void>;
}

/** The Teams channel served over HTTP by a `TeamsAdapter`. */
export function createTeamsBot(store: CaseStore, assistant: Assistant, settings: TeamsSettings, log: Logger, onReachable: OnReachable = () => {}): TeamsBot {
  const adapter = new TeamsAdapter({
    MicrosoftAppId: settings.appId ?? '',
    MicrosoftAppPassword: settings.appPassword ?? '',
    MicrosoftAppType: settings.appType ?? 'MultiTenant',
    MicrosoftAppTenantId: settings.appTenantId ?? '',
  });
  const app = createTeamsApplication(store, assistant, log, onReachable, adapter);
  const sendTimeoutMs = settings.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const allowed = (activity: Partial<Activity>): boolean => {
    if (settings.allowedTenants.length === 0) return true;
    const tenant = activity.conversation?.tenantId ?? (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    return tenant !== undefined && settings.allowedTenants.includes(tenant);
  };
  return {
    ...teamsSender(store, adapter, settings.appId ?? '', settings.sendTimeoutMs),
    async process(req, res) {
      const body: unknown = req.body;
      const type = body && typeof body === 'object' ? (body as { type?: unknown }).type : undefined;
      if (typeof type !== 'string' || type === '') return refuse(res, 400);
      const turn = { started: false };
      await adapter.process(req, refusalsFixed(res, turn, log), async (context) => {
        turn.started = true;
        // A reply in the turn is bounded like a send unprompted: a connector that hangs ends the
        // turn (what it recorded is saved; the reply is lost) instead of holding it for ever.
        context.onSendActivities((_context, _activities, next) => withinTimeout(next(), sendTimeoutMs));
        context.onUpdateActivity((_context, _activity, next) => withinTimeout(next(), sendTimeoutMs));
        if (!allowed(context.activity)) {
          log.warn('teams: ignored a tenant not on the allow-list', { channel: 'teams' });
          return;
        }
        await app.run(context);
      });
    },
  };
}

/** The whole body of each refusal: botbuilder's own would quote its error (an internal URL, a DNS failure). */
const REFUSALS: Readonly<Record<number, string>> = { 400: 'an activity with a type is expected', 401: 'unauthorized', 405: 'POST only', 500: 'the request failed' };

function refuse(res: Response, status: number): void {
  res.status(status);
  res.header('Content-Type', 'application/json; charset=utf-8');
  res.header('Cache-Control', 'no-store');
  res.send(JSON.stringify({ error: REFUSALS[status] ?? 'refused' }));
  res.end();
}

/**
 * `res` for botbuilder, with every refusal's body fixed. A failure before the turn began is the
 * token's (a forged key, alg none, Microsoft's keys out of reach — botbuilder says 500 for some):
 * 401. A failure in a turn stays 500.
 */
function refusalsFixed(res: Response, turn: { readonly started: boolean }, log: Logger): Response {
  let refused: number | undefined;
  const statusOf = (code: number) => (code < 400 || code === 400 || code === 405 ? code : turn.started ? (code === 401 ? 401 : 500) : 401);
  return {
    socket: res.socket,
    header: (name, value) => res.header(name, value),
    status(code) {
      const status = statusOf(code);
      if (status >= 400) {
        refused = status;
        log.warn('teams: request refused', { channel: 'teams', status });
        return;
      }
      return res.status(status);
    },
    send: (...args) => (refused === undefined ? res.send(...args) : undefined),
    end: (...args) => (refused === undefined ? res.end(...args) : refuse(res, refused)),
  };
}

/**
 * Sending to staff unprompted, at the conversation reference stored when they were last seen.
 * A send not answered within `timeoutMs` is abandoned and throws (the outbox retries it later):
 * botbuilder's connector client has no timeout of its own.
 */
export function teamsSender(store: CaseStore, adapter: ProactiveAdapter, appId: string, timeoutMs = DEFAULT_SEND_TIMEOUT_MS): Channel {
  return {
    name: 'teams',
    async canReach(staffId) {
      return (await store.staff.addressOf(staffId, 'teams')) !== undefined;
    },
    async send(staffId, replies) {
      const reference = await store.staff.addressOf<Partial<ConversationReference>>(staffId, 'teams');
      if (!reference) throw new Error(`${staffId} has not been seen in Teams yet`);
      await withinTimeout(
        adapter.continueConversationAsync(appId, reference, async (context) => {
          await context.sendActivity(cardMessage(replies));
        }),
        timeoutMs,
      ).catch((error: unknown) => {
        // 403 (they removed the app, or blocked it) and 404 (no such conversation) are theirs alone.
        const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
        throw status === 403 || status === 404 ? new RecipientUnreachable('teams', `Teams answered ${status}`) : error;
      });
    },
  };
}

/** `call`, abandoned (and thrown) when Teams has not answered within `timeoutMs`. */
async function withinTimeout<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Teams did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([call, timedOut]).finally(() => clearTimeout(timer));
}

/**
 * The teams-ai application: every route, whatever adapter runs it (the HTTP `TeamsAdapter`, or
 * botbuilder's `TestAdapter` in tests).
 */
export function createTeamsApplication(store: CaseStore, assistant: Assistant, log: Logger, onReachable: OnReachable = () => {}, adapter?: TeamsAdapter): Application {
  const app = new Application({ ...(adapter ? { adapter } : {}), removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });

  /** The member of staff behind a turn; remembers how to reach them for prompts. */
  const staffOf = async (context: TurnContext): Promise<Actor | undefined> => {
    const aad = context.activity.from?.aadObjectId;
    const actor = aad ? await store.staff.byTeamsId(aad) : undefined;
    if (actor && isPersonal(context.activity)) {
      // Without the message's own id the reference stays the same turn after turn (so it is not rewritten),
      // and a prompt sent to it starts a new message rather than replying to an old one.
      const { activityId: _message, ...reference } = TurnContext.getConversationReference(context.activity);
      if (await store.staff.setAddress(actor.id, 'teams', reference)) onReachable(actor.id);
    }
    return actor;
  };

  const answer = async (context: TurnContext, command: Command | undefined, typed?: string): Promise<Reply[]> => {
    // Nothing about a pupil in a channel or group chat: there, whatever is asked or pressed, the bot says where to ask.
    if (!isPersonal(context.activity)) {
      log.info('teams: refused outside a personal chat', { channel: 'teams', verb: command?.verb ?? 'unknown-text' });
      return [PERSONAL_CHAT_ONLY_REPLY];
    }
    const actor = await staffOf(context);
    if (!actor) {
      log.info('teams: refused an unknown user', { channel: 'teams' });
      return [UNKNOWN_USER_REPLY];
    }
    const started = Date.now();
    const replies = command ? await assistant.handle(actor, command) : assistant.notUnderstood(typed ?? '');
    log.info('teams: turn', { channel: 'teams', staffId: actor.id, verb: command?.verb ?? 'unknown-text', ms: Date.now() - started });
    return replies;
  };

  const actionCommand = (data: Record<string, unknown>): Command | Reply[] => {
    const parsed = parseAction(data);
    return 'error' in parsed ? [{ type: 'message', tone: 'error', text: parsed.error }] : parsed.command;
  };

  app.conversationUpdate('membersAdded', async (context) => {
    const botAdded = (context.activity.membersAdded ?? []).some((m) => m.id === context.activity.recipient.id);
    if (!botAdded) return;
    const actor = await staffOf(context);
    if (actor) await context.sendActivity(cardMessage(isPersonal(context.activity) ? await assistant.handle(actor, { verb: 'help' }) : [PERSONAL_CHAT_ONLY_REPLY]));
  });

  // Universal Actions: the reply replaces the pressed card.
  app.adaptiveCards.actionExecute<Record<string, unknown>>([...VERBS], async (context, _state, data) => {
    const command = actionCommand(data);
    return replyCard(Array.isArray(command) ? command : await answer(context, command));
  });

  // The fallback: the pressed card becomes a receipt (so it cannot be pressed again) and the reply follows.
  app.adaptiveCards.actionSubmit<Record<string, unknown>>([...VERBS], async (context, _state, data) => {
    const command = actionCommand(data);
    const replies = Array.isArray(command) ? command : await answer(context, command);
    if (context.activity.replyToId) {
      await context.updateActivity({ ...MessageFactory.attachment(CardFactory.adaptiveCard(receiptCard('Done — see below.'))), id: context.activity.replyToId }).catch(() => undefined);
    }
    await context.sendActivity(cardMessage(replies));
  });

  app.activity(ActivityTypes.Message, async (context) => {
    const typed = (context.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim();
    const command = parseText(typed);
    await context.sendActivity(cardMessage(await answer(context, command, typed)));
  });

  app.error(async (context, error) => {
    log.error('teams: turn failed', { channel: 'teams', error: errorText(error) });
    // A busy store outside the assistant (remembering where to reach someone) is said as such too.
    const reply = error instanceof StoreBusy ? cardMessage([STORE_BUSY_REPLY]) : 'Sorry — something went wrong on our side. Your saved answers are safe; please try again.';
    await context.sendActivity(reply).catch(() => undefined);
  });

  return app;
}

function cardMessage(replies: readonly Reply[]): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(replyCard(replies) satisfies AdaptiveCard));
}

/** A one-to-one chat with the bot (Teams says "personal"; Agents Playground and the emulator say nothing, and are not groups). */
function isPersonal(activity: Partial<Activity>): boolean {
  const type = activity.conversation?.conversationType;
  return type === 'personal' || (type === undefined && activity.conversation?.isGroup !== true);
}

