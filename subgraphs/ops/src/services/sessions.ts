import type { EntityManager } from '@mikro-orm/postgresql';
import { requireService, requireUser } from '@terrarium/platform/caller';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Context } from '../context.js';
import { User, type UserEntity } from '../entities/user.entity.js';
import { TOKEN_TTL_SECONDS } from '../settings.js';
import { tokensRevokedJob } from './tokens-revoked.job.js';

/**
 * Log-out that sticks. Tokens stay self-contained JWTs (gateways verify them without asking
 * anyone); what ops adds is a list of exceptions every gateway holds in memory: revoked token ids
 * until their expiry, and per-account not-before times. Postgres is the record, the
 * `tokens.revoked` job tells the gateways.
 */

/** Revokes the token of this request until it expires; true. */
export async function logOut(ctx: Context): Promise<boolean> {
  const userId = requireUser(ctx.caller);
  const { tokenId, tokenExpiresAt } = ctx.caller;
  await ctx.em.transactional(async (tx) => {
    if (!tokenId || !tokenExpiresAt) {
      // A token issued before tokens carried a jti can only be revoked with all of the account's.
      await revokeAllTokens(tx, ctx.jobs, await tx.findOneOrFail(User, userId));
      return;
    }
    await tx.execute(
      `insert into revoked_token (jti, user_id, expires_at) values (?, ?, to_timestamp(?)) on conflict (jti) do nothing`,
      [tokenId, userId, tokenExpiresAt],
    );
    await ctx.jobs.enqueue(tx, tokensRevokedJob, { kind: 'token', jti: tokenId, expiresAt: tokenExpiresAt });
  });
  return true;
}

/**
 * In the transaction of a password reset or a role change: every token of `user` issued until
 * now stops working. The not-before time is rounded up to a whole second (JWT times are seconds)
 * and the token issuer dates later tokens no earlier, so the token the reset itself answers works.
 * The revocation job this enqueues wakes its workers once the transaction commits.
 */
export async function revokeAllTokens(tx: EntityManager, jobs: JobQueue, user: UserEntity): Promise<void> {
  const notBefore = Math.ceil(Date.now() / 1000);
  user.tokensNotBefore = new Date(notBefore * 1000);
  await tx.flush();
  await jobs.enqueue(tx, tokensRevokedJob, { kind: 'user', userId: user.id, notBefore });
}

export interface TokenRevocations {
  asOf: Date;
  tokens: { jti: string; expiresAt: Date }[];
  users: { userId: string; notBefore: Date }[];
}

/**
 * Internal, for gateways without Redis (they poll): revocations still in force; with `since`,
 * tokens revoked after it and accounts whose not-before time is after it. `asOf` is the
 * database's clock, for the next poll; a poller asks from a little before it, since a revocation
 * is stamped when its transaction begins and becomes visible when it commits.
 */
export async function listTokenRevocations(
  ctx: Context,
  since: Date | null | undefined,
): Promise<TokenRevocations> {
  requireService(ctx.caller, 'gateway');
  const [clock] = await ctx.em.execute<{ now: Date }[]>('select now() as now');
  const asOf = new Date(clock!.now);
  const from = since ?? new Date(0);
  const [tokens, users] = await Promise.all([
    ctx.em.execute<{ jti: string; expires_at: Date }[]>(
      `select jti, expires_at from revoked_token where expires_at > now() and revoked_at > ?`,
      [from],
    ),
    ctx.em.execute<{ id: string; tokens_not_before: Date }[]>(
      `select id, tokens_not_before from user_account where tokens_not_before > greatest(?::timestamptz, now() - make_interval(secs => ?))`,
      [from, TOKEN_TTL_SECONDS],
    ),
  ]);
  return {
    asOf,
    tokens: tokens.map((row) => ({ jti: row.jti, expiresAt: new Date(row.expires_at) })),
    users: users.map((row) => ({ userId: row.id, notBefore: new Date(row.tokens_not_before) })),
  };
}
