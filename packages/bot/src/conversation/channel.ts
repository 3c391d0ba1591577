/**
 * A channel the service reaches staff through (Teams, Slack). The outbox sender asks each
 * channel whether it can reach a member of staff, and sends them replies there unprompted.
 */
import type { Reply } from './replies.js';

export interface Channel {
  /** Stable: delivery records are kept per channel. */
  readonly name: string;
  /** Whether the member of staff has been seen in this channel (so there is somewhere to send). */
  canReach(staffId: string): Promise<boolean>;
  /**
   * Sends replies to the member of staff, unprompted. Throws to have it retried:
   * {@link RecipientUnreachable} when the channel answered but cannot reach this person.
   */
  send(staffId: string, replies: readonly Reply[]): Promise<void>;
}

/**
 * The channel answered, but not for this person (they left the workspace, blocked or removed the
 * app): a fault of one recipient, not of the channel — it must not make the channel back off
 * from everyone else. The message stays in the outbox for them as any failed send does.
 */
export class RecipientUnreachable extends Error {
  constructor(channel: string, reason: string) {
    super(`${channel}: this person cannot be reached (${reason})`);
    this.name = 'RecipientUnreachable';
  }
}
