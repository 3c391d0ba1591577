/**
 * A small round-robin HTTP proxy on loopback, as a load balancer in front of several service
 * instances: each request goes to the next instance in turn; an instance that refuses the
 * connection is skipped (the request goes to the next), and one that dies mid-request answers
 * 502, as a real balancer would.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  readonly url: string;
  /** The instances behind it (base URLs); replace one when it restarts on another port. */
  targets: string[];
  /** Requests each target answered, by URL. */
  readonly served: Map<string, number>;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(targets: string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served = new Map<string, number>();
  const proxy: RoundRobinProxy = { url: '', targets: [...targets], served, close: async () => undefined };

  const forward = (target: string, method: string, path: string, headers: Record<string, string | string[] | undefined>, body: Buffer) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
      const out = request(new URL(path, target), { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const tried = new Set<string>();
      while (tried.size < proxy.targets.length) {
        const target = proxy.targets[next++ % proxy.targets.length]!;
        if (tried.has(target)) continue;
        tried.add(target);
        try {
          const answer = await forward(target, req.method ?? 'GET', req.url ?? '/', { ...req.headers, host: new URL(target).host }, body);
          served.set(target, (served.get(target) ?? 0) + 1);
          res.writeHead(answer.status, answer.headers).end(answer.body);
          return;
        } catch (error) {
          // Refused before anything was sent: try the next instance. Cut off mid-request: the client must retry.
          if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') continue;
          res.writeHead(502).end(String((error as Error).message));
          return;
        }
      }
      res.writeHead(503).end('no instance is up');
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}
