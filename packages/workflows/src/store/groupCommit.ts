/**
 * Group commit: the writes asked for while the event loop works through a burst of requests run
 * together in one transaction, each in its own savepoint — one that throws is rolled back alone —
 * and are made durable by one commit (one fsync, one lock taken) instead of one each. Each caller
 * still gets its own result or error, and only once the whole group is committed.
 */
import type { Queryable } from './database.js';

/** One transaction on a connection, as group commit drives it. */
export interface GroupTransaction {
  readonly tx: Queryable;
  /** Runs a statement with no result (BEGIN, SAVEPOINT, COMMIT…). */
  exec(sql: string): Promise<void>;
}

interface PendingWrite {
  readonly fn: (tx: Queryable) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  #pending: PendingWrite[] = [];
  readonly #run: (group: (t: GroupTransaction) => Promise<void>) => Promise<void>;

  /**
   * @param run — runs one group: opens a transaction (BEGIN, and any lock), calls `group` with it,
   * and gives the connection back; it need not commit or roll back (the group does).
   */
  constructor(run: (group: (t: GroupTransaction) => Promise<void>) => Promise<void>) {
    this.#run = run;
  }

  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The first write of a burst waits for the rest of it: setImmediate runs once the event
      // loop has handled every request that had arrived.
      if (this.#pending.length === 0) setImmediate(() => void this.#commitNext());
      this.#pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async #commitNext(): Promise<void> {
    const group = this.#pending;
    this.#pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      await this.#run(async (t) => {
        try {
          for (const w of group) {
            await t.exec('SAVEPOINT write');
            try {
              outcomes.push({ ok: true, value: await w.fn(t.tx) });
              await t.exec('RELEASE SAVEPOINT write');
            } catch (error) {
              await t.exec('ROLLBACK TO SAVEPOINT write');
              await t.exec('RELEASE SAVEPOINT write');
              outcomes.push({ ok: false, error });
            }
          }
          await t.exec('COMMIT');
        } catch (error) {
          await t.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      for (const w of group) w.reject(error);
      return;
    }
    group.forEach((w, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
