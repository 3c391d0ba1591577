/**
 * A fake Slack Web API on loopback: the service's Bolt app is pointed here (`SLACK_API_URL`), so
 * every call it makes — `views.open/update/push/publish`, `conversations.open`,
 * `chat.postMessage` — is recorded for the test to read. Only this edge is fake. On demand it
 * fails as Slack does on a bad day (`fail`): it never answers, or answers 503.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the fake answers: as Slack does, never (the request hangs), 503 Service Unavailable, or
 * `user_not_found` (Slack's own refusal for one person: HTTP 200, `ok: false`).
 */
export type SlackBehaviour = 'answer' | 'hang' | '503' | 'user_not_found';

export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, any>;
}

export interface FakeSlackApi {
  /** For SLACK_API_URL (ends with a slash, as the Web API client expects). */
  readonly url: string;
  readonly calls: SlackCall[];
  /** From now on, answer every call this way (calls are recorded whatever the answer). */
  fail(behaviour: SlackBehaviour): void;
  /** Resolves with the first call of `method` after the first `after` calls. */
  /** The first call of `method` after the `after`th (that `where` accepts: the service may send other messages meanwhile). */
  waitForCall(method: string, after?: number, timeoutMs?: number, where?: (call: SlackCall) => boolean): Promise<SlackCall>;
  close(): Promise<void>;
}

export async function startFakeSlackApi(behaviour: SlackBehaviour = 'answer'): Promise<FakeSlackApi> {
  const calls: SlackCall[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
      const args: Record<string, any> = req.headers['content-type']?.includes('json') ? JSON.parse(body || '{}') : Object.fromEntries(new URLSearchParams(body));
      // The client sends nested arguments (views, blocks) as JSON strings in a form.
      for (const [k, v] of Object.entries(args)) if (typeof v === 'string' && /^[[{]/.test(v)) args[k] = JSON.parse(v);
      calls.push({ method, args });
      if (behaviour === 'hang') return; // never answered: closing the fake drops the connection
      if (behaviour === '503') return void res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      if (behaviour === 'user_not_found') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'user_not_found' }));
      const result = method === 'conversations.open' ? { channel: { id: `D-${args.users}` } } : method.startsWith('views.') ? { view: { id: 'V-fake', ...(args.view ?? {}) } } : method === 'chat.postMessage' ? { channel: args.channel, ts: `${Date.now()}.000` } : {};
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ...result }));
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    fail: (b) => void (behaviour = b),
    async waitForCall(method, after = 0, timeoutMs = 15_000, where = () => true) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = calls.slice(after).find((c) => c.method === method && where(c));
        if (found) return found;
        if (Date.now() > until) throw new Error(`waited ${timeoutMs} ms for ${method}; calls: ${calls.map((c) => c.method).join(', ')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
