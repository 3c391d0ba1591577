/**
 * A circuit breaker for one channel's outbound sends: after `failuresToOpen` failures in a row the
 * channel is skipped (sends refused at once, without touching the network) until `retryAt`; then
 * one send goes through as a probe — success closes the breaker, failure opens it again for twice
 * as long (up to `longestBackoffMs`). A dead Slack so costs a few timeouts, not one per message.
 */

export interface CircuitBreakerOptions {
  /** Failures in a row that open the breaker. Default 3. */
  readonly failuresToOpen?: number;
  /** How long the first opening lasts; each failed probe doubles it. Default 30 s. */
  readonly firstBackoffMs?: number;
  /** The longest an opening lasts. Default 15 minutes. */
  readonly longestBackoffMs?: number;
  /** The clock (a test moves it). */
  readonly now?: () => number;
}

/** As `/healthz` reports a channel: `backing-off` while sends are skipped, `probing` while one is tried. */
export type BreakerState = 'ok' | 'backing-off' | 'probing';

export interface BreakerHealth {
  readonly state: BreakerState;
  /** Failures in a row (0 once a send succeeds). */
  readonly failures: number;
  /** When a probe may next go (ISO instant), while backing off. */
  readonly retryAt?: string;
}

/** Thrown instead of sending while a channel backs off: the message is retried later, like any failure. */
export class ChannelBackingOff extends Error {
  constructor(channel: string, retryAt: number) {
    super(`${channel} is backing off after repeated failures until ${new Date(retryAt).toISOString()}`);
    this.name = 'ChannelBackingOff';
  }
}

export class CircuitBreaker {
  readonly #failuresToOpen: number;
  readonly #firstBackoffMs: number;
  readonly #longestBackoffMs: number;
  readonly #now: () => number;
  #failures = 0;
  /** How many times it has opened since it last closed (the backoff doubles with each). */
  #openings = 0;
  #retryAt: number | undefined;
  #probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#failuresToOpen = options.failuresToOpen ?? 3;
    this.#firstBackoffMs = options.firstBackoffMs ?? 30_000;
    this.#longestBackoffMs = options.longestBackoffMs ?? 15 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Whether a send may go now. While backing off, no; once `retryAt` has passed, yes for one send
   * at a time (the probe), whose outcome the caller reports with `succeeded` or `failed`.
   */
  allows(): boolean {
    if (this.#retryAt === undefined) return true;
    if (this.#probing || this.#now() < this.#retryAt) return false;
    this.#probing = true;
    return true;
  }

  /** When a probe may go, while the breaker is open (for the error a refused send throws). */
  get retryAt(): number | undefined {
    return this.#retryAt;
  }

  /** A send succeeded: the channel is well. Returns whether this closed an open breaker. */
  succeeded(): boolean {
    const wasOpen = this.#retryAt !== undefined;
    this.#failures = 0;
    this.#openings = 0;
    this.#retryAt = undefined;
    this.#probing = false;
    return wasOpen;
  }

  /** A send failed (an error or a timeout). Opens the breaker at the threshold, or again after a failed probe. */
  failed(): void {
    this.#failures++;
    if (this.#probing || this.#failures >= this.#failuresToOpen) {
      const backoff = Math.min(this.#longestBackoffMs, this.#firstBackoffMs * 2 ** this.#openings);
      this.#openings++;
      this.#retryAt = this.#now() + backoff;
    }
    this.#probing = false;
  }

  health(): BreakerHealth {
    if (this.#retryAt === undefined) return { state: 'ok', failures: this.#failures };
    return { state: this.#probing ? 'probing' : 'backing-off', failures: this.#failures, retryAt: new Date(this.#retryAt).toISOString() };
  }
}
