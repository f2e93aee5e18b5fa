/**
 * Revoked user tokens at the gateway, with ops' side played by hand on Redis exactly as ops' job
 * writes it (the sorted sets, then a message on `ops:token-revoked`): a revoked jti is refused
 * and only that token; a not-before time refuses the user's tokens issued before it (by `iat`)
 * and admits later ones; unreadable messages change nothing.
 */
import { randomUUID } from 'node:crypto';
import { createRedisClient, type Redis } from '@terrarium/platform/redis';
import {
  REVOKED_TOKENS_KEY,
  TOKEN_REVOCATION_CHANNEL,
  TOKENS_NOT_BEFORE_KEY,
  type TokenRevocation,
} from '@terrarium/platform/token-revocation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REVOKED_TOKEN_MESSAGE } from '../src/identity/auth.js';
import { startFixtureGraph, type FixtureGraph } from './fixtures/graph.js';
import { startGateway, type TestGateway } from './fixtures/gateway.js';
import { startTestIssuer, type TestIssuer } from './fixtures/jwt.js';

const redisUrl = process.env['REDIS_URL'];
const WHOAMI = { query: '{ whoami }' };

describe.skipIf(!redisUrl)('revoked tokens (Redis)', () => {
  let graph: FixtureGraph;
  let issuer: TestIssuer;
  let gateway: TestGateway;
  let redis: Redis;

  beforeAll(async () => {
    [graph, issuer] = await Promise.all([startFixtureGraph(), startTestIssuer()]);
    gateway = await startGateway(graph.supergraphPath, { JWKS_URL: issuer.jwksUrl, REDIS_URL: redisUrl });
    redis = createRedisClient(redisUrl!);
  });
  afterAll(async () => {
    await gateway?.stop();
    await redis?.quit();
    await Promise.all([graph?.close(), issuer?.close()]);
  });

  /** What ops' tokens.revoked job does: the set first, then the message. */
  async function revoke(revocation: TokenRevocation): Promise<void> {
    if (revocation.kind === 'token')
      await redis.zadd(REVOKED_TOKENS_KEY, revocation.expiresAt, revocation.jti);
    else await redis.zadd(TOKENS_NOT_BEFORE_KEY, revocation.notBefore, revocation.userId);
    await redis.publish(TOKEN_REVOCATION_CHANNEL, JSON.stringify(revocation));
  }

  const status = async (token: string) =>
    (await gateway.post(WHOAMI, { authorization: `Bearer ${token}` })).status;
  async function untilRefused(token: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while ((await status(token)) !== 401) {
      if (Date.now() > deadline) throw new Error('still accepted 5 s after the revocation');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it("refuses a revoked jti with UNAUTHENTICATED and a clear message; the same user's other token still works", async () => {
    const sub = randomUUID();
    const [revoked, kept] = [randomUUID(), randomUUID()];
    const [token, other] = await Promise.all([
      issuer.sign({ sub, jti: revoked, roles: ['KEEPER'] }),
      issuer.sign({ sub, jti: kept, roles: ['KEEPER'] }),
    ]);
    expect(await status(token)).toBe(200);
    await revoke({ kind: 'token', jti: revoked, expiresAt: Math.floor(Date.now() / 1000) + 3_600 });
    await untilRefused(token);
    const refusal = await gateway.post(WHOAMI, { authorization: `Bearer ${token}` });
    expect(refusal.body.errors?.[0]).toMatchObject({
      message: REVOKED_TOKEN_MESSAGE,
      extensions: { code: 'UNAUTHENTICATED' },
    });
    expect(refusal.headers.get('www-authenticate')).toBe('Bearer');
    expect(await status(other)).toBe(200);
  });

  it("refuses a user's tokens issued before the not-before time, and admits one issued at it", async () => {
    const sub = randomUUID();
    const before = await issuer.sign({ sub, jti: randomUUID() });
    const notBefore = Math.floor(Date.now() / 1000) + 1;
    await revoke({ kind: 'user', userId: sub, notBefore });
    await untilRefused(before);
    await new Promise((resolve) => setTimeout(resolve, notBefore * 1000 - Date.now() + 50));
    expect(await status(await issuer.sign({ sub, jti: randomUUID() }))).toBe(200);
    expect(await status(await issuer.sign({ sub: randomUUID(), jti: randomUUID() }))).toBe(200);
  });

  it('ignores unreadable revocation messages', async () => {
    const token = await issuer.sign({ sub: randomUUID(), jti: randomUUID() });
    for (const message of [
      'not json',
      '{"kind":"token","jti":"nope","expiresAt":1}',
      '{"kind":"user","userId":"x"}',
    ])
      await redis.publish(TOKEN_REVOCATION_CHANNEL, message);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await status(token)).toBe(200);
  });
});
