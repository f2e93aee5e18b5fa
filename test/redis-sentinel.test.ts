/**
 * Redis failover through Sentinel, on real processes: a primary, its replica and a Sentinel
 * (ports 6397-6399). Every Redis client Terrarium makes comes from createRedisClient, so the
 * subgraphs' cache and pub/sub and the gateway's rate limits and APQ are pointed at the Sentinel.
 * The primary is SIGKILLed; the Sentinel promotes the replica; each feature must work again within
 * 10 s, and no read on the request path may throw meanwhile (misses and fail-open, not errors).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRedisTarget, type SentinelConnection } from '@terrarium/platform/redis';
import { createCache, type Cache } from '@terrarium/subgraph-kit/cache';
import { createEventBus, type EventBus } from '@terrarium/subgraph-kit/pubsub';
import { createRedis, createRedisGuard, type Redis } from '../gateway/src/redis.js';
import { createRateLimiter, type RateLimiter } from '../gateway/src/limits/rate-limit.js';
import { createApqCache, type ApqCache } from '../gateway/src/persisted/apq-cache.js';
import { startSentinelCluster, type SentinelCluster } from './support/redis-sentinel.js';

const PORTS: [number, number, number] = [6397, 6398, 6399];
const RECOVERY_BUDGET_MS = 10_000;
const RATE_LIMIT_MAX = 1_000_000;
const logger = pino({ level: 'silent' });

let cluster: SentinelCluster;
let target: SentinelConnection;
let cache: Cache;
let publisherBus: EventBus;
let subscriberBus: EventBus;
let gatewayRedis: Redis;
let limiter: RateLimiter;
let apq: ApqCache;
const received: string[] = [];

beforeAll(async () => {
  cluster = await startSentinelCluster(PORTS);
  // Through the same reader the subgraphs and the gateway use.
  const problems: string[] = [];
  const env: Record<string, string> = {
    REDIS_SENTINELS: `127.0.0.1:${cluster.sentinelPort}`,
    REDIS_SENTINEL_NAME: cluster.name,
  };
  const read = readRedisTarget((key) => env[key], problems);
  expect(problems).toEqual([]);
  target = read as SentinelConnection;
  cache = createCache({ namespace: 'sentinel-test', redisUrl: target, logger });
  publisherBus = createEventBus('sentinel-test', target, logger);
  subscriberBus = createEventBus('sentinel-test', target, logger);
  gatewayRedis = createRedis(target, logger)!;
  // The gateway's defaults: 150 ms per Redis call, 2 s before a probe once the circuit opens.
  const guard = createRedisGuard({ budgetMs: 150, coolDownMs: 2_000, logger });
  limiter = createRateLimiter({
    redis: gatewayRedis,
    redisKeyPrefix: 'sentinel-test:',
    max: RATE_LIMIT_MAX,
    windowMs: 60_000,
    guard,
    logger,
  });
  apq = createApqCache(gatewayRedis, 'sentinel-test:', 60, guard, logger);
  listen();
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([cache?.close(), publisherBus?.close(), subscriberBus?.close()]);
  gatewayRedis?.disconnect();
  await cluster?.stop();
});

/** The subscriber connected before the failover; it must keep receiving after it (no re-subscribing). */
let listening = false;
function listen(): void {
  listening = true;
  const events = subscriberBus.subscribe<{ id: string }>('event');
  void (async () => {
    try {
      for await (const event of events) received.push(event.id);
    } finally {
      listening = false;
    }
  })();
}

/** Publishes until the subscriber sees one of this round's events (a pub/sub round trip). */
async function pubSubRoundTrip(): Promise<boolean> {
  const id = randomUUID();
  await publisherBus.publish('event', { id }).catch(() => undefined);
  await sleep(50);
  return received.includes(id);
}

describe('Redis behind Sentinel', () => {
  it('works before the failover, in Redis (not in memory): cache, pub/sub, rate limits, APQ', async () => {
    // The cache fails fast (no offline queue) until its first connection is up: a miss, then hits.
    const ready = Date.now() + 5_000;
    while ((await cache.get('before')) !== 'value' && Date.now() < ready) {
      await cache.set('before', 'value', 60_000);
      await sleep(50);
    }
    expect(await cache.get('before')).toBe('value');
    // The kit's cache keys: namespace, codec (plain JSON), key.
    expect(await gatewayRedis.exists('sentinel-test:json:before')).toBe(1);
    expect((await limiter.hit('client')).remaining).toBe(RATE_LIMIT_MAX - 1);
    await apq.set('apq:before', '{ a }', {});
    expect(await apq.get('apq:before')).toBe('{ a }');
    const deadline = Date.now() + 5_000;
    while (!(await pubSubRoundTrip()) && Date.now() < deadline);
    expect(received.length).toBeGreaterThan(0);
  });

  it('after SIGKILL of the primary, every feature works again within 10 s and no read throws', async () => {
    expect(await cluster.reportedPrimary()).toBe(`127.0.0.1:${cluster.primaryPort}`);
    const killedAt = Date.now();
    cluster.killPrimary();

    const recovered: Record<string, number> = {};
    const thrown: string[] = [];
    // A success counts once the Sentinel has promoted the replica: it cannot be the dead primary answering.
    let promoted = false;
    const mark = (feature: string, ok: boolean) => {
      if (promoted && ok && recovered[feature] === undefined) recovered[feature] = Date.now() - killedAt;
    };
    const guard = async <T>(feature: string, read: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await read();
      } catch (err) {
        thrown.push(`${feature}: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    };
    let round = 0;
    while (Object.keys(recovered).length < 5 && Date.now() - killedAt < RECOVERY_BUDGET_MS + 5_000) {
      round += 1;
      if (!promoted && (await cluster.reportedPrimary()) === `127.0.0.1:${cluster.replicaPort}`) {
        promoted = true;
        recovered['promotion'] = Date.now() - killedAt;
      }
      // The request path: cache reads and writes, the rate limiter and APQ must answer, never throw.
      await guard('cache', () => cache.set(`k${round}`, round, 60_000));
      mark('cache', (await guard('cache', () => cache.get<number>(`k${round}`))) === round);
      // The fail-open verdict says `remaining: max`; a counted one is below it.
      mark(
        'rate limit',
        ((await guard('rate limit', () => limiter.hit('client')))?.remaining ?? RATE_LIMIT_MAX) <
          RATE_LIMIT_MAX,
      );
      await guard('apq', () => apq.set(`apq:${round}`, `{ r${round} }`, {}));
      mark('apq', (await guard('apq', () => apq.get(`apq:${round}`))) === `{ r${round} }`);
      mark('pub/sub', await pubSubRoundTrip());
      await sleep(100);
    }

    expect(thrown).toEqual([]);
    expect(listening, 'the subscription made before the failover is still open').toBe(true);
    expect(Object.keys(recovered).sort(), JSON.stringify(recovered)).toEqual([
      'apq',
      'cache',
      'promotion',
      'pub/sub',
      'rate limit',
    ]);
    expect(await cluster.reportedPrimary()).toBe(`127.0.0.1:${cluster.replicaPort}`);
    for (const feature of ['cache', 'rate limit', 'apq', 'pub/sub']) {
      expect(
        recovered[feature],
        `${feature} back (ms after the kill: ${JSON.stringify(recovered)})`,
      ).toBeLessThanOrEqual(RECOVERY_BUDGET_MS);
    }
    // The figures, for the run's log.
    console.log(`sentinel failover: back after ${JSON.stringify(recovered)} ms (${round} rounds)`);
  }, 30_000);
});
