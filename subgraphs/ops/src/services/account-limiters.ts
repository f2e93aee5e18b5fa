import { createHash } from 'node:crypto';
import { createRedisClient } from '@terrarium/platform/redis';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RLWrapperTimeouts,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

/**
 * What the log-in and password-reset brakes share: counters in Redis when REDIS_URL is set (shared
 * by every ops instance), in memory otherwise. A Redis call waits at most REDIS_BUDGET_MS and then
 * this instance's memory answers, so a hung Redis slows no log-in and no reset request.
 */
export interface AccountLimiters {
  /** A limiter of `points` per `windowSeconds` under `<subgraph>:<purpose>:<scope>:<name>`. */
  limiter(name: string, points: number, windowSeconds: number, blockSeconds?: number): RateLimiterAbstract;
  close(): Promise<void>;
}

/** A limiter call to Redis waits at most this, then the in-memory insurance answers. @default 150 ms */
const REDIS_BUDGET_MS = 150;

/** The key of an email address: a hash of its normal form, so Redis holds no addresses. */
export function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

/**
 * Counters belong to the accounts they protect, so they are scoped by ops' database and schema:
 * every ops instance on one user base shares them, another deployment (or test run) on the same
 * Redis does not.
 */
function scopeOf(config: Pick<SubgraphConfig, 'databaseUrl' | 'databaseSchema'>): string {
  const database = new URL(config.databaseUrl).pathname.replace(/^\//, '') || 'postgres';
  return `${database}.${config.databaseSchema}`;
}

export function createAccountLimiters(
  purpose: string,
  config: Pick<SubgraphConfig, 'redisUrl' | 'name' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): AccountLimiters {
  const client = config.redisUrl
    ? createRedisClient(config.redisUrl, {
        // Fail at once while disconnected instead of queueing attempts until Redis returns.
        enableOfflineQueue: false,
        connectTimeout: 1_000,
        maxRetriesPerRequest: 1,
        retryStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
      })
    : null;
  client?.on('error', (err: unknown) => logger.warn({ err }, `${purpose} limit Redis error`));
  const prefix = `${config.name}:${purpose}:${scopeOf(config)}`;

  return {
    limiter(name, points, windowSeconds, blockSeconds) {
      const options = {
        keyPrefix: `${prefix}:${name}`,
        points,
        duration: windowSeconds,
        ...(blockSeconds === undefined ? {} : { blockDuration: blockSeconds }),
      };
      const memory = new RateLimiterMemory(options);
      if (!client) return memory;
      const redis = new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: memory });
      return new RLWrapperTimeouts({
        limiter: redis,
        timeoutMs: REDIS_BUDGET_MS,
        insuranceLimiter: memory,
      }) as unknown as RateLimiterAbstract;
    },
    async close() {
      if (client) await client.quit().catch(() => client.disconnect());
    },
  };
}
