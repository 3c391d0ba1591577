/**
 * Each channel's own queue of outbound work: jobs run one at a time, in the order given, and
 * never wait on another channel. Each send inside a job is bounded by a timeout (abandoned, and
 * counted as a failure, when it passes) and goes through the channel's circuit breaker, so a
 * channel that keeps failing is skipped at once until its probe; one person it cannot reach
 * (RecipientUnreachable) is that person's failure, not the channel's. Stopping refuses the jobs not
 * yet started; the one running ends by its timeout at the latest.
 */
import { RecipientUnreachable } from '../conversation/channel.js';
import { ChannelBackingOff, CircuitBreaker, type BreakerHealth, type CircuitBreakerOptions } from './circuitBreaker.js';

export interface ChannelQueueOptions {
  /** The longest one send may take before it is abandoned. Default 10 s. */
  readonly sendTimeoutMs?: number;
  readonly breaker?: CircuitBreakerOptions;
  /** Called when a probe succeeds after backing off (to retry what waited at once). */
  readonly onRecovered?: () => void;
  /** Called when the channel starts backing off, with when it will probe (ISO instant). */
  readonly onBackingOff?: (retryAt: string) => void;
}

/** A channel's health, as `/healthz` reports it. */
export interface ChannelHealth extends BreakerHealth {
  readonly name: string;
}

/** Thrown by a send that took longer than its timeout (the call itself is abandoned). */
export class SendTimedOut extends Error {
  constructor(channel: string, ms: number) {
    super(`${channel} did not answer within ${ms} ms`);
    this.name = 'SendTimedOut';
  }
}

/** Thrown for a job the queue will not start because the service is stopping. */
export class QueueStopped extends Error {
  constructor(channel: string) {
    super(`${channel}: the service is stopping; not sent`);
    this.name = 'QueueStopped';
  }
}

export class ChannelQueue {
  readonly name: string;
  readonly sendTimeoutMs: number;
  readonly #breaker: CircuitBreaker;
  readonly #onRecovered: () => void;
  readonly #onBackingOff: (retryAt: string) => void;
  #tail: Promise<unknown> = Promise.resolve();
  #stopped = false;
  readonly #reachListeners: (() => void)[] = [];

  constructor(name: string, options: ChannelQueueOptions = {}) {
    this.name = name;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
    this.#breaker = new CircuitBreaker(options.breaker);
    this.#onRecovered = options.onRecovered ?? (() => {});
    this.#onBackingOff = options.onBackingOff ?? (() => {});
  }

  /** Runs `job` after the jobs already queued here; resolves or rejects with its outcome. */
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(() => {
      if (this.#stopped) throw new QueueStopped(this.name);
      return job();
    });
    // The next job waits for this one to end, however it ends.
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** One outbound call: refused at once while the channel backs off, abandoned after the timeout. */
  async send<T>(call: () => Promise<T>): Promise<T> {
    if (!this.#breaker.allows()) throw new ChannelBackingOff(this.name, this.#breaker.retryAt ?? Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new SendTimedOut(this.name, this.sendTimeoutMs)), this.sendTimeoutMs);
    });
    try {
      const result = await Promise.race([call(), timeout]);
      if (this.#breaker.succeeded()) this.#onRecovered();
      return result;
    } catch (error) {
      // The channel answered, for someone it cannot reach: it is working.
      if (error instanceof RecipientUnreachable) {
        if (this.#breaker.succeeded()) this.#onRecovered();
        throw error;
      }
      const wasBackingOff = this.#breaker.retryAt;
      this.#breaker.failed();
      const retryAt = this.#breaker.retryAt;
      if (retryAt !== undefined && retryAt !== wasBackingOff) this.#onBackingOff(new Date(retryAt).toISOString());
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Says someone became reachable in this channel: whoever listens (the notifier) queues what is being sent to them too. */
  someoneReachable(): void {
    for (const listener of this.#reachListeners) listener();
  }

  /** Listens for {@link someoneReachable}. */
  onSomeoneReachable(listener: () => void): void {
    this.#reachListeners.push(listener);
  }

  /** Refuses jobs not yet started (the one running ends by its send's timeout at the latest). */
  stop(): void {
    this.#stopped = true;
  }

  /** Resolves when the jobs queued so far have ended. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }

  health(): ChannelHealth {
    return { name: this.name, ...this.#breaker.health() };
  }
}
