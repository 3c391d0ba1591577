/**
 * Sending what transitions queued (a Teams prompt, a reminder) after they commit: each
 * message is tried until it is sent, with growing waits between tries, and carries an
 * idempotency key so a receiver can drop a repeat if the process died mid-send.
 */
import type { Db } from './store/database.js';

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

/** Delivers one kind of message; throws to have it retried later. */
export type OutboxSender = (message: OutboxMessage) => Promise<void>;

export interface DeliveryResult {
  readonly sent: number;
  readonly failed: number;
  /** Due messages of kinds no sender handles here, or for people no channel can reach yet. */
  readonly waiting: number;
}

const MAX_WAIT_MINUTES = 60;

/** Sends every due, unsent message of a kind in `senders`, one at a time, in queue order. */
export async function deliverOutbox(db: Db, senders: Readonly<Record<string, OutboxSender>>, now: Date): Promise<DeliveryResult> {
  const due = db
    .prepare<[string], { id: number; idempotency_key: string; kind: string; case_id: string | null; payload: string; attempts: number }>(
      'SELECT id, idempotency_key, kind, case_id, payload, attempts FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY id',
    )
    .all(now.toISOString());
  let sent = 0;
  let failed = 0;
  let waiting = 0;
  for (const row of due) {
    const send = senders[row.kind];
    if (!send) {
      waiting++;
      continue;
    }
    try {
      await send({ id: row.id, idempotencyKey: row.idempotency_key, kind: row.kind, caseId: row.case_id, payload: JSON.parse(row.payload) as Record<string, unknown>, attempts: row.attempts });
      db.prepare('UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?').run(new Date().toISOString(), row.id);
      sent++;
    } catch (error) {
      const waitMinutes = Math.min(MAX_WAIT_MINUTES, 2 ** row.attempts);
      const next = new Date(now.getTime() + waitMinutes * 60_000).toISOString();
      db.prepare('UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(next, String((error as Error).message).slice(0, 500), row.id);
      if (error instanceof NobodyToReach) waiting++;
      else failed++;
    }
  }
  return { sent, failed, waiting };
}

/** Whether a message has already reached a recipient in a channel (a retry skips them). */
export function delivered(db: Db, outboxId: number, channel: string, staffId: string): boolean {
  return db.prepare('SELECT 1 FROM deliveries WHERE outbox_id = ? AND channel = ? AND staff_id = ?').get(outboxId, channel, staffId) !== undefined;
}

/** Records that a message reached a recipient in a channel. */
export function markDelivered(db: Db, outboxId: number, channel: string, staffId: string, at: Date): void {
  db.prepare('INSERT INTO deliveries (outbox_id, channel, staff_id, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(outboxId, channel, staffId, at.toISOString());
}

/** Unsent messages of a kind, due by `now`, about a school (their payload's `schoolId`), in queue order. */
export function dueForSchool(db: Db, kind: string, schoolId: string, now: Date): { id: number; caseId: string }[] {
  return db
    .prepare<[string, string, string], { id: number; caseId: string }>(
      `SELECT id, case_id AS caseId FROM outbox WHERE kind = ? AND sent_at IS NULL AND next_attempt_at <= ? AND json_extract(payload, '$.schoolId') = ? ORDER BY id`,
    )
    .all(kind, now.toISOString(), schoolId);
}

/** Makes every unsent message due at `now` (someone they wait for can now be reached). */
export function retryUnsentNow(db: Db, now: Date): void {
  db.prepare('UPDATE outbox SET next_attempt_at = ? WHERE sent_at IS NULL').run(now.toISOString());
}
