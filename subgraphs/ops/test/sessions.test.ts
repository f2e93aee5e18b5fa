/**
 * Log-out that sticks, ops' side: tokens carry a jti; logOut records the presented token as
 * revoked until its expiry, a role change records a not-before time for the account; both are
 * written to the Redis sets a starting gateway loads and announced on `ops:token-revoked` after
 * commit, and listed to gateways without Redis by the internal tokenRevocations.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { createRedisClient } from '@terrarium/platform/redis';
import {
  REVOKED_TOKENS_KEY,
  TOKEN_REVOCATION_CHANNEL,
  TOKENS_NOT_BEFORE_KEY,
  type TokenRevocation,
} from '@terrarium/platform/token-revocation';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, expectData, firstError, serviceCaller } from '@terrarium/subgraph-kit/testing';
import { asUser, em, LOG_IN, SIGN_UP, startOps, type AuthData, type Ops } from './helpers.js';

const PASSWORD = 'correct horse battery';
const run_ = `${Date.now()}-${randomInt(1e6)}`;
const redisUrl = process.env['REDIS_URL'];
const REVOCATIONS = /* GraphQL */ `
  query ($since: DateTime) {
    tokenRevocations(since: $since) {
      asOf
      tokens {
        jti
        expiresAt
      }
      users {
        userId
        notBefore
      }
    }
  }
`;

let ops: Ops;
beforeAll(async () => {
  ops = await startOps('ops_test_sessions');
});
afterAll(() => ops?.stop());

/** A new account and the caller its token makes at the gateway (jti and exp included). */
async function signedIn(name: string): Promise<{ userId: string; token: string; caller: Caller }> {
  const input = { email: `${name}-${run_}@example.test`, password: PASSWORD, displayName: name };
  const { signUp } = await expectData<{ signUp: AuthData }>(ops, SIGN_UP, { input });
  const claims = decodeJwt(signUp.token);
  return {
    userId: signUp.user.id,
    token: signUp.token,
    caller: { ...asUser(signUp.user.id), tokenId: claims.jti!, tokenExpiresAt: claims.exp! },
  };
}

