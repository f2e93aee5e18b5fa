import { Keyv } from 'keyv';
import KeyvRedis from '@keyv/redis';
import type { Logger } from 'pino';
import { CircuitOpenError, createCircuitBreaker } from '@terrarium/platform/circuit-breaker';
import type { SubgraphMetrics } from './metrics.js';
import { RedisCacheStore } from './redis-cache-store.js';
import type { RedisTarget } from '@terrarium/platform/redis';

/** Named TTLs, in milliseconds. */
export const TTL = {
  /** Search results and lists that writes invalidate explicitly. @default 60_000 ms */
  LIST: 60_000,
  /** Single entities and aggregates invalidated on write. @default 300_000 ms */
  ENTITY: 300_000,
} as const;

/**
 * How long a cache call may take, and when to stop calling a failing Redis at all: a slow, hung
 * or absent Redis is a miss, never a slow request. Environment: CACHE_READ_TIMEOUT_MS,
 * CACHE_WRITE_TIMEOUT_MS, CACHE_BREAKER_FAILURES, CACHE_BREAKER_COOLDOWN_MS (kit config.ts).
 */
export interface CacheBudget {
  /** A get waits at most this, then counts as a miss. @default 150 ms */
  readMs: number;
  /** A set or delete waits at most this (the write is then abandoned). @default 250 ms */
  writeMs: number;
  /** Consecutive failures or timeouts after which Redis is skipped. @default 5 */
  breakerFailures: number;
  /** How long Redis is skipped before one call probes it again. @default 5_000 ms */
  breakerCoolDownMs: number;
}

export const DEFAULT_CACHE_BUDGET: Readonly<CacheBudget> = Object.freeze({
  readMs: 150,
  writeMs: 250,
  breakerFailures: 5,
  breakerCoolDownMs: 5_000,
});

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  /**
   * Many keys in one Redis round trip (MGET) and one time budget: a value or undefined per key, in
   * the keys' order; all undefined when Redis fails, is slow or is skipped.
   */
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set<T>(key: string, value: T, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Like get and set, but a failed, slow or skipped (circuit open) Redis call rejects instead of
   * passing for a miss or a stored value: for callers to whom "absent" and "unknown" differ
   * (read-your-writes, replicas/read-your-writes.ts).
   */
  getOrThrow<T>(key: string): Promise<T | undefined>;
  setOrThrow<T>(key: string, value: T, ttlMs: number): Promise<void>;
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
  budget?: Partial<CacheBudget>;
}

/**
 * Entries are plain JSON (`{"value":…,"expires":…}`) read back with a bare JSON.parse. keyv's default
 * codec escapes strings that start with ':' and undoes that with a JSON.parse reviver, a call per
 * value: 7% of products' CPU while it served SearchProducts from its cached page (a CPU profile
 * under load). The cache holds JSON data only, no Buffers (the one thing that codec adds).
 */
const JSON_CODEC = {
  serialize: (data: unknown) => JSON.stringify(data),
  deserialize: (data: string) => JSON.parse(data) as never,
};

/** In every key: entries an older release wrote with keyv's codec, in the same Redis, are not read with this one. */
const CODEC_PREFIX = 'json';

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
      socket: {
        connectTimeout: 1_000,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
      },
    },
    { throwOnConnectError: false, throwOnErrors: true, connectionTimeout: 1_000 },
  );
}

/**
 * One keyv per subgraph, namespaced by its name: Redis when a URL is given, memory otherwise.
 * Every error (Redis down, timeout, bad payload) is logged and treated as a miss; every Redis call
 * runs within its budget behind a circuit breaker (the in-memory store needs neither).
 */
export function createCache(options: CacheOptions): Cache {
  const { logger, metrics } = options;
  const budget: CacheBudget = { ...DEFAULT_CACHE_BUDGET, ...options.budget };
  const store = options.redisUrl ? createStore(options.redisUrl) : undefined;
  // One backing store for both keyvs below (without Redis, one Map: a second default Map would
  // not see the first's entries).
  const backing = store ?? new Map<string, unknown>();
  const namespace = `${options.namespace}:${CODEC_PREFIX}`;
  const keyv = new Keyv({ store: backing, namespace, useKeyPrefix: true, ...JSON_CODEC });
  keyv.on('error', (err: unknown) => logger.warn({ err }, 'cache error'));
  // keyv answers a store error as a miss (get) or `false` (set); the strict calls need the error.
  // Errors are logged by the keyv above (its store's 'error' events), not twice.
  const strictKeyv = new Keyv({
    store: backing,
    namespace,
    useKeyPrefix: true,
    ...JSON_CODEC,
    throwOnErrors: true,
    emitErrors: false,
  });
  store?.on('error', (err: unknown) => logger.warn({ err }, 'cache store error'));

  const record = (result: 'hit' | 'miss' | 'error') => metrics?.cacheResults.inc({ result });
  const breaker = createCircuitBreaker({
    failureThreshold: budget.breakerFailures,
    coolDownMs: budget.breakerCoolDownMs,
    onStateChange: (state, reason) =>
      state === 'open'
        ? logger.warn({ reason, coolDownMs: budget.breakerCoolDownMs }, 'cache circuit open: skipping Redis')
        : logger.info('cache circuit closed: Redis answers again'),
  });
  const guarded = <T>(call: () => Promise<T>, budgetMs: number): Promise<T> =>
    store ? breaker.run(call, budgetMs) : call();
  // While the circuit is open every call fails at once by design: one warning per opening, not per call.
  const warn = (err: unknown, key: string, message: string) => {
    if (err instanceof CircuitOpenError) logger.debug({ key }, message);
    else logger.warn({ err, key }, message);
  };

  const cache: Cache = {
    async get<T>(key: string) {
      try {
        const value = (await guarded(() => keyv.get<T>(key), budget.readMs)) ?? undefined;
        record(value === undefined ? 'miss' : 'hit');
        return value;
      } catch (err) {
        record('error');
        warn(err, key, 'cache get failed; treating as a miss');
        return undefined;
      }
    },
    async getMany<T>(keys: readonly string[]) {
      if (keys.length === 0) return [];
      try {
        const values = await guarded(() => keyv.getMany<T>([...keys]), budget.readMs);
        return values.map((value) => {
          record(value == null ? 'miss' : 'hit');
          return value ?? undefined;
        });
      } catch (err) {
        for (const _ of keys) record('error');
        warn(err, keys.join(' '), 'cache getMany failed; treating as misses');
        return keys.map(() => undefined);
      }
    },
    async set<T>(key: string, value: T, ttlMs: number) {
      try {
        await guarded(() => keyv.set(key, value, ttlMs), budget.writeMs);
      } catch (err) {
        warn(err, key, 'cache set failed');
      }
    },
    async delete(key: string) {
      try {
        await guarded(() => keyv.delete(key), budget.writeMs);
      } catch (err) {
        warn(err, key, 'cache delete failed');
      }
    },
    async getOrThrow<T>(key: string) {
      try {
        const value = (await guarded(() => strictKeyv.get<T>(key), budget.readMs)) ?? undefined;
        record(value === undefined ? 'miss' : 'hit');
        return value;
      } catch (err) {
        record('error');
        throw err;
      }
    },
    async setOrThrow<T>(key: string, value: T, ttlMs: number) {
      const stored = await guarded(() => strictKeyv.set(key, value, ttlMs), budget.writeMs);
      if (!stored) throw new Error(`cache did not store ${key}`);
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
