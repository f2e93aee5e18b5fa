import type { Logger } from 'pino';
import type { RedisTarget } from '@terrarium/platform/redis';
import { eventMetaOf, type EventMeta } from './events/event-id.js';
import type { EventLog } from './events/event-log.js';
import { streamEvents } from './events/event-stream.js';
import { createMemoryLog } from './events/memory-log.js';
import { createRedisLog } from './events/redis-log.js';

export { eventMetaOf, isEventId, compareEventIds, type EventMeta } from './events/event-id.js';

export interface PublishOptions {
  /**
   * Publishes at most once per key and topic (for a day): a job that runs again after a crash
   * (`${run.id}:...`) does not publish its event twice.
   */
  key?: string;
}

export interface SubscribeOptions {
  /** Resume: first the retained events after this event id, then live ones. */
  after?: string | null;
}

export interface EventBus {
  /**
   * A subscription event: given an id, kept for resuming (the newest 1,000 per topic, a day) and
   * delivered to every subscriber of `topic` on every instance. Resolves to the id, or null when
   * `options.key` was published before.
   */
  publish<T>(topic: string, payload: T, options?: PublishOptions): Promise<string | null>;
  /** The events of `topic` from now on, or after `options.after` first (see ./events/event-stream.ts). */
  subscribe<T>(topic: string, options?: SubscribeOptions): AsyncIterableIterator<T>;
  /**
   * A plain message to other processes that listen on Redis themselves (the gateway's token and
   * API-key revocations, feature flags): JSON of the payload on `<subgraph>:<topic>`, no id, not
   * kept. Nothing without Redis.
   */
  broadcast<T>(topic: string, payload: T): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscription events. With Redis, an event published by one instance of a subgraph reaches
 * subscribers connected to every instance, and a subscriber that reconnects (to any instance)
 * resumes after the last event it got; without it, events stay in this process. Topics are
 * namespaced with the subgraph's name so subgraphs sharing a Redis never see each other's events.
 */
export function createEventBus(namespace: string, redisUrl: RedisTarget | null, logger: Logger): EventBus {
  const log: EventLog = redisUrl ? createRedisLog(namespace, redisUrl, logger) : createMemoryLog();
  return {
    publish: (topic, payload, options = {}) => log.append(topic, payload, options.key ?? null),
    subscribe: (topic, options = {}) => streamEvents(log, topic, options.after ?? null),
    broadcast: (topic, payload) => log.broadcast(topic, payload),
    close: () => log.close(),
  };
}

/**
 * The bus as one resumed subscription sees it: its subscribe starts after `after` (the last event
 * id the client got). A subscription reads one topic, whose ids `after` belongs to.
 */
export function resumingAfter(bus: EventBus, after: string): EventBus {
  return {
    ...bus,
    subscribe: (topic, options = {}) => bus.subscribe(topic, { after, ...options }),
  };
}

/**
 * The events of `source` that `keep` accepts, for subscriptions whose topic carries more than
 * one subscriber may see. `return` goes straight to the source (not through a pending `next`),
 * so a client that leaves while no event flows unsubscribes at once. A resume's note (resumedAfter,
 * gap) on an event left out moves to the next event kept, so the subscriber still gets it.
 */
export function filterEvents<T>(
  source: AsyncIterableIterator<T>,
  keep: (event: T) => boolean,
): AsyncIterableIterator<T> {
  let note: Omit<EventMeta, 'id'> | null = null;
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        const meta = result.done ? undefined : eventMetaOf(result.value);
        if (result.done || keep(result.value)) {
          // Only the first event after a resume carries a note, so the kept one has none of its own.
          if (meta && note) Object.assign(meta, note);
          note = null;
          return result;
        }
        if (meta?.resumedAfter)
          note = { resumedAfter: meta.resumedAfter, ...(meta.gap ? { gap: meta.gap } : {}) };
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
