/**
 * Sending what transitions queued (a Teams prompt, a reminder) after they commit: each message
 * is tried until it is sent, with growing waits between tries, and carries an idempotency key
 * so a receiver can drop a repeat if the process died mid-send.
 *
 * Several service instances may work one outbox: an instance first takes a lease on the due
 * messages it will send (one serialised write), so no two send the same message; a lease held
 * by an instance that died runs out, and another takes the message over. Each channel records
 * whom it reached, so a retried message skips them — an audited row (`case-sent`), since a
 * message about a case shows it to its recipient.
 */
import { randomBytes } from 'node:crypto';
import type { AuditedWrite } from './auditedWrite.js';
import type { Database } from './database.js';

/** The audit action for a case shown to someone in a message sent to them (a prompt, a reminder, a digest). */
export const CASE_SENT = 'case-sent';

export interface OutboxMessage {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly kind: string;
  readonly caseId: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly attempts: number;
}

/** Thrown by a sender when nobody the message is for can be reached yet: it waits (and is retried), it has not failed. */
export class NobodyToReach extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NobodyToReach';
  }
}

/**
 * Thrown by a sender that stopped before trying (the service is stopping): the message is let go
 * as it was — not counted as a try, due at once for the next instance or start.
 */
export class SendingStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendingStopped';
  }
}

/** Delivers one kind of message; throws to have it retried later. */
export type OutboxSender = (message: OutboxMessage) => Promise<void>;

export interface DeliveryResult {
  readonly sent: number;
  readonly failed: number;
  /** Due messages of kinds no sender handles here, or for people no channel can reach yet. */
  readonly waiting: number;
}

/** A message in the outbox, as an operator or a test sees it. */
export interface OutboxEntry extends OutboxMessage {
  readonly sentAt: string | null;
  readonly lastError: string | null;
}

const MAX_WAIT_MINUTES = 60;
/** How long an instance may take to send what it claimed before another may take it over. */
const LEASE_MS = 5 * 60_000;

interface OutboxRow {
  id: number;
  idempotency_key: string;
  kind: string;
  case_id: string | null;
  payload: string;
  attempts: number;
  sent_at: string | null;
  last_error: string | null;
}

const message = (row: OutboxRow): OutboxMessage => ({
  id: row.id,
  idempotencyKey: row.idempotency_key,
  kind: row.kind,
  caseId: row.case_id,
  payload: JSON.parse(row.payload) as Record<string, unknown>,
  attempts: row.attempts,
});

export class Outbox {
  readonly #db: Database;
  /** This instance, as a lease holder. */
  readonly #holder = `${process.pid}-${randomBytes(4).toString('hex')}`;
  /** When someone last became reachable (retryUnsentNow), as epoch ms. */
  #retryAskedAt = 0;

  readonly #write: AuditedWrite;

  constructor(db: Database, write: AuditedWrite) {
    this.#db = db;
    this.#write = write;
  }

