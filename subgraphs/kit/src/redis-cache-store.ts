import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { createRedisClient, type Redis, type RedisTarget } from './redis-client.js';

/** A connection attempt gives up after this long; the cache is a miss meanwhile. @default 1_000 ms */
const CONNECT_TIMEOUT_MS = 1_000;
/** Keys deleted per round trip by clear(). @default 500 */
const CLEAR_BATCH = 500;

/**
 * keyv's store on an ioredis client from createRedisClient, so the cache follows a Sentinel
 * failover like every other Redis client (it replaced @keyv/redis, whose node-redis client could
 * not be made from the same factory). Keyv serializes values and prefixes keys with the
 * namespace; this stores strings with a millisecond TTL. Commands fail at once while Redis is
 * unreachable (no offline queue): the kit's cache turns each failure into a miss.
 */
export class RedisCacheStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  private readonly client: Redis;

  constructor(target: RedisTarget) {
    super();
    this.client = createRedisClient(target, {
      enableOfflineQueue: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 5_000),
    });
    this.client.on('error', (err: Error) => this.emit('error', err));
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return ((await this.client.get(key)) ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (ttl && ttl > 0) await this.client.set(key, text, 'PX', Math.ceil(ttl));
    else await this.client.set(key, text);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  /** Deletes this namespace's keys only (SCAN, never KEYS or FLUSHDB: Redis is shared). */
  async clear(): Promise<void> {
    if (!this.namespace) throw new Error('refusing to clear a Redis cache without a namespace');
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.namespace}:*`, 'COUNT', CLEAR_BATCH);
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async disconnect(): Promise<void> {
    this.client.disconnect();
  }
}
