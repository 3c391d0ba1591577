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
  /** Sends replies to the member of staff, unprompted. Throws to have it retried. */
  send(staffId: string, replies: readonly Reply[]): Promise<void>;
}