  /**
   * Sends every due, unsent message of a kind in `senders`. Each sender is called in queue order,
   * and they run together: a sender queues its sends per channel, so one slow channel holds up
   * only its own sends (the bot's notifier does). Resolves when every message has been settled.
   */
  async deliver(senders: Readonly<Record<string, OutboxSender>>, now: Date): Promise<DeliveryResult> {
    const kinds = Object.keys(senders);
    const claimed = await this.#claim(kinds, now);
    const unhandled = await this.#db.get<{ n: number }>(
      `SELECT CAST(count(*) AS INTEGER) AS n FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?${kinds.length ? ` AND kind NOT IN (${kinds.map(() => '?').join(', ')})` : ''}`,
      [now.toISOString(), ...kinds],
    );
    const outcomes = await Promise.all(claimed.map((row) => this.#send(row, senders[row.kind]!, now)));
    return {
      sent: outcomes.filter((o) => o === 'sent').length,
      failed: outcomes.filter((o) => o === 'failed').length,
      waiting: (unhandled?.n ?? 0) + outcomes.filter((o) => o === 'waiting').length,
    };
  }

  /** Sends one claimed message and records the outcome. */
  async #send(row: OutboxRow, sender: OutboxSender, now: Date): Promise<'sent' | 'failed' | 'waiting'> {
    try {
      await sender(message(row));
      // Marked sent whoever holds the lease now (it was sent); the lease is cleared only if still ours.
      await this.#db.run(
        'UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, lease_holder = CASE WHEN lease_holder = ? THEN NULL ELSE lease_holder END WHERE id = ?',
        [new Date().toISOString(), this.#holder, row.id],
      );
      return 'sent';
    } catch (error) {
      if (error instanceof SendingStopped) {
        await this.#db.run('UPDATE outbox SET lease_holder = NULL, lease_until = NULL WHERE id = ? AND lease_holder = ?', [row.id, this.#holder]);
        return 'waiting';
      }
      // Someone became reachable while it was being sent (retryUnsentNow): try again at once, not after the wait.
      const waitMinutes = this.#retryAskedAt > now.getTime() ? 0 : Math.min(MAX_WAIT_MINUTES, 2 ** row.attempts);
      const next = new Date(now.getTime() + waitMinutes * 60_000).toISOString();
      // A failure is recorded only while the lease is still ours: one taken over is another instance's to report.
      await this.#db.run('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_holder = NULL, lease_until = NULL WHERE id = ? AND lease_holder = ?', [
        next,
        String((error as Error).message).slice(0, 500),
        row.id,
        this.#holder,
      ]);
      return error instanceof NobodyToReach ? 'waiting' : 'failed';
    }
  }

  /**
   * Queues a message that belongs to no case (the week's list for a school), once per `key`:
   * whichever instance asks first queues it, and a later ask with the same key does nothing.
   * The payload holds ids and dates only, never pupil details. True when this call queued it.
   */
  async enqueue(message: { readonly kind: string; readonly schoolId: string; readonly key: string; readonly payload: Readonly<Record<string, unknown>> }, now: Date): Promise<boolean> {
    const at = now.toISOString();
    const added = await this.#db.write((tx) =>
      tx.run(
        `INSERT INTO outbox (case_id, school_id, idempotency_key, kind, payload, created_at, next_attempt_at) VALUES (NULL, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
        [message.schoolId, message.key, message.kind, JSON.stringify(message.payload), at, at],
      ),
    );
    return added === 1;
  }

  /** Whether a message has already reached a recipient in a channel (a retry skips them). */
  async delivered(outboxId: number, channel: string, staffId: string): Promise<boolean> {
    return (await this.#db.get('SELECT 1 AS found FROM deliveries WHERE outbox_id = ? AND channel = ? AND staff_id = ?', [outboxId, channel, staffId])) !== undefined;
  }

  /** Records that a message reached a recipient in a channel. */
  async markDelivered(outboxId: number, channel: string, staffId: string, at: Date): Promise<void> {
    await this.#write(async (tx) => {
      const added = await tx.run('INSERT INTO deliveries (outbox_id, channel, staff_id, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [outboxId, channel, staffId, at.toISOString()]);
      if (!added) return;
      // A message about a case shows it to whoever received it: audited like any read of it.
      const sent = await tx.get<{ case_id: string | null; kind: string; role: string | null }>('SELECT o.case_id, o.kind, s.role FROM outbox o LEFT JOIN staff s ON s.id = ? WHERE o.id = ?', [staffId, outboxId]);
      if (sent?.case_id) await tx.audit({ at: at.toISOString(), actor: staffId, role: sent.role ?? 'unknown', action: CASE_SENT, caseId: sent.case_id, data: { channel, message: sent.kind } });
    });
  }

  /** Unsent messages of a kind about a school that this instance holds the lease on, in queue order (to send as one digest). */
  dueForSchool(kind: string, schoolId: string): Promise<{ id: number; caseId: string }[]> {
    return this.#db.all<{ id: number; caseId: string }>(
      `SELECT id, case_id AS "caseId" FROM outbox WHERE kind = ? AND school_id = ? AND sent_at IS NULL AND lease_holder = ? ORDER BY id`,
      [kind, schoolId, this.#holder],
    );
  }

  /**
   * Makes every unsent message due at `now` (someone they wait for can now be reached). Serialised
   * with the other writers, and touching only messages not yet due: a crowd of heads arriving at
   * once makes one update, not a pile of conflicting ones.
   */
  async retryUnsentNow(now: Date): Promise<void> {
    // Messages being sent right now are not touched by the update: remembered, they retry at once if they fail.
    this.#retryAskedAt = Math.max(this.#retryAskedAt, now.getTime());
    const at = now.toISOString();
    await this.#db.write((tx) => tx.run('UPDATE outbox SET next_attempt_at = ? WHERE sent_at IS NULL AND next_attempt_at > ?', [at, at]));
  }

  /** Every message, in queue order (for operators and tests; payloads hold ids, never pupil details). */
  async entries(filter: { kind?: string } = {}): Promise<OutboxEntry[]> {
    const rows = await this.#db.all<OutboxRow>(`SELECT * FROM outbox${filter.kind ? ' WHERE kind = ?' : ''} ORDER BY id`, filter.kind ? [filter.kind] : []);
    return rows.map((r) => ({ ...message(r), sentAt: r.sent_at, lastError: r.last_error }));
  }

  /** Every delivery recorded: which message reached whom, in which channel. */
  deliveries(): Promise<{ outboxId: number; channel: string; staffId: string }[]> {
    return this.#db.all(`SELECT outbox_id AS "outboxId", channel, staff_id AS "staffId" FROM deliveries ORDER BY outbox_id, channel, staff_id`);
  }

  /** Takes the lease on the due, unsent messages no live lease holds. */
  #claim(kinds: readonly string[], now: Date): Promise<OutboxRow[]> {
    if (kinds.length === 0) return Promise.resolve([]);
    const at = now.toISOString();
    const until = new Date(now.getTime() + LEASE_MS).toISOString();
    return this.#db.write(async (tx) => {
      const rows = await tx.all<OutboxRow>(
        `SELECT * FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY id`,
        [at, at, ...kinds],
      );
      for (let i = 0; i < rows.length; i += 500) {
        const ids = rows.slice(i, i + 500).map((r) => r.id);
        await tx.run(`UPDATE outbox SET lease_holder = ?, lease_until = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [this.#holder, until, ...ids]);
      }
      return rows;
    });
  }
}
