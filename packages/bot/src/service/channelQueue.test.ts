import { describe, expect, it } from 'vitest';
import { RecipientUnreachable } from '../conversation/channel.js';
import { ChannelBackingOff } from './circuitBreaker.js';
import { ChannelQueue, QueueStopped, SendTimedOut } from './channelQueue.js';

const never = () => new Promise<never>(() => {});

describe('ChannelQueue', () => {
  it('runs its jobs one at a time, in the order given', async () => {
    const q = new ChannelQueue('slack');
    const order: string[] = [];
    const slow = q.run(async () => {
      await new Promise((r) => setTimeout(r, 30));
      order.push('first');
    });
    const fast = q.run(async () => void order.push('second'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['first', 'second']);
  });

  it('abandons a send that hangs after its timeout, and the next job runs', async () => {
    const q = new ChannelQueue('slack', { sendTimeoutMs: 50 });
    const started = Date.now();
    await expect(q.run(() => q.send(never))).rejects.toBeInstanceOf(SendTimedOut);
    expect(Date.now() - started).toBeLessThan(500);
    expect(await q.run(() => q.send(async () => 'sent'))).toBe('sent');
  });

  it('skips a channel failing again and again without calling it, says so, and retries what waited once a probe succeeds', async () => {
    const backingOff: string[] = [];
    let recovered = 0;
    const q = new ChannelQueue('slack', { sendTimeoutMs: 20, breaker: { failuresToOpen: 2, firstBackoffMs: 100 }, onBackingOff: (at) => backingOff.push(at), onRecovered: () => recovered++ });
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error('503');
    };
    await expect(q.send(failing)).rejects.toThrow('503');
    await expect(q.send(never)).rejects.toBeInstanceOf(SendTimedOut);
    expect(q.health()).toMatchObject({ name: 'slack', state: 'backing-off', failures: 2, retryAt: expect.any(String) });
    expect(backingOff).toHaveLength(1);
    await expect(q.send(failing)).rejects.toBeInstanceOf(ChannelBackingOff);
    expect(calls).toBe(1);

    await new Promise((r) => setTimeout(r, 120));
    expect(await q.send(async () => 'probe')).toBe('probe');
    expect(q.health()).toEqual({ name: 'slack', state: 'ok', failures: 0 });
    expect(recovered).toBe(1);
  });

  it('does not back off from a channel because of people it cannot reach, however many', async () => {
    const q = new ChannelQueue('slack', { breaker: { failuresToOpen: 2, firstBackoffMs: 60_000 } });
    for (let i = 0; i < 5; i++) {
      await expect(q.send(async () => Promise.reject(new RecipientUnreachable('slack', 'user_not_found')))).rejects.toBeInstanceOf(RecipientUnreachable);
    }
    expect(q.health()).toEqual({ name: 'slack', state: 'ok', failures: 0 });
    expect(await q.send(async () => 'sent to someone else')).toBe('sent to someone else');
    // …and a channel failure after them still counts from nought.
    await expect(q.send(async () => Promise.reject(new Error('503')))).rejects.toThrow('503');
    expect(q.health()).toMatchObject({ state: 'ok', failures: 1 });
  });

  it('refuses jobs not yet started once stopped', async () => {
    const q = new ChannelQueue('teams', { sendTimeoutMs: 50 });
    const running = q.run(() => q.send(never));
    const waiting = q.run(async () => 'never run');
    await new Promise((r) => setTimeout(r, 5)); // the first job has started
    q.stop();
    await expect(running).rejects.toBeInstanceOf(SendTimedOut);
    await expect(waiting).rejects.toBeInstanceOf(QueueStopped);
  });
});
