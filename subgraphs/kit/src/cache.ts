import { Keyv } from 'keyv';
import KeyvRedis from '@keyv/redis';
import type { Logger } from 'pino';
import type { SubgraphMetrics } from './metrics.js';
import { RedisCacheStore } from './redis-cache-store.js';
import type { RedisTarget } from './redis-client.js';

/** Named TTLs, in milliseconds. */
export const TTL = {
  /** Search results and lists that writes invalidate explicitly. @default 60_000 ms */
  LIST: 60_000,
  /** Single entities and aggregates invalidated on write. @default 300_000 ms */
  ENTITY: 300_000,
} as const;

/**
 * A cache lookup never waits longer than this: a slow or absent Redis is a miss, not a slow
 * request. @default 250 ms
 */
const CACHE_OP_TIMEOUT_MS = 250;

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Returns the cached value, or computes, stores and returns it. */
  getOrSet<T>(key: string, ttlMs: number, compute: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface CacheOptions {
  namespace: string;
  /** A redis:// URL or a Sentinel connection (REDIS_SENTINELS); memory when null. */
  redisUrl: RedisTarget | null;
  logger: Logger;
  metrics?: SubgraphMetrics;
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`cache operation timed out after ${CACHE_OP_TIMEOUT_MS} ms`)), CACHE_OP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A plain URL keeps @keyv/redis (node-redis), as before; Sentinel needs an ioredis client from
 * createRedisClient, so it gets RedisCacheStore. Both fail fast while disconnected instead of
 * queueing commands until Redis returns.
 */
function createStore(target: RedisTarget): KeyvRedis<unknown> | RedisCacheStore {
  if (typeof target !== 'string') return new RedisCacheStore(target);
  return new KeyvRedis(
    {
      url: target,
      disableOfflineQueue: true,
      socket: { connectTimeout: 1_000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000) },
    },
    { throwOnConnectError: false, throwOnErrors: true, connectionTimeout: 1_000 },
  );
}

/**
 * One keyv per subgraph, namespaced by its name: Redis when a URL is given, memory otherwise.
 * Every error (Redis down, timeout, bad payload) is logged and treated as a miss.
 */
export function createCache(options: CacheOptions): Cache {
  const { logger, metrics } = options;
  const store = options.redisUrl ? createStore(options.redisUrl) : undefined;
  // An explicit `store: undefined` would replace keyv's default in-memory Map, so pass it only when set.
  const keyv = new Keyv({ ...(store ? { store } : {}), namespace: options.namespace, useKeyPrefix: true });
  keyv.on('error', (err: unknown) => logger.warn({ err }, 'cache error'));
  store?.on('error', (err: unknown) => logger.warn({ err }, 'cache store error'));

  const record = (result: 'hit' | 'miss' | 'error') => metrics?.cacheResults.inc({ result });

  const cache: Cache = {
    async get<T>(key: string) {
      try {
        const value = (await withTimeout(keyv.get<T>(key))) ?? undefined;
        record(value === undefined ? 'miss' : 'hit');
        return value;
      } catch (err) {
        record('error');
        logger.warn({ err, key }, 'cache get failed; treating as a miss');
        return undefined;
      }
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      try {
        await withTimeout(keyv.set(key, value, ttlMs));
      } catch (err) {
        logger.warn({ err, key }, 'cache set failed');
      }
    },
    async delete(key: string) {
      try {
        await withTimeout(keyv.delete(key));
      } catch (err) {
        logger.warn({ err, key }, 'cache delete failed');
      }
    },
    async getOrSet<T>(key: string, ttlMs: number, compute: () => Promise<T>) {
      const cached = await cache.get<T>(key);
      if (cached !== undefined) return cached;
      const value = await compute();
      await cache.set(key, value, ttlMs);
      return value;
    },
    async close() {
      try {
        await keyv.disconnect();
      } catch (err) {
        logger.debug({ err }, 'cache disconnect failed');
      }
    },
  };
  return cache;
}
