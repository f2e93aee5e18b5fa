import { RateLimitedError } from '@terrarium/platform/errors';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Logger } from 'pino';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { LoginLimitSettings } from '../settings.js';
import { createAccountLimiters, emailKey } from './account-limiters.js';

/**
 * The brute-force brake on log-in: failed attempts are counted per account (its normalised email,
 * whether or not the account exists, so the answer reveals nothing) and per client IP (the one the
 * gateway put in the caller token). Past either limit every attempt is refused before the password
 * is even checked, until the window ends. Wrong two-factor codes are counted per account (user id)
 * on a budget of their own. Counters live where account-limiters.ts keeps them.
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

export function createLoginLimits(
  settings: LoginLimitSettings,
  config: Pick<SubgraphConfig, 'redisUrl' | 'name' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): LoginLimits {
  const limiters = createAccountLimiters('login-failures', config, logger);
  const limiter = (name: string, points: number) =>
    limiters.limiter(name, points, settings.windowSeconds, settings.windowSeconds);
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
        perAccount.get(emailKey(email)),
        clientIp ? perIp.get(clientIp) : null,
      ]);
      refuseIfOver(account, settings.maxFailuresPerAccount);
      refuseIfOver(ip, settings.maxFailuresPerIp);
    },
    async recordFailure(email, clientIp) {
      await Promise.all([count(perAccount, emailKey(email)), clientIp ? count(perIp, clientIp) : undefined]);
    },
    async recordSuccess(email) {
      await perAccount
        .delete(emailKey(email))
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
    close: () => limiters.close(),
  };
}
