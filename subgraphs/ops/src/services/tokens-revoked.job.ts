import {
  REVOKED_TOKENS_KEY,
  TOKEN_REVOCATION_TOPIC,
  TOKENS_NOT_BEFORE_KEY,
  type TokenRevocation,
} from '@terrarium/platform/token-revocation';
import type { Redis } from '@terrarium/platform/redis';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';
import { TOKEN_TTL_SECONDS } from '../settings.js';

/**
 * What gateways learn when tokens are revoked (logOut, password reset, role change): enqueued in
 * the revoking transaction (the outbox), so a rolled-back revocation announces nothing and a
 * committed one is announced even if this process dies first.
 */
export const tokensRevokedJob = defineJob<TokenRevocation>('tokens.revoked', {
  retryLimit: 10,
  retryDelay: 1,
  retryBackoff: true,
});

/** A not-before time stops mattering once every token issued before it has expired. @default one hour and a minute */
const NOT_BEFORE_KEPT_SECONDS = TOKEN_TTL_SECONDS + 60;

/**
 * With Redis: the revocation goes into the sorted sets a starting gateway loads (expired members
 * trimmed on the way), then out on the `ops:token-revoked` channel every running gateway hears.
 * In that order, so a gateway that subscribes and then loads misses nothing. A redelivered job
 * writes and publishes the same facts again, which changes nothing. Without Redis, gateways poll
 * ops' tokenRevocations instead (gateway/src/identity/token-revocations.ts).
 */
export async function workTokensRevoked(
  jobs: JobQueue,
  events: EventBus,
  redis: Redis | null,
): Promise<void> {
  await jobs.work(tokensRevokedJob, async (revocation) => {
    if (redis) {
      const now = Math.floor(Date.now() / 1000);
      const multi = redis
        .multi()
        .zremrangebyscore(REVOKED_TOKENS_KEY, '-inf', now)
        .zremrangebyscore(TOKENS_NOT_BEFORE_KEY, '-inf', now - NOT_BEFORE_KEPT_SECONDS);
      if (revocation.kind === 'token') multi.zadd(REVOKED_TOKENS_KEY, revocation.expiresAt, revocation.jti);
      // GT: a retried older job never lowers a later not-before time.
      else multi.zadd(TOKENS_NOT_BEFORE_KEY, 'GT', revocation.notBefore, revocation.userId);
      const failed = (await multi.exec())?.find(([err]) => err);
      if (failed) throw failed[0];
    }
    await events.broadcast<TokenRevocation>(TOKEN_REVOCATION_TOPIC, revocation);
  });
}
