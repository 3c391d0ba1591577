/**
 * @before-exclusion/bot — the service headteachers and inclusion officers talk to: a Teams bot and
 * a Slack app over one channel-free conversation core. Most people run it (`pnpm start`); these
 * exports are for those who host it in their own process or add a channel.
 */
export { Assistant, UNKNOWN_USER_REPLY } from './conversation/assistant.js';
export type { AssistantOptions } from './conversation/assistant.js';
export type { Channel } from './conversation/channel.js';
export { HELP_TEXT, VERBS, parseAction, parseText } from './conversation/commands.js';
export type { Command } from './conversation/commands.js';
export { DEFAULT_QUESTIONS, MEETING_DATE, QuestionSetError, loadQuestionSet, questionSet, questionSetFileSchema } from '@before-exclusion/workflows';
export type { Question, QuestionKind, QuestionSetFile } from '@before-exclusion/workflows';
export type { CaseLine, Reply, ReviewItem } from './conversation/replies.js';
export { replyCard } from './teams/cards.js';
export { createTeamsApplication, createTeamsBot, teamsSender } from './teams/teamsBot.js';
export type { TeamsBot, TeamsSettings } from './teams/teamsBot.js';
export { buildAppPackage, teamsManifest } from './teams/appPackage.js';
export { SLACK_PATHS, mountSlack } from './slack/slackApp.js';
export type { SlackSettings } from './slack/slackApp.js';
export { ConfigError, configSchema, isLocalMode, loadConfig } from './service/config.js';
export type { Config } from './service/config.js';
export { createLogger } from './service/log.js';
export type { Logger } from './service/log.js';
export { staffNotifier } from './service/notifier.js';
export { startService } from './service/service.js';
export type { RunningService } from './service/service.js';
