/**
 * A slow subscriber: its events wait in a bounded queue that drops the oldest (and says how many
 * in the next event it gets), never in memory without bound; an expired token ends it.
 */
import { describe, expect, it, vi } from 'vitest';
import { DropOldestQueue } from '../src/subscriptions/queue.js';
import { Subscriber, type EventResult } from '../src/subscriptions/subscriber.js';

const event = (n: number): EventResult => ({ data: { n } });

function subscriber(capacity: number, expiresAt: number | null = null) {
  const left = vi.fn();
  const dropped: number[] = [];
  const created = new Subscriber({
    capacity,
    expiresAt,
    onLeave: left,
    onDropped: (count) => dropped.push(count),
  });
  return { created, left, dropped };
}

describe('a slow subscriber', () => {
  it('keeps the newest `capacity` events, drops the oldest, and reports the loss with the next event', async () => {
    const { created, dropped } = subscriber(100);
    for (let n = 1; n <= 250; n += 1) created.deliver(event(n));
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(150);

    const first = await created.next();
    expect(first.value).toEqual({ data: { n: 151 }, extensions: { droppedEvents: 150 } });
    const rest: EventResult[] = [];
    for (let i = 0; i < 99; i += 1) rest.push((await created.next()).value!);
    expect(rest.map((r) => r.data!['n'])).toEqual(Array.from({ length: 99 }, (_, i) => 152 + i));
    expect(rest.every((r) => r.extensions === undefined)).toBe(true);
  });

  it('never grows past its capacity however far behind the consumer is', () => {
    const queue = new DropOldestQueue<number>(10);
    for (let n = 0; n < 100_000; n += 1) queue.push(n);
    expect(queue.size).toBe(10);
    expect(queue.takeNow()).toEqual({ item: 99_990, dropped: 99_990 });
  });

  it('delivers what is queued before completing, and ends a waiting consumer at once when the client leaves', async () => {
    const { created, left } = subscriber(5);
    created.deliver(event(1));
    created.complete();
    expect(await created.next()).toEqual({ done: false, value: event(1) });
    expect(await created.next()).toEqual({ done: true, value: undefined });
    expect(left).toHaveBeenCalledTimes(1);

    const other = subscriber(5);
    const waiting = other.created.next();
    await other.created.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(other.left).toHaveBeenCalledTimes(1);
  });

  it('ends with UNAUTHENTICATED when the token expires, dropping what is queued', async () => {
    vi.useFakeTimers();
    try {
      const { created, left } = subscriber(5, Date.now() + 60_000);
      created.deliver(event(1));
      vi.advanceTimersByTime(60_000);
      expect(await created.next()).toEqual({ done: true, value: undefined });
      expect(created.terminalErrors).toEqual([
        expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED', reason: 'token_expired' } }),
      ]);
      expect(left).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
