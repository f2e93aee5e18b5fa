import { createCircuitBreaker } from '@terrarium/platform/circuit-breaker';
import { createRedisClient, type Redis, type RedisTarget } from '@terrarium/platform/redis';
import type { Logger } from 'pino';

/**
 * A Redis command fails after this long instead of holding a request: the gateway's uses of Redis
 * (rate limits, blocklists, the API-key verdict cache) all fail open or fall back. @default 250 ms
 */
const COMMAND_TIMEOUT_MS = 250;

/** The gateway's one Redis connection (shared state of N gateways), or null without REDIS_URL / REDIS_SENTINELS. */
export function createRedis(url: RedisTarget | null, logger: Logger): Redis | null {
  if (!url) return null;
  const redis = createRedisClient(url, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    // Reconnect quickly, but never let a backlog of queued commands build up behind an outage.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  let reported = false;
  redis.on('error', (err: Error) => {
    // ioredis emits an error per failed reconnect; one log line per outage is enough.
    if (!reported) logger.warn({ err }, 'redis unavailable; rate limits and blocklists fail open');
    reported = true;
  });
  redis.on('ready', () => {
    reported = false;
  });
  return redis;
}

/**
 * Runs a Redis call within its budget behind one circuit breaker per gateway process: a call over
 * budget or failing counts against Redis, and after 5 in a row every call is skipped at once (it
 * throws, and the caller fails open or misses) until a probe succeeds after the cool-down. So a
 * hung (SIGSTOPped) Redis costs a handful of budgets, not latency on every request.
 */
export interface RedisGuard {
  run<T>(call: () => Promise<T>): Promise<T>;
}

export function createRedisGuard(options: {
  budgetMs: number;
  coolDownMs: number;
  logger: Logger;
}): RedisGuard {
  const { budgetMs, coolDownMs, logger } = options;
  const breaker = createCircuitBreaker({
    coolDownMs,
    onStateChange: (state, reason) =>
      state === 'open'
        ? logger.warn({ reason, coolDownMs }, 'redis circuit open: rate limits fail open, APQ misses')
        : logger.info('redis circuit closed'),
  });
  return { run: (call) => breaker.run(call, budgetMs) };
}

export type { Redis };
