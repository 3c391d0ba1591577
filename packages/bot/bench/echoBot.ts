/**
 * The benchmark's baseline: a bare echo bot on the same stack as the product's Teams channel —
 * a teams-ai `Application` on a `TeamsAdapter`, served by express at `POST /api/messages` — with
 * no store, rules or cards. `pnpm bench:bot` measures both in the same run.
 *
 *   node --import tsx packages/bot/bench/echoBot.ts   (PORT, default 0; prints "listening on URL")
 */
import type { AddressInfo } from 'node:net';
import { Application, TeamsAdapter } from '@microsoft/teams-ai';
import { ActivityTypes } from 'botbuilder';
import express from 'express';

const adapter = new TeamsAdapter({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' });
const app = new Application({ adapter, removeRecipientMention: true, startTypingTimer: false, longRunningMessages: false });
app.activity(ActivityTypes.Message, async (context) => {
  await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
});

const server = express()
  .post('/api/messages', express.json(), async (req, res) => {
    await adapter.process(req, res, async (context) => {
      await app.run(context);
    });
  })
  .listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    console.log(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
process.once('SIGTERM', () => server.close(() => process.exit(0)));
