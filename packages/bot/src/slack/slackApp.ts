/**
 * The Slack channel: a Bolt app on its HTTP receiver, mounted in the service's express app at
 * `/slack/events` (events), `/slack/commands` (`/peap`) and `/slack/interactivity` (buttons and
 * modals). Every request's size, signature, timestamp and novelty are checked before Bolt sees it
 * (requestGuard.ts: 413 or 401), and again by Bolt. Slack users
 * map to staff by workspace and user id; anyone else, or another workspace, is refused politely.
 * The only module that imports Bolt; it speaks through the same conversation core as Teams.
 */
import { App, ExpressReceiver, LogLevel, webApi } from '@slack/bolt';
import type { Actor, CaseStore } from '@before-exclusion/workflows';
import type { Application } from 'express';
import { PERSONAL_CHAT_ONLY_REPLY, UNKNOWN_USER_REPLY, type Assistant } from '../conversation/assistant.js';
import { RecipientUnreachable, type Channel } from '../conversation/channel.js';
import { parseAction, parseText, type Command } from '../conversation/commands.js';
import type { Reply } from '../conversation/replies.js';
import { errorText, type Logger } from '../service/log.js';
import { slackRequestGuard } from './requestGuard.js';
import { errorBlock, fallbackText, formErrors, inputValue, messageBlocks, modalView, VIEWS, type ModalView, type SlackInputState } from './blocks.js';

export interface SlackSettings {
  readonly signingSecret: string;
  readonly botToken: string;
  /** Workspaces (team ids) allowed; empty = any whose users are on the staff list. */
  readonly allowedTeams: readonly string[];
  /** Slack's Web API base URL (a test points it at a fake). */
  readonly apiUrl?: string | undefined;
  /** The longest one Web API request may take (ms). Default 10 s. */
  readonly timeoutMs?: number;
}

/** Slack's endpoints in the service. */
export const SLACK_PATHS = { events: '/slack/events', commands: '/slack/commands', interactivity: '/slack/interactivity' } as const;

const MODAL_STEPS: readonly Reply['type'][] = ['question', 'review', 'start-form', 'check-form', 'form'];
const needsModal = (replies: readonly Reply[]) => replies.some((r) => MODAL_STEPS.includes(r.type));

/**
 * Nothing about a pupil is shown where others are: `/peap` typed in a channel or a group DM may
 * open a modal (seen by the person alone) or show the menu, and nothing else — a case, a list of
 * cases or a check is answered only in a direct message. These verbs always answer in a message,
 * so there they are refused before anything is read.
 */
const MESSAGE_ONLY_VERBS: readonly Command['verb'][] = ['case.status', 'cases.mine', 'cases.overview', 'suspension.check'];
/** A slash command's channel is a direct message (Slack's ids for those start with D). */
const isDirectMessage = (channelId: string | undefined) => channelId?.startsWith('D') ?? false;

type ViewState = Record<string, Record<string, SlackInputState>>;

