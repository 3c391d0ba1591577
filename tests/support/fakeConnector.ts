/**
 * A fake Bot Framework connector on loopback: the `serviceUrl` of replayed Teams activities
 * points here, so every message the bot sends (replies, proactive messages, card updates) is
 * recorded for the test to read. Only this edge is fake; the bot and its HTTP server are real.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentActivity {
  readonly method: 'POST' | 'PUT';
  readonly conversationId: string;
  /** The activity replied to (POST …/activities/:id) or updated (PUT …/activities/:id). */
  readonly activityId?: string;
  readonly activity: { type: string; text?: string; attachments?: { contentType: string; content: unknown }[]; [k: string]: unknown };
}

export interface FakeConnector {
  readonly url: string;
  readonly sent: SentActivity[];
  /** Sends received and not yet answered (with a delay, the bot's turn is in flight meanwhile). */
  readonly answering: () => number;
  /** Resolves when at least `count` activities have been recorded in total. */
  waitFor(count: number, timeoutMs?: number): Promise<SentActivity[]>;
  /** Resolves with the bot's reply to the activity with this id (posted to …/activities/:id), typing indicators aside. */
  waitForReplyTo(activityId: string, timeoutMs?: number): Promise<SentActivity>;
  close(): Promise<void>;
}

/** @param delayMs — how long it takes to answer each send (to hold a bot's turn in flight). */
export async function startFakeConnector(delayMs = 0): Promise<FakeConnector> {
  const sent: SentActivity[] = [];
  let next = 1;
  let answering = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      answering++;
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      answering--;
      const m = req.url?.match(/^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?/);
      if (!m || (req.method !== 'POST' && req.method !== 'PUT')) {
        res.writeHead(404).end();
        return;
      }
      sent.push({
        method: req.method,
        conversationId: decodeURIComponent(m[1]!),
        ...(m[2] ? { activityId: decodeURIComponent(m[2]) } : {}),
        activity: JSON.parse(body || '{}'),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sent-${next++}` }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent,
    answering: () => answering,
    async waitFor(count, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (sent.length < count) {
        if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for ${count} activities; got ${sent.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return sent;
    },
    async waitForReplyTo(activityId, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        // A slow turn first shows "typing" (teams-ai sends it after a second): the reply is what follows.
        const reply = sent.find((a) => a.method === 'POST' && a.activityId === activityId && a.activity.type !== 'typing');
        if (reply) return reply;
        if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for a reply to ${activityId}; the bot sent ${sent.length} activities`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * The id the fake connector answered a recorded send with — `sent-N`, N its place in `sent`
 * (each send is recorded and numbered together) — as Teams gives a message its id: what a
 * button pressed on that message carries as `replyToId`.
 */
export function sentActivityId(connector: FakeConnector, sent: SentActivity): string {
  const at = connector.sent.indexOf(sent);
  if (at < 0) throw new Error('sentActivityId: not an activity this connector recorded');
  return `sent-${at + 1}`;
}
