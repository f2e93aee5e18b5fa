import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { RateLimitedError } from '@terrarium/platform/errors';
import type { Logger } from 'pino';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { PasswordResetSettings } from '../settings.js';
import { createAccountLimiters, emailKey } from './account-limiters.js';

/**
 * Reset requests per address: every request counts, whether or not the account exists, so the
 * limit itself tells nothing and nobody can flood an inbox. Counters live where
 * account-limiters.ts keeps them (Redis shared by every ops instance, or memory).
 */
export interface PasswordResetLimits {
  /** Counts one request; throws RATE_LIMITED (with retryAfterSeconds) past the limit. */
  consume(email: string): Promise<void>;
  close(): Promise<void>;
}

export function createPasswordResetLimits(
  settings: PasswordResetSettings,
  config: Pick<SubgraphConfig, 'redisUrl' | 'name' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): PasswordResetLimits {
  const limiters = createAccountLimiters('password-reset', config, logger);
  const perAddress = limiters.limiter('address', settings.maxRequestsPerAddress, settings.windowSeconds);

  return {
    async consume(email) {
      try {
        await perAddress.consume(emailKey(email));
      } catch (res) {
        // consume() rejects with a RateLimiterRes once over the limit; any other error lets the request through.
        if (res instanceof RateLimiterRes)
          throw new RateLimitedError(Math.max(1, Math.ceil(res.msBeforeNext / 1_000)));
        logger.warn({ err: res }, 'password-reset limit failed');
      }
    },
    close: () => limiters.close(),
  };
}
