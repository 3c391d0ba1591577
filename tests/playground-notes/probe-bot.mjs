// Throwaway probe bot for Microsoft 365 Agents Playground investigation.
// Run: node tests/playground-notes/probe-bot.mjs   (from /work/main)
// Env: BOT_PORT (default 3978), ACTIVITY_LOG (default ./activities.jsonl next to this file)
//
// Message commands (text typed in Playground):
//   "execute" (or anything else) -> card with Action.Execute (verb "save", data {step:1})
//   "submit"                     -> card with Action.Submit (data {verb:"save"})
//   "update"                     -> sends "original text" then updateActivity() it to "UPDATED text"
//   "proactive"                  -> after 1.5 s, continueConversationAsync('', ref, ...) sends "proactive hello"
//   "delete"                     -> sends a message then deleteActivity() it (NOT supported by Playground)
//   "execmsg"                    -> Execute card whose invoke response is type activity.message (not a card)
// HTTP helpers on the bot (for tests):
//   POST /proactive  {text}  -> proactive message into last seen conversation
//   GET  /activities          -> JSON array of every activity received so far
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// botbuilder/express live in packages/bot/node_modules (not hoisted to tests/).
const require = createRequire(path.resolve(here, '../../packages/bot/package.json'));
const { CloudAdapter, ConfigurationBotFrameworkAuthentication, TurnContext, CardFactory, ActivityTypes } =
  require('botbuilder');
const express = require('express');

const PORT = Number(process.env.BOT_PORT || 3978);
const LOG = process.env.ACTIVITY_LOG || path.join(here, 'activities.jsonl');
fs.writeFileSync(LOG, '');

const auth = new ConfigurationBotFrameworkAuthentication({}); // no MicrosoftAppId -> auth disabled
const adapter = new CloudAdapter(auth);
adapter.onTurnError = async (context, error) => {
  console.error('[bot] onTurnError', error);
  try { await context.sendActivity('bot error: ' + error.message); } catch {}
};

const received = [];
let lastRef = null;

function inputs(prefix) {
  return [
    { type: 'TextBlock', text: `${prefix} – question card`, weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'Input.Text', id: 'answer', label: 'Your answer', isMultiline: true, placeholder: 'Type your answer' },
    {
      type: 'Input.ChoiceSet', id: 'pick', label: 'Pick one', style: 'expanded',
      choices: [ { title: 'Alpha choice', value: 'alpha' }, { title: 'Beta choice', value: 'beta' } ],
    },
    { type: 'Input.Date', id: 'when', label: 'When' },
  ];
}

const executeCard = () => ({
  type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4',
  body: inputs('Execute'),
  actions: [ { type: 'Action.Execute', title: 'Save (execute)', verb: 'save', data: { step: 1 } } ],
});

const submitCard = () => ({
  type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4',
  body: inputs('Submit'),
  actions: [ { type: 'Action.Submit', title: 'Save (submit)', data: { verb: 'save' } } ],
});

const resultCard = (value) => ({
  type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.4',
  body: [
    { type: 'TextBlock', text: 'Step 2 – thanks!', weight: 'Bolder', size: 'Medium', wrap: true },
    { type: 'TextBlock', text: 'Received: ' + JSON.stringify(value?.action?.data ?? value), wrap: true },
    { type: 'Input.Text', id: 'answer2', label: 'Second question', placeholder: 'Step 2 answer' },
  ],
  actions: [ { type: 'Action.Execute', title: 'Next (step 2)', verb: 'save', data: { step: 2 } } ],
});

async function logic(context) {
  const a = context.activity;
  received.push(a);
  fs.appendFileSync(LOG, JSON.stringify(a) + '\n');
  console.log(`[bot] <- ${a.type}${a.name ? ' ' + a.name : ''} text=${JSON.stringify(a.text)} value=${JSON.stringify(a.value)}`);
  lastRef = TurnContext.getConversationReference(a);

  if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') {
    if (a.value?.action?.data?.step === 'msg') { // invoke answered with a plain message instead of a card
      await context.sendActivity({
        type: 'invokeResponse',
        value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'All done, thank you' } },
      });
      return;
    }
    const card = resultCard(a.value);
    await context.sendActivity({
      type: 'invokeResponse',
      value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card } },
    });
    return;
  }
  if (a.type !== ActivityTypes.Message) return;

  if (a.value && !a.text) { // Action.Submit arrives as a message with value and no text
    await context.sendActivity(`Got submit: ${JSON.stringify(a.value)}`);
    return;
  }
  const text = (a.text || '').trim().toLowerCase();
  if (text === 'submit') {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(submitCard())] });
  } else if (text === 'execmsg') {
    const c = executeCard(); c.actions[0].data = { step: 'msg' }; c.actions[0].title = 'Finish (message)';
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(c)] });
  } else if (text === 'update') {
    const r = await context.sendActivity('original text');
    console.log('[bot] sent id', r?.id);
    await new Promise((res) => setTimeout(res, 1500));
    const u = await context.updateActivity({ id: r.id, type: 'message', text: 'UPDATED text' });
    console.log('[bot] update result', u);
  } else if (text === 'updatecard') {
    const r = await context.sendActivity({ attachments: [CardFactory.adaptiveCard(executeCard())] });
    await new Promise((res) => setTimeout(res, 1500));
    await context.updateActivity({ id: r.id, type: 'message', attachments: [CardFactory.adaptiveCard(resultCard({ updated: true }))] });
    console.log('[bot] card updated');
  } else if (text === 'delete') {
    const r = await context.sendActivity('to be deleted');
    await new Promise((res) => setTimeout(res, 1500));
    await context.deleteActivity(r.id);
    console.log('[bot] deleted', r.id);
  } else if (text === 'proactive') {
    await context.sendActivity('will send proactive in 1.5s');
    const ref = TurnContext.getConversationReference(a);
    setTimeout(() => sendProactive(ref, 'proactive hello').catch((e) => console.error('[bot] proactive failed', e)), 1500);
  } else {
    await context.sendActivity({ attachments: [CardFactory.adaptiveCard(executeCard())] });
  }
}

async function sendProactive(ref, text) {
  await adapter.continueConversationAsync('', ref, async (ctx) => {
    const r = await ctx.sendActivity(text);
    console.log('[bot] proactive sent', r);
  });
}

const app = express();
app.post('/api/messages', express.json({ limit: '5mb' }), async (req, res) => {
  await adapter.process(req, res, logic);
});
app.post('/proactive', express.json(), async (req, res) => {
  if (!lastRef) return res.status(409).json({ error: 'no conversation yet' });
  try { await sendProactive(lastRef, req.body?.text || 'proactive via http'); res.json({ ok: true }); }
  catch (e) { res.status(500).json({ error: String(e) }); }
});
app.get('/activities', (_req, res) => res.json(received));
app.listen(PORT, () => console.log(`[bot] listening on http://localhost:${PORT}/api/messages, log ${LOG}`));