/** Collects the revocation messages on the channel gateways listen to, while `action` runs and until `until` holds. */
async function heardDuring(
  action: () => Promise<void>,
  until: (heard: TokenRevocation[]) => boolean,
): Promise<TokenRevocation[]> {
  const subscriber = createRedisClient(redisUrl!);
  const heard: TokenRevocation[] = [];
  subscriber.on('message', (_channel: string, message: string) =>
    heard.push(JSON.parse(message) as TokenRevocation),
  );
  await subscriber.subscribe(TOKEN_REVOCATION_CHANNEL);
  try {
    await action();
    const deadline = Date.now() + 10_000;
    while (!until(heard) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    return heard;
  } finally {
    await subscriber.quit();
  }
}

describe('ops: log-out and token revocation', () => {
  it('issues tokens with a unique jti', async () => {
    const { token } = await signedIn('ana');
    const again = await execute<{ logIn: AuthData }>(ops, LOG_IN, {
      email: `ana-${run_}@example.test`,
      password: PASSWORD,
    });
    const [first, second] = [decodeJwt(token), decodeJwt(again.data!.logIn.token)];
    expect(first.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.jti).not.toBe(first.jti);
  });

  it('refuses logOut for an anonymous caller', async () => {
    expect(firstError(await execute(ops, 'mutation { logOut }', {}, ANONYMOUS))?.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it.skipIf(!redisUrl)(
    'revokes the presented token until its expiry: recorded, added to the Redis set, announced after commit',
    async () => {
      const { userId, caller } = await signedIn('bo');
      const heard = await heardDuring(
        async () =>
          expect(await expectData(ops, 'mutation { logOut }', {}, caller)).toEqual({ logOut: true }),
        (messages) => messages.some((m) => m.kind === 'token' && m.jti === caller.tokenId),
      );
      expect(heard).toContainEqual({ kind: 'token', jti: caller.tokenId, expiresAt: caller.tokenExpiresAt });
      const [row] = await em(ops).execute<{ user_id: string; expires_at: Date }[]>(
        'select user_id, expires_at from revoked_token where jti = ?',
        [caller.tokenId],
      );
      expect(row!.user_id).toBe(userId);
      expect(new Date(row!.expires_at).getTime()).toBe(caller.tokenExpiresAt! * 1000);
      const redis = createRedisClient(redisUrl!);
      try {
        expect(Number(await redis.zscore(REVOKED_TOKENS_KEY, caller.tokenId!))).toBe(caller.tokenExpiresAt);
      } finally {
        await redis.quit();
      }
      // Logging out twice is harmless.
      expect(await expectData(ops, 'mutation { logOut }', {}, caller)).toEqual({ logOut: true });
    },
  );

  it.skipIf(!redisUrl)(
    'revokes every token of a user whose roles change; tokens issued afterwards are dated at or after that time',
    async () => {
      const { userId, token } = await signedIn('cy');
      const staff = asUser(randomUUID(), ['STAFF']);
      const heard = await heardDuring(
        async () =>
          void (await expectData(
            ops,
            'mutation ($id: ID!) { setUserRoles(userId: $id, roles: [BREEDER, KEEPER]) { id } }',
            { id: userId },
            staff,
          )),
        (messages) => messages.some((m) => m.kind === 'user' && m.userId === userId),
      );
      const message = heard.find(
        (m): m is Extract<TokenRevocation, { kind: 'user' }> => m.kind === 'user' && m.userId === userId,
      )!;
      expect(message.notBefore).toBeGreaterThan(decodeJwt(token).iat!);
      const redis = createRedisClient(redisUrl!);
      try {
        expect(Number(await redis.zscore(TOKENS_NOT_BEFORE_KEY, userId))).toBe(message.notBefore);
      } finally {
        await redis.quit();
      }
      const fresh = await execute<{ logIn: AuthData }>(ops, LOG_IN, {
        email: `cy-${run_}@example.test`,
        password: PASSWORD,
      });
      expect(decodeJwt(fresh.data!.logIn.token)).toMatchObject({ roles: ['BREEDER', 'KEEPER'] });
      expect(decodeJwt(fresh.data!.logIn.token).iat).toBeGreaterThanOrEqual(message.notBefore);
    },
  );

  it("revokes all of a user's tokens when the presented one carries no jti (a token from before jti)", async () => {
    const { userId } = await signedIn('dee');
    await expectData(ops, 'mutation { logOut }', {}, asUser(userId));
    const [row] = await em(ops).execute<{ tokens_not_before: Date | null }[]>(
      'select tokens_not_before from user_account where id = ?',
      [userId],
    );
    expect(row!.tokens_not_before).not.toBeNull();
  });

  it('lists revocations in force to the gateway only, newer than `since` when asked', async () => {
    const { caller } = await signedIn('eli');
    await expectData(ops, 'mutation { logOut }', {}, caller);
    const { userId: cutOff } = await signedIn('fay');
    await expectData(
      ops,
      'mutation ($id: ID!) { setUserRoles(userId: $id, roles: [BREEDER]) { id } }',
      { id: cutOff },
      asUser(randomUUID(), ['STAFF']),
    );

    expect(firstError(await execute(ops, REVOCATIONS, {}, serviceCaller('commerce')))?.code).toBe(
      'FORBIDDEN',
    );
    expect(firstError(await execute(ops, REVOCATIONS, {}, asUser(randomUUID(), ['STAFF'])))?.code).toBe(
      'FORBIDDEN',
    );
    type Answer = {
      tokenRevocations: {
        asOf: string;
        tokens: { jti: string; expiresAt: string }[];
        users: { userId: string; notBefore: string }[];
      };
    };
    const all = (await expectData<Answer>(ops, REVOCATIONS, {}, serviceCaller('gateway'))).tokenRevocations;
    expect(all.tokens).toContainEqual({
      jti: caller.tokenId,
      expiresAt: new Date(caller.tokenExpiresAt! * 1000).toISOString(),
    });
    expect(all.users.map((u) => u.userId)).toContain(cutOff);
    // Tokens revoked after `since`; accounts whose not-before time is after it.
    const later = (await expectData<Answer>(ops, REVOCATIONS, { since: all.asOf }, serviceCaller('gateway')))
      .tokenRevocations;
    expect(later.tokens.map((t) => t.jti)).not.toContain(caller.tokenId);
    const notBefore = all.users.find((u) => u.userId === cutOff)!.notBefore;
    const afterCutOff = (
      await expectData<Answer>(ops, REVOCATIONS, { since: notBefore }, serviceCaller('gateway'))
    ).tokenRevocations;
    expect(afterCutOff.users.map((u) => u.userId)).not.toContain(cutOff);
  });
});
