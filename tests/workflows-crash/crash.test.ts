/**
 * Crash safety: a process applying transitions is killed with SIGKILL at random moments, again
 * and again. After each kill the database must open, the audit chain must verify, no case may
 * be half-written, and every transition the process acknowledged must be there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CaseStore } from '../../packages/workflows/dist/index.js';

const worker = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const KILLS = Number(process.env.CRASH_TEST_KILLS ?? 25);

/** Runs the worker until it has committed for `ms` milliseconds, then kills it; returns its acknowledgements. */
function runAndKill(dbPath: string, ms: number): Promise<{ caseId: string; revision: number }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, dbPath, '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
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

describe('killed mid-transition', () => {
  it(`loses nothing acknowledged and leaves nothing half-written, over ${KILLS} kills`, async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'crash-')), 'cases.db');
    const acknowledged = new Map<string, number>();
    let total = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const acks = await runAndKill(dbPath, 20 + Math.floor(Math.random() * 300));
      total += acks.length;
      for (const { caseId, revision } of acks) acknowledged.set(caseId, Math.max(acknowledged.get(caseId) ?? 0, revision));

      const store = CaseStore.open({ path: dbPath, anchorKey: 'crash-test-anchor-key-0123456789' });
      try {
        expect(store.audit.verify()).toMatchObject({ ok: true });
        const head = store.staff.actorFor('head-a');
        for (const view of store.cases.list(head)) {
          // Every acknowledged transition is there.
          expect(view.revision).toBeGreaterThanOrEqual(acknowledged.get(view.id) ?? 1);
          // Nothing half-written: the snapshot, the revision and the audit trail agree.
          const events = store.audit.entriesFor(view.id).filter((r) => r.action === 'event');
          expect(view.revision).toBe(1 + events.length);
          expect(Object.keys((view.context.answers ?? {}) as object)).toHaveLength(events.length);
        }
      } finally {
        store.close();
      }
      const raw = new Database(dbPath, { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      raw.close();
    }
    expect(total).toBeGreaterThan(KILLS); // the worker really was committing when killed
  });
});
