/**
 * Group commit: the writes asked for while the event loop works through a burst of requests run
 * together in one transaction, each in its own savepoint — one that throws is rolled back alone —
 * and are made durable by one commit (one fsync, one lock taken) instead of one each. Each caller
 * still gets its own result or error, and only once the whole group is committed.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './database.js';

/** The group whose write's function is running: its database refuses calls made then outside the transaction. */
const insideWrite = new AsyncLocalStorage<GroupCommit>();

/** One transaction on a connection, as group commit drives it. */
export interface GroupTransaction {
  readonly tx: Queryable;
  /** Runs a statement with no result (BEGIN, SAVEPOINT, COMMIT…). */
  exec(sql: string): Promise<void>;
}

interface PendingWrite {
  /** When it was asked for (epoch ms): a group's wait for the lock counts from its oldest. */
  readonly at: number;
  readonly fn: (tx: Queryable) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit {
  #pending: PendingWrite[] = [];
  readonly #run: (group: (t: GroupTransaction) => Promise<void>, since: number) => Promise<void>;

  /**
   * @param run — runs one group: opens a transaction (BEGIN, and any lock, waiting for it at most
   * the busy timeout counted from `since`, when the group's oldest write was asked for), calls
   * `group` with it, and gives the connection back; it need not commit or roll back (the group does).
   */
  constructor(run: (group: (t: GroupTransaction) => Promise<void>, since: number) => Promise<void>) {
    this.#run = run;
  }

  /**
   * Throws when called from inside one of this group's writes: a read or write there must use the
   * transaction it was given (on SQLite another call would wait for the write forever).
   */
  refuseInsideWrite(): void {
    if (insideWrite.getStore() === this) throw new Error('inside a write, use the transaction it was given (tx), not the database');
  }

  write<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.refuseInsideWrite();
    return new Promise<T>((resolve, reject) => {
      // The first write of a burst waits for the rest of it: setImmediate runs once the event
      // loop has handled every request that had arrived.
      if (this.#pending.length === 0) setImmediate(() => void this.#commitNext());
      this.#pending.push({ at: Date.now(), fn, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  async #commitNext(): Promise<void> {
    const group = this.#pending;
    this.#pending = [];
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = new Array(group.length);
    const since = group[0]!.at;
    try {
      await this.#run(async (t) => {
        try {
          for (const [i, w] of group.entries()) {
            await t.exec('SAVEPOINT write');
            try {
              const value = await insideWrite.run(this, () => w.fn(t.tx));
              await t.exec('RELEASE SAVEPOINT write');
              outcomes[i] = { ok: true, value };
            } catch (error) {
              // Rolled back alone; a write that failed to release counts as failed, never as another's result.
              await t.exec('ROLLBACK TO SAVEPOINT write');
              await t.exec('RELEASE SAVEPOINT write');
              outcomes[i] = { ok: false, error };
            }
          }
          await t.exec('COMMIT');
        } catch (error) {
          await t.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }, since);
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
