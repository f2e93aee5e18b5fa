import { createHash } from 'node:crypto';
import { createRedisClient } from '@terrarium/platform/redis';
import { RateLimitedError } from '@terrarium/platform/errors';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RLWrapperTimeouts,
  type RateLimiterAbstract,
  type RateLimiterRes,
} from 'rate-limiter-flexible';
import type { LoginLimitSettings } from '../settings.js';

/**
 * The brute-force brake on log-in: failed attempts are counted per account (its normalised email,
 * whether or not the account exists, so the answer reveals nothing) and per client IP (the one the
 * gateway put in the caller token). Past either limit every attempt is refused before the password
 * is even checked, until the window ends. Wrong two-factor codes are counted per account (user id)
 * on a budget of their own. Counters live in Redis when REDIS_URL is set (shared by
 * every ops instance), in memory otherwise; a Redis call waits at most REDIS_BUDGET_MS and then
 * falls back to this instance's memory, so a hung Redis slows no log-in.
 */
export interface LoginLimits {
  /** Throws RATE_LIMITED (with retryAfterSeconds) when the account or the IP is over its limit. */
  check(email: string, clientIp: string | undefined): Promise<void>;
  recordFailure(email: string, clientIp: string | undefined): Promise<void>;
  /** A successful log-in clears the account's count (not the IP's). */
  recordSuccess(email: string): Promise<void>;
  /** Throws RATE_LIMITED when the account has sent too many wrong two-factor codes. */
  checkCode(userId: string): Promise<void>;
  recordCodeFailure(userId: string): Promise<void>;
  /** An accepted code clears the account's count of wrong ones. */
  recordCodeSuccess(userId: string): Promise<void>;
  close(): Promise<void>;
}

/** A limiter call to Redis waits at most this, then the in-memory insurance answers. @default 150 ms */
const REDIS_BUDGET_MS = 150;

/** The account key: a hash, so Redis holds no email addresses. */
function accountKey(email: string): string {
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

export function createLoginLimits(
  settings: LoginLimitSettings,
  config: Pick<SubgraphConfig, 'redisUrl' | 'name' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): LoginLimits {
  const client = config.redisUrl
    ? createRedisClient(config.redisUrl, {
        // Fail at once while disconnected instead of queueing attempts until Redis returns.
        enableOfflineQueue: false,
        connectTimeout: 1_000,
        maxRetriesPerRequest: 1,
        retryStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5_000),
      })
    : null;
  client?.on('error', (err: unknown) => logger.warn({ err }, 'login-limit Redis error'));

  const limiter = (name: string, points: number): RateLimiterAbstract => {
    const options = {
      keyPrefix: `${config.name}:login-failures:${scopeOf(config)}:${name}`,
      points,
      duration: settings.windowSeconds,
      blockDuration: settings.windowSeconds,
    };
    const memory = new RateLimiterMemory(options);
    if (!client) return memory;
    const redis = new RateLimiterRedis({ ...options, storeClient: client, insuranceLimiter: memory });
    return new RLWrapperTimeouts({
      limiter: redis,
      timeoutMs: REDIS_BUDGET_MS,
      insuranceLimiter: memory,
    }) as unknown as RateLimiterAbstract;
  };
  const perAccount = limiter('account', settings.maxFailuresPerAccount);
  const perIp = limiter('ip', settings.maxFailuresPerIp);
  // Wrong second factors count apart from wrong passwords: whoever sends codes already knows the
  // password, and a million codes must not be tried in 15 minutes.
  const codesPerAccount = limiter('code', settings.maxCodeFailuresPerAccount);

  const refuseIfOver = (res: RateLimiterRes | null, points: number) => {
    if (res && res.consumedPoints >= points)
      throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1_000)));
  };
  /** consume() rejects with a RateLimiterRes once over the limit: that is the point, not an error. */
  const count = async (target: RateLimiterAbstract, key: string) => {
    try {
      await target.consume(key);
    } catch (err) {
      if (err instanceof Error) logger.warn({ err }, 'login-limit counter failed');
    }
  };

  return {
    async check(email, clientIp) {
      const [account, ip] = await Promise.all([
        perAccount.get(accountKey(email)),
        clientIp ? perIp.get(clientIp) : null,
      ]);
      refuseIfOver(account, settings.maxFailuresPerAccount);
      refuseIfOver(ip, settings.maxFailuresPerIp);
    },
    async recordFailure(email, clientIp) {
      await Promise.all([
        count(perAccount, accountKey(email)),
        clientIp ? count(perIp, clientIp) : undefined,
      ]);
    },
    async recordSuccess(email) {
      await perAccount
        .delete(accountKey(email))
        .catch((err: unknown) => logger.warn({ err }, 'login-limit reset failed'));
    },
    async checkCode(userId) {
      refuseIfOver(await codesPerAccount.get(userId), settings.maxCodeFailuresPerAccount);
    },
    async recordCodeFailure(userId) {
      await count(codesPerAccount, userId);
    },
    async recordCodeSuccess(userId) {
      await codesPerAccount
        .delete(userId)
        .catch((err: unknown) => logger.warn({ err }, 'two-factor limit reset failed'));
    },
    async close() {
      if (client) await client.quit().catch(() => client.disconnect());
    },
  };
}
