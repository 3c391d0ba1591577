/**
 * Crash safety: a process applying transitions is killed with SIGKILL at random moments, again
 * and again — on SQLite, and on PostgreSQL when there is a server (TEST_DATABASE_URL). After
 * each kill the store must open, the audit chain must verify, no case may be half-written, and
 * every transition the process acknowledged must be there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CaseStore, SYSTEM } from '../../packages/workflows/dist/index.js';
import { sqliteIntegrityCheck } from '../support/attacker.js';
import { backends, freshDatabase } from '../support/postgres.js';

const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 25);
const ANCHOR_KEY = 'crash-test-anchor-key-0123456789';

/** Runs the worker until it has committed for `ms` milliseconds, then kills it; returns its acknowledgements. */
function runAndKill(url: string, anchorPath: string, ms: number): Promise<{ caseId: string; revision: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, url, anchorPath, '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('ready\n') && !child.killed) setTimeout(() => child.kill('SIGKILL'), ms).unref();
    });
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`the worker stopped by itself: ${errors}`));
      const acks = output
        .split('\n')
        .filter((line) => line.startsWith('ack '))
        .map((line) => {
          const [, caseId, revision] = line.split(' ');
          return { caseId: caseId!, revision: Number(revision) };
        });
      resolve(acks);
    });
  });
}

describe.each(backends())('killed mid-transition (%s store)', (backend) => {
  it(`loses nothing acknowledged and leaves nothing half-written, over ${KILLS} kills`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crash-'));
    const url = backend === 'postgres' ? await freshDatabase('crash') : join(dir, 'cases.db');
    // Where the service keeps it: beside a SQLite file, or where AUDIT_ANCHOR_FILE says for PostgreSQL.
    const anchorPath = backend === 'postgres' ? join(dir, 'audit.anchor') : `${url}.anchor`;
    const acknowledged = new Map<string, number>();
    let total = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const acks = await runAndKill(url, anchorPath, 20 + Math.floor(Math.random() * 300));
      total += acks.length;
      for (const { caseId, revision } of acks) acknowledged.set(caseId, Math.max(acknowledged.get(caseId) ?? 0, revision));

      const store = await CaseStore.open({ url, anchorPath, anchorKey: ANCHOR_KEY });
      try {
        expect(await store.audit.verify()).toMatchObject({ ok: true });
        const head = await store.staff.actorFor('head-a');
        const views = await store.cases.list(head);
        expect(views).toHaveLength(4);
        for (const { id } of views) {
          const view = await store.cases.get(SYSTEM, id, 'peap');
          // Every acknowledged transition is there.
          expect(view.revision).toBeGreaterThanOrEqual(acknowledged.get(view.id) ?? 1);
          // Nothing half-written: the snapshot, the revision and the audit trail agree.
          const events = (await store.audit.entriesFor(view.id)).filter((r) => r.action === 'event');
          expect(view.revision).toBe(1 + events.length);
          expect(Object.keys(view.context.answers)).toHaveLength(events.length);
        }
      } finally {
        await store.close();
      }
      if (backend === 'sqlite') expect(await sqliteIntegrityCheck(url)).toBe('ok');
    }
    expect(total).toBeGreaterThan(KILLS); // the worker really was committing when killed
  }, 180_000); // 25 processes started, killed and checked: a minute or more on a busy 2-core machine
});
