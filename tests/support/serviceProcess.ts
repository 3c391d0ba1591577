/**
 * The service as `pnpm start` runs it — the built `packages/bot/dist/main.js` in a child process
 * with its own database — for suites that talk to it over HTTP, kill it and start it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const main = join(root, 'packages/bot/dist/main.js');

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every log line so far (JSON). */
  readonly logs: string[];
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/** A fresh folder for a service's database. */
export function dataDir(prefix = 'bot-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The key the service signs its audit anchor with (AUDIT_ANCHOR_KEY), to open its store in a test. */
export const SERVICE_ANCHOR_KEY = 'test-anchor-key-0123456789abcdef';

/**
 * Starts the service and resolves once it listens. `env` adds to (and overrides) the defaults:
 * SQLite at `dir/cases.db` unless it sets DATABASE_URL (with AUDIT_ANCHOR_FILE, see stores.ts).
 */
export function startService(dir: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<ServiceProcess> {
  // The weekly list off unless a suite asks for it: a run on a Monday morning would otherwise add its cards to every suite's count.
  return startServer(main, dir, { CASES_DB: join(dir, 'cases.db'), AUDIT_ANCHOR_KEY: SERVICE_ANCHOR_KEY, TICK_EVERY_SECONDS: '0.5', LOG_LEVEL: 'info', TATS_WEEKLY_AT: 'off', ...env }, nodeArgs);
}

/** Starts a Node server script that logs "listening on URL", and resolves once it does. */
export function startServer(script: string, dir: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
  });
  const logs: string[] = [];
  let stderr = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const m = line.match(/listening on (http:\/\/[^ ]+)/);
        if (m) {
          resolve({
            url: m[1]!,
            child,
            logs,
            stop: async () => {
              child.kill('SIGTERM');
              return exited;
            },
            kill: async () => {
              child.kill('SIGKILL');
              await exited;
            },
          });
        }
      }
    });
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    void exited.then((code) => reject(new Error(`the service exited (${code}) before listening:\n${stderr}\n${logs.join('\n')}`)));
  });
}
