import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { createRedisClient, type Redis, type RedisTarget } from '@terrarium/platform/redis';

/** A connection attempt gives up after this long; the cache is a miss meanwhile. @default 1_000 ms */
const CONNECT_TIMEOUT_MS = 1_000;
/** Keys deleted per round trip by clear(). @default 500 */
const CLEAR_BATCH = 500;

/**
 * keyv's store on an ioredis client from createRedisClient, used when Redis is behind Sentinel,
 * so the cache follows a failover like every other Redis client (@keyv/redis's node-redis client,
 * kept for plain URLs, cannot be made from the same factory). Keyv serializes values and prefixes keys with the
 * namespace; this stores strings with a millisecond TTL. Commands fail at once while Redis is
 * unreachable (no offline queue): the kit's cache turns each failure into a miss.
 */
export class RedisCacheStore extends EventEmitter implements KeyvStoreAdapter {
  readonly opts: Record<string, unknown> = {};
  namespace?: string | undefined;
  private readonly client: Redis;
  /** Resolves on the first connection; commands wait for it during the first CONNECT_TIMEOUT_MS only. */
  private readonly firstReady: Promise<void>;
  private readonly createdAt = Date.now();

  constructor(target: RedisTarget) {
    super();
    this.client = createRedisClient(target, {
      enableOfflineQueue: false,
      connectTimeout: CONNECT_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, 5_000),
    });
    this.client.on('error', (err: Error) => this.emit('error', err));
    this.firstReady = new Promise((resolve) => this.client.once('ready', () => resolve()));
  }

  /**
   * The client, once usable. Right after start the first connection is still being made: wait
   * for it (as @keyv/redis did) rather than miss every lookup of the first requests; after that,
   * a client that is not ready fails at once (no offline queue).
   */
  private async connected(): Promise<Redis> {
    if (this.client.status !== 'ready' && Date.now() - this.createdAt < CONNECT_TIMEOUT_MS) {
      await Promise.race([
        this.firstReady,
        new Promise((resolve) => setTimeout(resolve, CONNECT_TIMEOUT_MS).unref()),
      ]);
    }
    return this.client;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return ((await (await this.connected()).get(key)) ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<void> {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const client = await this.connected();
    if (ttl && ttl > 0) await client.set(key, text, 'PX', Math.ceil(ttl));
    else await client.set(key, text);
  }

  async delete(key: string): Promise<boolean> {
    return (await (await this.connected()).del(key)) > 0;
  }

  /** Deletes this namespace's keys only (SCAN, never KEYS or FLUSHDB: Redis is shared). */
  async clear(): Promise<void> {
    if (!this.namespace) throw new Error('refusing to clear a Redis cache without a namespace');
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(
        cursor,
        'MATCH',
        `${this.namespace}:*`,
        'COUNT',
        CLEAR_BATCH,
      );
      if (keys.length > 0) await this.client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  }

  async disconnect(): Promise<void> {
    this.client.disconnect();
  }
}
