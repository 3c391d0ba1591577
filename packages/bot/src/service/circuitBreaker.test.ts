import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuitBreaker.js';

/** A breaker on a clock the test moves. */
function breaker(options: { failuresToOpen?: number; firstBackoffMs?: number; longestBackoffMs?: number } = {}) {
  let now = Date.parse('2026-03-20T09:00:00Z');
  const b = new CircuitBreaker({ ...options, now: () => now });
  return { b, wait: (ms: number) => void (now += ms), now: () => now };
}

describe('CircuitBreaker', () => {
  it('lets every send through while failures stay below the threshold, and a success clears them', () => {
    const { b } = breaker({ failuresToOpen: 3 });
    b.failed();
    b.failed();
    expect(b.allows()).toBe(true);
    expect(b.health()).toEqual({ state: 'ok', failures: 2 });
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.health()).toEqual({ state: 'ok', failures: 2 });
  });

  it('backs off after N failures in a row: sends are refused until retryAt, then one probe goes', () => {
    const { b, wait } = breaker({ failuresToOpen: 3, firstBackoffMs: 30_000 });
    for (let i = 0; i < 3; i++) b.failed();
    expect(b.health()).toEqual({ state: 'backing-off', failures: 3, retryAt: '2026-03-20T09:00:30.000Z' });
    expect(b.allows()).toBe(false);
    wait(29_999);
    expect(b.allows()).toBe(false);
    wait(1);
    expect(b.allows()).toBe(true); // the probe
    expect(b.health().state).toBe('probing');
    expect(b.allows()).toBe(false); // one probe at a time
  });

  it('doubles the interval after each failed probe, up to the longest', () => {
    const { b, wait, now } = breaker({ failuresToOpen: 1, firstBackoffMs: 1_000, longestBackoffMs: 3_000 });
    b.failed();
    const intervals: number[] = [];
    for (let i = 0; i < 4; i++) {
      const interval = b.retryAt! - now();
      intervals.push(interval);
      wait(interval);
      expect(b.allows()).toBe(true);
      b.failed();
    }
    expect(intervals).toEqual([1_000, 2_000, 3_000, 3_000]);
  });

  it('closes on a successful probe, says it recovered, and starts the next backoff from the first interval', () => {
    const { b, wait } = breaker({ failuresToOpen: 2, firstBackoffMs: 1_000 });
    b.failed();
    b.failed();
    wait(1_000);
    expect(b.allows()).toBe(true);
    b.failed(); // a failed probe: 2 s now
    wait(2_000);
    expect(b.allows()).toBe(true);
    expect(b.succeeded()).toBe(true);
    expect(b.health()).toEqual({ state: 'ok', failures: 0 });
    expect(b.succeeded()).toBe(false); // already closed: nothing recovered
    b.failed();
    b.failed();
    expect(b.retryAt! - Date.parse('2026-03-20T09:00:03Z')).toBe(1_000);
  });
});
