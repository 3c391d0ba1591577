/**
 * Work one instance does at a time (the rules' evaluation over every pupil): a named lease in
 * the database, taken for a while and given back when done. An instance that dies holding one
 * loses it when it runs out, so the work is never stuck. A lease never given back is a claim
 * that something was seen, shared by every instance (a signed request, against its replay).
 */
import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';

export class Leases {
  readonly #db: Database;
  readonly #holder = `${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(db: Database) {
    this.#db = db;
  }

  /**
   * Claims `name` until `until`, once: true for the first claim (from any instance), false for
   * every claim after it until it runs out. Claims run out of the same kind (the name's prefix
   * up to its first ':') are cleared as it goes, so the table holds only those in their window.
   */
  async claimOnce(name: string, until: Date, now: Date = new Date()): Promise<boolean> {
    const kind = `${name.split(':', 1)[0]}:%`;
    return this.#db.write(async (tx) => {
      await tx.run('DELETE FROM leases WHERE name LIKE ? AND until < ?', [kind, now.toISOString()]);
      return (await tx.run('INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, this.#holder, until.toISOString()])) === 1;
    });
  }

  /**
   * Runs `work` if no other instance holds the lease `name`, holding it meanwhile (for at most
   * `forMs`). Resolves to the work's result, or `undefined` when another instance has it.
   */
  async runExclusive<T>(name: string, forMs: number, work: () => Promise<T>): Promise<T | undefined> {
    const now = new Date();
    const until = new Date(now.getTime() + forMs).toISOString();
    const taken = await this.#db.write(async (tx) => {
      const held = await tx.get<{ holder: string; until: string }>('SELECT holder, until FROM leases WHERE name = ?', [name]);
      if (held && held.holder !== this.#holder && held.until > now.toISOString()) return false;
      await tx.run('INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until', [name, this.#holder, until]);
      return true;
    });
    if (!taken) return undefined;
    try {
      return await work();
    } finally {
      await this.#db.run('DELETE FROM leases WHERE name = ? AND holder = ?', [name, this.#holder]).catch(() => undefined);
    }
  }
}
