import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from 'pino';
import { createRedisClient, type RedisTarget } from '@terrarium/platform/redis';

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
  if (redisUrl) {
    const connect = () => {
      const client = createRedisClient(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: false });
      client.on('error', (err) => logger.warn({ err }, 'pubsub redis error'));
      return client;
    };
    const publisher = connect();
    const subscriber = connect();
    engine = new RedisPubSub({ publisher, subscriber });
    close = async () => {
      publisher.disconnect();
      subscriber.disconnect();
    };
  } else {
    engine = new PubSub();
  }
  const topic = (name: string) => `${namespace}:${name}`;
  return {
    publish: (name, payload) => engine.publish(topic(name), payload),
    subscribe: <T>(name: string) => engine.asyncIterableIterator<T>(topic(name)),
    close,
  };
}

/**
 * The events of `source` that `keep` accepts, for subscriptions whose topic carries more than
 * one subscriber may see. `return` goes straight to the source (not through a pending `next`),
 * so a client that leaves while no event flows unsubscribes at once.
 */
export function filterEvents<T>(
  source: AsyncIterableIterator<T>,
  keep: (event: T) => boolean,
): AsyncIterableIterator<T> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => source.return?.() ?? Promise.resolve({ value: undefined, done: true }),
    throw: (error: unknown) => source.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
