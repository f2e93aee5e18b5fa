import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Redis, RedisGuard } from '../redis.js';

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

export interface RateLimiter {
  /** Counts one request of `client` (e.g. `key:<id>`, `user:<id>`, `ip:<addr>`). */
  hit(client: string): Promise<RateLimitVerdict>;
}

interface Options {
  redis: Redis | null;
  redisKeyPrefix: string;
  /** Requests per window; 0 turns limiting off. */
  max: number;
  windowMs: number;
  /** Bounds each Redis call (budget and circuit breaker). */
  guard: RedisGuard;
  logger: Logger;
}

/**
 * Per-client rate limits: a fixed window per client, counted in Redis when configured (shared by
 * every gateway; the key stays `<prefix>ratelimit:<client>`, holding the count), in memory
 * otherwise. rate-limiter-flexible does the counting (one atomic INCR + expiry script per hit, as
 * our own Lua did; an in-memory store with the same semantics). A Redis failure lets the request
 * through (logged): a limiter outage must not become a platform outage. Windows are whole
 * seconds (Redis EX), rounded up.
 */
export function createRateLimiter({
  redis,
  redisKeyPrefix,
  max,
  windowMs,
  guard,
  logger,
}: Options): RateLimiter {
  const duration = Math.max(1, Math.ceil(windowMs / 1000));
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${redisKeyPrefix}ratelimit`,
        points: Math.max(1, max),
        duration,
      })
    : new RateLimiterMemory({ keyPrefix: 'ratelimit', points: Math.max(1, max), duration });
  const verdict = (result: RateLimiterRes): RateLimitVerdict => ({
    allowed: result.consumedPoints <= max,
    limit: max,
    remaining: Math.max(0, max - result.consumedPoints),
    resetMs: result.msBeforeNext,
  });

  return {
    async hit(client) {
      if (max === 0) return { allowed: true, limit: 0, remaining: 0, resetMs: 0 };
      try {
        // Past the limit, consume rejects with the verdict itself: an answer, not a Redis failure.
        const consume = () =>
          limiter
            .consume(client)
            .catch((refusal: unknown) =>
              refusal instanceof RateLimiterRes ? refusal : Promise.reject(refusal),
            );
        return verdict(await (redis ? guard.run(consume) : consume()));
      } catch (refusal) {
        logger.warn({ err: refusal }, 'rate limiter unavailable; request let through');
        return { allowed: true, limit: max, remaining: max, resetMs: windowMs };
      }
    },
  };
}