/** Mounts the Slack app on `server` and returns the channel for sending to staff unprompted. */
export function mountSlack(server: Application, store: CaseStore, assistant: Assistant, settings: SlackSettings, log: Logger, onReachable: (staffId: string) => void = () => {}): Channel {
  // Before Bolt's routes: a body limit and the signature, window and replay checks Bolt lacks.
  server.post(Object.values(SLACK_PATHS), ...slackRequestGuard(settings.signingSecret, log, { firstSeen: (signature, until) => store.leases.claimOnce(`slack-request:${signature}`, new Date(until * 1000)) }));
  const receiver = new ExpressReceiver({ signingSecret: settings.signingSecret, endpoints: SLACK_PATHS, app: server, processBeforeResponse: true, logLevel: LogLevel.ERROR });
  const app = new App({
    receiver,
    token: settings.botToken,
    // No auth.test on start: the service starts (and its tests run) without reaching Slack.
    tokenVerificationEnabled: false,
    logLevel: LogLevel.ERROR,
    clientOptions: {
      ...(settings.apiUrl ? { slackApiUrl: settings.apiUrl } : {}),
      // The client's defaults wait forever and retry for ~30 minutes: a hanging Slack would hold
      // every send. Bounded here; the outbox retries later, and the channel's breaker backs off.
      timeout: settings.timeoutMs ?? 10_000,
      retryConfig: { retries: 1, factor: 2, minTimeout: 250, maxTimeout: 1_000 },
      rejectRateLimitedCalls: true,
    },
  });

  const allowedTeam = (teamId: string | undefined) => teamId !== undefined && (settings.allowedTeams.length === 0 || settings.allowedTeams.includes(teamId));
  const staffOf = async (teamId: string | undefined, userId: string | undefined): Promise<Actor | undefined> => {
    if (!allowedTeam(teamId) || !userId) return undefined;
    const actor = await store.staff.bySlackId(teamId!, userId);
    if (actor && (await store.staff.setAddress(actor.id, 'slack', { teamId, userId }))) onReachable(actor.id);
    return actor;
  };
  const run = async (actor: Actor, command: Command | undefined, typed = ''): Promise<Reply[]> => {
    const started = Date.now();
    const replies = command ? await assistant.handle(actor, command) : assistant.notUnderstood(typed);
    log.info('slack: turn', { channel: 'slack', staffId: actor.id, verb: command?.verb ?? 'unknown-text', ms: Date.now() - started });
    return replies;
  };
  const refused = (where: string) => {
    log.info(`slack: refused an unknown user or workspace (${where})`, { channel: 'slack' });
    return [UNKNOWN_USER_REPLY];
  };
  const infoView = (replies: readonly Reply[]): ModalView => ({
    type: 'modal',
    callback_id: VIEWS.info,
    private_metadata: '{}',
    title: { type: 'plain_text', text: 'Before Exclusion' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: messageBlocks(replies),
  });
  const viewFor = (replies: readonly Reply[]) => modalView(replies) ?? infoView(replies);

  /** A DM to a Slack user from the app. */
  const dm = async (userId: string, replies: readonly Reply[]) => {
    try {
      const opened = await app.client.conversations.open({ users: userId });
      const channel = opened.channel?.id;
      if (!channel) throw new Error('Slack did not open a direct message');
      await app.client.chat.postMessage({ channel, text: fallbackText(replies), blocks: messageBlocks(replies) as never });
    } catch (error) {
      const refusal = platformError(error);
      throw refusal && RECIPIENT_ERRORS.has(refusal) ? new RecipientUnreachable('slack', refusal) : error;
    }
  };

  // `/peap …`: the same words as in Teams, with "start" and "check" short for "start peap" and "check suspension".
  app.command('/peap', async ({ command, ack, client }) => {
    const actor = await staffOf(command.team_id, command.user_id);
    if (!actor) return void (await ack({ response_type: 'ephemeral', text: UNKNOWN_USER_REPLY.type === 'message' ? UNKNOWN_USER_REPLY.text : '' }));
    const text = command.text.trim().replace(/^start\b/i, 'start peap').replace(/^check\b/i, 'check suspension') || 'help';
    const parsed = parseText(text);
    const direct = isDirectMessage(command.channel_id);
    const outside = () => {
      log.info('slack: refused outside a direct message', { channel: 'slack', staffId: actor.id, verb: parsed?.verb ?? 'unknown-text' });
      return ack({ response_type: 'ephemeral', text: fallbackText([PERSONAL_CHAT_ONLY_REPLY]), blocks: messageBlocks([PERSONAL_CHAT_ONLY_REPLY]) as never });
    };
    if (!direct && (!parsed || MESSAGE_ONLY_VERBS.includes(parsed.verb))) return void (await outside());
    const replies = await run(actor, parsed, command.text);
    if (needsModal(replies)) {
      await ack();
      await client.views.open({ trigger_id: command.trigger_id, view: viewFor(replies) as never });
    } else if (!direct && !replies.every((r) => r.type === 'menu')) {
      await outside();
    } else {
      await ack({ response_type: 'ephemeral', text: fallbackText(replies), blocks: messageBlocks(replies) as never });
    }
  });

  // Buttons (in messages, the Home tab and modals) and the review's "change an answer" list.
  app.action(/.*/, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions') return;
    const actor = await staffOf(body.team?.id ?? body.user.team_id, body.user.id);
    const raw = (action as { value?: string; selected_option?: { value: string } }).value ?? (action as { selected_option?: { value: string } }).selected_option?.value;
    let replies: Reply[];
    if (!actor) replies = refused('button');
    else {
      const parsed = parseAction(safeJson(raw));
      replies = 'error' in parsed ? [{ type: 'message', tone: 'error', text: parsed.error }] : await run(actor, parsed.command);
    }
    if (body.view && body.view.type === 'modal') {
      await client.views.update({ view_id: body.view.id, hash: body.view.hash, view: viewFor(replies) as never });
    } else if (needsModal(replies)) {
      await client.views.open({ trigger_id: body.trigger_id, view: viewFor(replies) as never });
    } else {
      await dm(body.user.id, replies);
    }
  });

  /** A modal submitted: answer it, show the field's error in place, or move the modal on. */
  const submit = (build: (meta: Record<string, unknown>, values: ViewState) => Command) =>
    async ({ ack, body, view }: { ack: (r?: object) => Promise<void>; body: { team: { id: string } | null; user: { id: string; team_id?: string } }; view: { private_metadata: string; state: { values: ViewState } } }) => {
      const actor = await staffOf(body.team?.id ?? body.user.team_id, body.user.id);
      if (!actor) return ack({ response_action: 'update', view: infoView(refused('modal')) });
      const replies = await run(actor, build(safeJson(view.private_metadata) as Record<string, unknown>, view.state.values));
      const form = replies.map(formErrors).find((e) => e !== undefined);
      if (form) return ack({ response_action: 'errors', errors: form });
      const failed = replies.find((r) => errorBlock(r) !== undefined);
      if (failed) return ack({ response_action: 'errors', errors: { [errorBlock(failed)!]: (failed as { error: string }).error } });
      return ack({ response_action: 'update', view: viewFor(replies) });
    };
  app.view(VIEWS.question, submit((meta, values) => ({ verb: 'peap.answer', caseId: String(meta.caseId), questionId: String(meta.questionId), revision: Number(meta.revision), answer: inputValue(values, 'answer') })) as never);
  app.view(
    VIEWS.review,
    submit((meta, values) => ({ verb: 'peap.decide', caseId: String(meta.caseId), revision: Number(meta.revision), decision: inputValue(values, 'decision'), rationale: inputValue(values, 'rationale'), followUpDate: inputValue(values, 'followUpDate') })) as never,
  );
  app.view(VIEWS.check, submit((_m, values) => ({ verb: 'suspension.check', pupilId: inputValue(values, 'pupilId'), startDate: inputValue(values, 'startDate'), sessions: inputValue(values, 'sessions') })) as never);
  // A form: what its button sends (in the metadata) with each input's value by its block id.
  app.view(
    VIEWS.form,
    submit((meta, values) => {
      const entered = Object.fromEntries(Object.keys(values).map((block) => [block, inputValue(values, block)]));
      const parsed = parseAction({ ...entered, ...meta });
      return 'error' in parsed ? { verb: 'help' } : parsed.command;
    }) as never,
  );
  app.view(VIEWS.start, submit((_m, values) => ({ verb: 'peap.start', pupilId: String(inputValue(values, 'pupilId') ?? '').trim() })) as never);

  // The Home tab: what they can do and their open cases (across their schools for an officer).
  app.event('app_home_opened', async ({ event, body, client }) => {
    const actor = await staffOf(body.team_id, event.user);
    const replies = actor ? [...(await run(actor, { verb: 'help' })), ...(await run(actor, { verb: actor.role === 'inclusion-officer' ? 'cases.overview' : 'cases.mine' }))] : refused('home');
    await client.views.publish({ user_id: event.user, view: { type: 'home', blocks: messageBlocks(replies) as never } });
  });

  // Typed in the app's DM: the same commands as in Teams.
  app.message(async ({ message, body }) => {
    // Only the app's DM (message.im) is subscribed to, and the answer goes to the DM whatever the channel.
    if (message.subtype !== undefined || !('user' in message) || !message.user) return;
    const actor = await staffOf((body as { team_id?: string }).team_id, message.user);
    const text = ('text' in message ? message.text : '') ?? '';
    await dm(message.user, actor ? await run(actor, parseText(text), text) : refused('message'));
  });

  app.error(async (error) => {
    log.error('slack: request failed', { channel: 'slack', error: errorText(error) });
  });

  return {
    name: 'slack',
    async canReach(staffId) {
      const identity = await store.staff.slackIdentity(staffId);
      return identity !== undefined && allowedTeam(identity.teamId);
    },
    async send(staffId, replies) {
      const identity = await store.staff.slackIdentity(staffId);
      if (!identity) throw new Error(`${staffId} has no Slack identity`);
      await dm(identity.userId, replies);
    },
  };
}

/** Slack's refusals that concern one user, not the app or the workspace (those count against Slack). */
const RECIPIENT_ERRORS: ReadonlySet<string> = new Set(['user_not_found', 'user_not_visible', 'user_disabled', 'cannot_dm_bot', 'channel_not_found', 'not_in_channel', 'is_archived', 'messages_tab_disabled']);

/** The error code Slack answered with (`ok: false`), if the call got that far. */
function platformError(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown } } | undefined;
  return e?.code === webApi.ErrorCode.PlatformError && typeof e.data?.error === 'string' ? e.data.error : undefined;
}

function safeJson(text: string | undefined): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
