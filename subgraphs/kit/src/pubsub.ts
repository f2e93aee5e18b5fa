import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from 'pino';
import { createRedisClient, type RedisTarget } from './redis-client.js';

export interface EventBus {
  publish<T>(topic: string, payload: T): Promise<void>;
  subscribe<T>(topic: string): AsyncIterableIterator<T>;
  close(): Promise<void>;
}

/**
 * Subscription events. With Redis, an event published by one instance of a subgraph reaches
 * subscribers connected to every instance; without it, events stay in this process. Topics are
 * prefixed with the subgraph's name so subgraphs sharing a Redis never see each other's events.
 */
export function createEventBus(namespace: string, redisUrl: RedisTarget | null, logger: Logger): EventBus {
  let engine: PubSubEngine;
  let close = async () => {};
  /** Topic -> live iterators on it, for re-subscribing after a reconnect. */
  const inUse = new Map<string, number>();
  if (redisUrl) {
    const connect = () => {
      const client = createRedisClient(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
      client.on('error', (err) => logger.warn({ err }, 'pubsub redis error'));
      return client;
    };
    const publisher = connect();
    const subscriber = connect();
    // ioredis re-subscribes after a reconnect only if the connection it lost had confirmed its
    // SUBSCRIBEs; a connection lost again mid-resubscribe (a Sentinel failover does that) forgets
    // them, and subscribers stay connected but silent. So every ready connection subscribes to
    // the topics in use again (SUBSCRIBE is idempotent).
    subscriber.on('ready', () => {
      if (inUse.size === 0) return;
      subscriber.subscribe(...inUse.keys()).catch((err: unknown) => logger.warn({ err }, 'pubsub resubscribe failed'));
    });
    engine = new RedisPubSub({ publisher, subscriber });
    close = async () => {
      publisher.disconnect();
      subscriber.disconnect();
    };
  } else {
    engine = new PubSub();
  }
  const topic = (name: string) => `${namespace}:${name}`;
  /** Counts `iterator` on `name` until it returns (the subscriber went away). */
  const track = <T>(name: string, iterator: AsyncIterableIterator<T>): AsyncIterableIterator<T> => {
    inUse.set(name, (inUse.get(name) ?? 0) + 1);
    const finish = iterator.return?.bind(iterator);
    let finished = false;
    iterator.return = async (value?: unknown) => {
      if (!finished) {
        finished = true;
        const left = (inUse.get(name) ?? 1) - 1;
        if (left > 0) inUse.set(name, left);
        else inUse.delete(name);
      }
      return finish ? finish(value) : { done: true, value: undefined };
    };
    return iterator;
  };
  return {
    publish: (name, payload) => engine.publish(topic(name), payload),
    subscribe: <T>(name: string) => track(topic(name), engine.asyncIterableIterator<T>(topic(name))),
    close,
  };
}
