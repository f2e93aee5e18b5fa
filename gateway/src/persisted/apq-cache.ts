import type { PersistedQueryOptions } from '@apollo/server';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisGuard } from '../redis.js';

/** Apollo's KeyValueCache<string>, named through @apollo/server (the gateway does not depend on @apollo/utils.keyvaluecache itself). */
export type ApqCache = NonNullable<PersistedQueryOptions['cache']>;

/**
 * Apollo Server's APQ store (`persistedQueries.cache`) in Redis, so that a query registered through
 * one gateway is found by the others. Apollo prefixes keys with `apq:`; they live under the
 * gateway's Redis prefix (`terrarium:apq:<sha256>`). Every entry expires (`ttlSeconds` unless Apollo
 * passes its own), so registrations cannot fill Redis for good. A Redis error is a miss (the client
 * re-sends the full query, as APQ intends) and a failed registration is only logged; every call
 * is bounded by `guard` (budget and circuit breaker), so a hung Redis is a miss, not a wait.
 */
export function createApqCache(
  redis: Redis,
  redisKeyPrefix: string,
  ttlSeconds: number,
  guard: RedisGuard,
  logger: Logger,
): ApqCache {
  const key = (k: string) => `${redisKeyPrefix}${k}`;
  return {
    async get(k) {
      try {
        return (await guard.run(() => redis.get(key(k)))) ?? undefined;
      } catch (err) {
        logger.warn({ err }, 'APQ store unavailable; treating as a miss');
        return undefined;
      }
    },
    async set(k, value, options) {
      const ttl = options?.ttl ?? ttlSeconds;
      try {
        await guard.run(() => (ttl ? redis.set(key(k), value, 'EX', ttl) : redis.set(key(k), value)));
      } catch (err) {
        logger.warn({ err }, 'could not register an APQ entry');
      }
    },
    async delete(k) {
      try {
        return (await guard.run(() => redis.del(key(k)))) > 0;
      } catch (err) {
        logger.warn({ err }, 'could not delete an APQ entry');
        return false;
      }
    },
  };
}
