import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { auditWitness, parseEntries } from './auditWitness.js';

const entry = { seq: 3, hash: 'a'.repeat(64), at: '2026-03-20T09:00:00.000Z', mac: 'b'.repeat(64) };
const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

/** A webhook witness on loopback: keeps what is POSTed, lists it on GET; or never answers. */
async function webhook(mode: 'ok' | 'hang' = 'ok'): Promise<string> {
  const lines: string[] = [];
  const server = createServer((req, res) => {
    if (mode === 'hang') return;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.method === 'POST') lines.push(body);
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(req.method === 'GET' ? lines.join('\n') : '');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/anchors`;
}

describe('the webhook witness', () => {
  it('POSTs each anchor and reads back what it holds', async () => {
    const witness = auditWitness(await webhook());
    await witness.append(entry);
    await witness.append({ ...entry, seq: 4 });
    expect((await witness.read()).map((e) => e.seq)).toEqual([3, 4]);
  });

  it('gives up on a witness that does not answer, within its timeout', async () => {
    const started = Date.now();
    await expect(auditWitness(await webhook('hang'), { timeoutMs: 200 }).append(entry)).rejects.toThrow(/timeout|aborted/i);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('names the entry that is not a witnessed anchor', () => {
    expect(() => parseEntries(`${JSON.stringify(entry)}\n{"seq":"x"}`, 'w.ndjson')).toThrow('w.ndjson, entry 2: not a witnessed anchor (expected seq, hash, at and mac)');
  });
});
