// Throwaway: same probe but routed through teams-ai 1.7.4 Application + TeamsAdapter, to confirm
// Playground's invoke/submit shapes match teams-ai's AdaptiveCards selectors.
//   node tests/playground-notes/teams-ai-bot.mjs   (port 3978)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.resolve(here, '../../packages/bot/package.json'));
const { MemoryStorage, CardFactory } = require('botbuilder');
const { Application, TeamsAdapter } = require('@microsoft/teams-ai');
const express = require('express');

const adapter = new TeamsAdapter({}); // no app id -> no auth
const app = new Application({ adapter, storage: new MemoryStorage() });
const seen = [];

const card = (title, step) => ({
  type: 'AdaptiveCard', version: '1.4',
  body: [
    { type: 'TextBlock', text: title, weight: 'Bolder' },
    { type: 'Input.Text', id: 'answer', label: 'Your answer', isMultiline: true },
  ],
  actions: [
    { type: 'Action.Execute', title: 'Next', verb: 'save', data: { step } },
    { type: 'Action.Submit', title: 'Submit instead', data: { verb: 'save', step } },
  ],
});

app.message(/.*/, async (context, state) => {
  state.conversation.count = (state.conversation.count ?? 0) + 1;
  await context.sendActivity({ attachments: [CardFactory.adaptiveCard(card(`teams-ai step 1 (turn ${state.conversation.count})`, 1))] });
});
app.adaptiveCards.actionExecute('save', async (context, state, data) => {
  seen.push({ kind: 'execute', data, from: context.activity.from });
  return card(`teams-ai step ${data.step + 1} got ${JSON.stringify(data)}`, data.step + 1); // object -> card replaces
});
app.adaptiveCards.actionSubmit('save', async (context, state, data) => {
  seen.push({ kind: 'submit', data });
  await context.sendActivity(`teams-ai submit got ${JSON.stringify(data)}`);
});
app.error(async (context, err) => { console.error('[teams-ai] error', err); });

const server = express();
server.post('/api/messages', express.json(), async (req, res) => {
  await adapter.process(req, res, async (context) => { await app.run(context); });
});
server.get('/seen', (_q, r) => r.json(seen));
server.listen(3978, () => console.log('[teams-ai bot] listening 3978'));
