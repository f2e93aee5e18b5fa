/**
 * A revoked partner key stops on every gateway within 5 s: ops publishes `{ id, keyHash }` on the
 * Redis channel `ops:api-client-revoked` (subgraphs/ops/test/api-clients.test.ts checks that end),
 * and each gateway drops the verdict from its own memory and from the verdict shared in Redis,
 * which would otherwise keep the key working for 60 s.
 */
import { createHash } from 'node:crypto';
import { createRedisClient, type Redis } from '@terrarium/platform/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_CLIENT_REVOKED_CHANNEL } from '../src/identity/api-keys.js';
import {
  persisted,
  revokedKeys,
  startFixtureGraph,
  PARTNER,
  PARTNER_KEY,
  type FixtureGraph,
} from './fixtures/graph.js';
import { startGateway, uniquePrefix, type TestGateway } from './fixtures/gateway.js';

const redisUrl = process.env['REDIS_URL'];

describe.skipIf(!redisUrl)('partner key revocation over Redis', () => {
  let graph: FixtureGraph;
  let gateways: TestGateway[] = [];
  let publisher: Redis;

  beforeAll(async () => {
    graph = await startFixtureGraph();
    const prefix = uniquePrefix();
    const env = {
      OPS_URL: graph.ops.url,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      PERSISTED_MANIFESTS_DIR: graph.dir,
    };
    gateways = await Promise.all([
      startGateway(graph.supergraphPath, env),
      startGateway(graph.supergraphPath, env),
    ]);
    publisher = createRedisClient(redisUrl!);
  });
  afterAll(async () => {
    revokedKeys.clear();
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await publisher?.quit();
    await graph?.close();
  });

  const status = async (gateway: TestGateway) =>
    (await gateway.post(persisted('Whoami'), { 'x-api-key': PARTNER_KEY })).status;

  it('refuses a cached key on every gateway within 5 s of the revocation message', async () => {
    expect(await Promise.all(gateways.map(status))).toEqual([200, 200]);
    revokedKeys.add(PARTNER_KEY);
    // Ops already refuses the key, but both gateways still hold the verdict: the cache is in play.
    expect(await Promise.all(gateways.map(status))).toEqual([200, 200]);

    const revokedAt = Date.now();
    const keyHash = createHash('sha256').update(PARTNER_KEY).digest('hex');
    // The exact message ops' event bus sends (graphql-redis-subscriptions: JSON of the payload).
    expect(
      await publisher.publish(API_CLIENT_REVOKED_CHANNEL, JSON.stringify({ id: PARTNER.id, keyHash })),
    ).toBeGreaterThanOrEqual(2);
    const refusedAfter: number[] = [];
    for (const gateway of gateways) {
      while ((await status(gateway)) === 200) {
        if (Date.now() - revokedAt > 5_000)
          throw new Error('a gateway still accepts the revoked key after 5 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      refusedAfter.push(Date.now() - revokedAt);
    }
    expect(await Promise.all(gateways.map(status))).toEqual([401, 401]);
    // Well inside the 5 s local verdict TTL: the message, not an expiry, ended it.
    expect(Math.max(...refusedAfter)).toBeLessThan(2_000);
  }, 20_000);
});
