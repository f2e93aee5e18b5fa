import type { Logger } from 'pino';
import { TtlLru } from '../lru.js';
import type { Redis } from '../redis.js';

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
  logger: Logger;
}

/**
 * Fixed window in one round trip: INCR, set the expiry on the window's first hit, return the count
 * and the time left. As a script it is atomic, so N gateways count each client once.
 */
const FIXED_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }
`;

type ScriptedRedis = Redis & { terrariumRateLimit(key: string, windowMs: number): Promise<[number, number]> };

/**
 * Per-client rate limits, counted in Redis when configured (shared by every gateway), in memory
 * otherwise. A Redis failure lets the request through (logged): a limiter outage must not become
 * a platform outage.
 */
export function createRateLimiter({ redis, redisKeyPrefix, max, windowMs, logger }: Options): RateLimiter {
  const local = new TtlLru<{ count: number }>(100_000);
  let scripted: ScriptedRedis | null = null;
  if (redis) {
    redis.defineCommand('terrariumRateLimit', { numberOfKeys: 1, lua: FIXED_WINDOW });
    scripted = redis as ScriptedRedis;
  }
  const verdict = (count: number, resetMs: number): RateLimitVerdict => ({
    allowed: count <= max,
    limit: max,
    remaining: Math.max(0, max - count),
    resetMs,
  });

  return {
    async hit(client) {
      if (max === 0) return { allowed: true, limit: 0, remaining: 0, resetMs: 0 };
      if (scripted) {
        try {
          const [count, ttl] = await scripted.terrariumRateLimit(`${redisKeyPrefix}ratelimit:${client}`, windowMs);
          return verdict(count, ttl);
        } catch (err) {
          logger.warn({ err }, 'rate limiter unavailable; request let through');
          return { allowed: true, limit: max, remaining: max, resetMs: windowMs };
        }
      }
      const now = Date.now();
      const entry = local.get(client, now);
      if (entry) {
        entry.count += 1;
        return verdict(entry.count, local.ttl(client, now));
      }
      local.set(client, { count: 1 }, windowMs, now);
      return verdict(1, windowMs);
    },
  };
}
