import { createHash } from 'node:crypto';
import { createRedisClient } from '@terrarium/platform/redis';
import { RateLimitedError } from '@terrarium/platform/errors';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  RLWrapperTimeouts,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { PasswordResetSettings } from '../settings.js';

/**
 * Reset requests per address: every request counts, whether or not the account exists, so the
 * limit itself tells nothing and nobody can flood an inbox. Redis when REDIS_URL is set (shared by
 * every ops instance; a call waits at most REDIS_BUDGET_MS, then this instance's memory answers),
 * memory otherwise.
 */
export interface PasswordResetLimits {
  /** Counts one request; throws RATE_LIMITED (with retryAfterSeconds) past the limit. */
  consume(email: string): Promise<void>;
  close(): Promise<void>;
}

/** @default 150 ms */
const REDIS_BUDGET_MS = 150;

const addressKey = (email: string) =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');

export function createPasswordResetLimits(
  settings: PasswordResetSettings,
  config: Pick<SubgraphConfig, 'redisUrl' | 'name' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): PasswordResetLimits {
  const client = config.redisUrl
    ? createRedisClient(config.redisUrl, {
        enableOfflineQueue: false,
        connectTimeout: 1_000,
        maxRetriesPerRequest: 1,
      })
    : null;
  client?.on('error', (err: unknown) => logger.warn({ err }, 'password-reset limit Redis error'));
  // Scoped by database and schema, as the log-in limits are: one user base shares the counters.
  const database = new URL(config.databaseUrl).pathname.replace(/^\//, '') || 'postgres';
  const options = {
    keyPrefix: `${config.name}:password-reset:${database}.${config.databaseSchema}`,
    points: settings.maxRequestsPerAddress,
    duration: settings.windowSeconds,
  };
  const memory = new RateLimiterMemory(options);
  const limiter: RateLimiterAbstract = client
    ? (new RLWrapperTimeouts({
        limiter: new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: memory }),
        timeoutMs: REDIS_BUDGET_MS,
        insuranceLimiter: memory,
      }) as unknown as RateLimiterAbstract)
    : memory;

  return {
    async consume(email) {
      try {
        await limiter.consume(addressKey(email));
      } catch (res) {
        // consume() rejects with a RateLimiterRes once over the limit; any other error lets the request through.
        if (res instanceof RateLimiterRes)
          throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1_000)));
        logger.warn({ err: res }, 'password-reset limit failed');
      }
    },
    async close() {
      if (client) await client.quit().catch(() => client.disconnect());
    },
  };
}
