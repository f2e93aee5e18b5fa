import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Redis, RedisGuard } from '../redis.js';
import { EntityCache, remainingSeconds } from './entity-cache.js';
import { listenForEntityChanges, type EntityChangeListener } from './invalidations.js';
import { createRedisEntityStore } from './redis-store.js';
import { createMemoryEntityStore } from './store.js';
import { createTieredEntityStore } from './tiered-store.js';

export { EntityCache, cacheScopeOf, type CacheScope } from './entity-cache.js';

export interface EntityCacheConfig {
  /** ENTITY_CACHE. @default true */
  enabled: boolean;
  /** Without Redis: the memory store's size (ENTITY_CACHE_MEMORY_MAX_BYTES). @default 64 MiB */
  memoryMaxBytes: number;
  /**
   * Without Redis: the longest an entry lives (ENTITY_CACHE_MEMORY_MAX_AGE_SECONDS). Subgraph
   * processes can reach a gateway's memory only through their answers, so writes off the
   * request path (jobs) are seen this late at worst. @default 1 s
   */
  memoryMaxAgeSeconds: number;
  /**
   * The entity types cached (ENTITY_CACHE_TYPES): those whose every write announces its changes
   * (subgraphs call `entityChanges.changed`). @default Product, User
   */
  types: readonly string[];
}

/**
 * The gateway's entity cache (see entity-cache.ts): in Redis, shared by every gateway and kept
 * fresh by the changes subgraphs announce there, with this gateway's memory in front
 * (tiered-store.ts); in memory alone without Redis, entries then kept `memoryMaxAgeSeconds` at
 * most. Null when turned off.
 */
export function createEntityCache(options: {
  config: EntityCacheConfig;
  redis: Redis | null;
  keyPrefix: string;
  guard: RedisGuard;
  registry: Registry;
  logger: Logger;
}): { cache: EntityCache; close(): Promise<void> } | null {
  const { config, redis, registry } = options;
  if (!config.enabled) return null;
  const logger = options.logger.child({ component: 'entity-cache' });
  const memory = createMemoryEntityStore(config.memoryMaxBytes);
  if (!redis) {
    const cache = new EntityCache({
      store: memory,
      registry,
      logger,
      maxAgeCapSeconds: config.memoryMaxAgeSeconds,
      types: new Set(config.types),
    });
    logger.info({ store: 'memory', maxAgeSeconds: config.memoryMaxAgeSeconds }, 'entity cache on');
    return { cache, close: () => cache.close() };
  }
  let listener: EntityChangeListener | null = null;
  const store = createTieredEntityStore({
    local: memory,
    shared: createRedisEntityStore({
      redis,
      keyPrefix: options.keyPrefix,
      guard: (call) => options.guard.run(call),
      logger,
    }),
    localUsable: () => listener?.listening ?? false,
    remainingSeconds,
  });
  const cache = new EntityCache({
    store,
    registry,
    logger,
    maxAgeCapSeconds: null,
    types: new Set(config.types),
  });
  listener = listenForEntityChanges(redis, cache, logger, () => void store.clearLocal());
  logger.info({ store: 'redis, memory in front' }, 'entity cache on');
  return {
    cache,
    async close() {
      await listener?.close();
      await cache.close();
    },
  };
}
