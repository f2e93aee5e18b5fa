/**
 * Subscription events have ids and can be resumed: a subscriber that names the last event it got
 * receives every later one exactly once (replayed, then live), from any instance sharing the
 * Redis; a resume point the log no longer holds is reported as a gap; a keyed publish happens
 * once. Against real Redis (when REDIS_URL is set) and the in-process log.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, CALLER_HEADER, signCaller } from '@terrarium/platform/caller';
import { createLogger } from '@terrarium/platform/logger';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  compareEventIds,
  createEventBus,
  eventMetaOf,
  type EventBus,
  type EventMeta,
} from '../src/pubsub.js';
import { createNotesSubgraph } from './fixture.js';

const logger = createLogger('event-log-test', 'silent');
const redisUrl = process.env['REDIS_URL'] ?? null;
const secret = process.env['INTERNAL_SECRET']!;

/** Takes `count` events from `source`, with their meta. */
async function take<T>(
  source: AsyncIterableIterator<T>,
  count: number,
): Promise<{ payload: T; meta: EventMeta }[]> {
  const taken: { payload: T; meta: EventMeta }[] = [];
  while (taken.length < count) {
    const step = await source.next();
    if (step.done) throw new Error('the subscription ended');
    taken.push({ payload: step.value, meta: eventMetaOf(step.value)! });
  }
  return taken;
}

const kinds = [
  { name: 'in process', redis: null },
  ...(redisUrl ? [{ name: 'Redis', redis: redisUrl }] : []),
];

describe.each(kinds)('the event log ($name)', ({ redis }) => {
  const namespace = `kit-events-${randomBytes(4).toString('hex')}`;
  const buses: EventBus[] = [];
  const bus = () => {
    const created = createEventBus(namespace, redis, logger);
    buses.push(created);
    return created;
  };
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
  });

  it('gives increasing ids and publishes a keyed event once', async () => {
    const events = bus();
    // Subscribing after an event of its own, the subscriber misses nothing however long it takes.
    const start = await events.publish('keyed', { n: 0 });
    const live = events.subscribe<{ n: number }>('keyed', { after: start });
    const first = await events.publish('keyed', { n: 1 }, { key: 'job-1' });
    expect(await events.publish('keyed', { n: 1 }, { key: 'job-1' })).toBeNull();
    const second = await events.publish('keyed', { n: 2 });
    expect(compareEventIds(second!, first!)).toBeGreaterThan(0);
    const got = await take(live, 2);
    expect(got.map((e) => [e.payload.n, e.meta.id])).toEqual([
      [1, first],
      [2, second],
    ]);
    await live.return?.();
  });

  it('resumes after an event: the later ones replayed, then live ones, each once', async () => {
    // With Redis, the publisher and the resuming subscriber are different instances.
    const publisher = bus();
    const resumer = redis ? bus() : publisher;
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) ids.push((await publisher.publish('resume', { n }))!);
    const resumed = resumer.subscribe<{ n: number }>('resume', { after: ids[1]! });
    const racing = Promise.all([5, 6, 7].map((n) => publisher.publish('resume', { n })));
    const got = await take(resumed, 6);
    ids.push(...((await racing) as string[]));
    expect(got.map((e) => e.payload.n).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(got.map((e) => e.meta.id)).toEqual([...got.map((e) => e.meta.id)].sort(compareEventIds));
    expect(new Set(got.map((e) => e.meta.id)).size).toBe(6);
    expect(got[0]!.meta).toEqual({ id: ids[2], resumedAfter: ids[1] });
    expect(got.slice(1).every((e) => e.meta.resumedAfter === undefined && e.meta.gap === undefined)).toBe(
      true,
    );
    await publisher.publish('resume', { n: 8 });
    expect((await take(resumed, 1))[0]!.payload.n).toBe(8);
    await resumed.return?.();
  });

  it('reports a gap when the log no longer holds the resume point', async () => {
    const events = bus();
    const first = await events.publish('gap', { n: 1 });
    const resumed = events.subscribe<{ n: number }>('gap', { after: '1-0' });
    const [event] = await take(resumed, 1);
    expect(event!.meta).toEqual({ id: first, resumedAfter: '1-0', gap: { after: '1-0', before: first } });
    await resumed.return?.();
  });
});

describe('resuming over graphql-ws', () => {
  it('sends extensions.eventId and, after lastEventId, replays what was missed', async () => {
    const subgraph = await createNotesSubgraph('kit_event_resume');
    const url = (await subgraph.listen(0)).replace('http', 'ws');
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: async () => ({ [CALLER_HEADER]: await signCaller(ANONYMOUS, secret) }),
      retryAttempts: 0,
    });
    type Next = {
      data?: { noteEvents: string } | null;
      extensions?: Record<string, unknown>;
      errors?: unknown[];
    };
    const collect = (extensions: Record<string, unknown> | undefined, count: number) => {
      const received: Next[] = [];
      let dispose = () => {};
      const done = new Promise<Next[]>((resolve, reject) => {
        dispose = client.subscribe<Next['data']>(
          { query: 'subscription { noteEvents }', ...(extensions ? { extensions } : {}) },
          {
            next: (result) => {
              received.push(result as Next);
              if (received.length === count) resolve(received);
            },
            error: reject,
            complete: () => resolve(received),
          },
        );
      });
      return { done, dispose: () => dispose() };
    };
    try {
      // Resuming after an event published before it subscribed, it misses nothing however slow.
      const start = await subgraph.events.publish('notes', { body: 'zero' });
      const live = collect({ lastEventId: start }, 1);
      await subgraph.execute({ query: 'mutation { addNote(body: "one") { id } }' });
      const [one] = await live.done;
      live.dispose();
      expect(one!.data?.noteEvents.split('@')[0]).toBe('one');
      expect(one!.extensions).toEqual({ eventId: expect.any(String), resumedAfter: start });
      const lastEventId = one!.extensions?.['eventId'] as string;
      expect(lastEventId).toMatch(/^\d+-\d+$/);
      // Missed while away: two notes.
      await subgraph.execute({ query: 'mutation { addNote(body: "two") { id } }' });
      await subgraph.execute({ query: 'mutation { addNote(body: "three") { id } }' });
      const resumed = collect({ lastEventId }, 2);
      const [two, three] = await resumed.done;
      resumed.dispose();
      expect([two!.data?.noteEvents.split('@')[0], three!.data?.noteEvents.split('@')[0]]).toEqual([
        'two',
        'three',
      ]);
      expect(two!.extensions).toMatchObject({ resumedAfter: lastEventId });
      expect(two!.extensions?.['gap']).toBeUndefined();
      expect(three!.extensions?.['resumedAfter']).toBeUndefined();

      const refused = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { noteEvents }', extensions: { lastEventId: 'not an id' } },
          { next: () => {}, error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(refused).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
    } finally {
      await client.dispose();
      await subgraph.stop();
    }
  });
});
