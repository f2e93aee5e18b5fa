/**
 * createFeatureFlags: OpenFeature with Terrarium's provider over a FlagCache. Loads once and
 * serves from memory, reloads when ops announces a change on Redis, evaluates a stale copy while
 * ops cannot answer, and answers the caller's default for a flag nobody defined.
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ANONYMOUS, type Caller } from '../caller.js';
import { createRedisClient } from '../redis-client.js';
import {
  createFeatureFlags,
  FEATURE_FLAGS_CHANNEL,
  type FeatureFlags,
  type FlagDefinition,
} from './index.js';

const redisUrl = process.env['REDIS_URL'];
const logger = pino({ level: 'silent' });
const user: Caller = { ...ANONYMOUS, userId: randomUUID() };

/** A stand-in for ops: the definitions it holds now, how often it was asked, and whether it answers. */
function fakeOps(definitions: FlagDefinition[]) {
  const ops = { definitions, loads: 0, down: false };
  const load = async () => {
    ops.loads += 1;
    if (ops.down) throw new Error('ops is down');
    return ops.definitions;
  };
  return { ops, load };
}

const on = (key: string): FlagDefinition => ({
  key,
  enabled: true,
  rolloutPercent: null,
  organizationIds: [],
});
let flags: FeatureFlags | undefined;
afterEach(async () => {
  await flags?.close();
  flags = undefined;
});

describe('feature flags through OpenFeature', () => {
  it('loads the definitions once and evaluates from memory', async () => {
    const { ops, load } = fakeOps([on('a-flag'), { ...on('b-flag'), enabled: false }]);
    flags = createFeatureFlags({ load, redis: null, logger });
    expect(await flags.isEnabled('a-flag', user, false)).toBe(true);
    expect(await flags.isEnabled('b-flag', user, true)).toBe(false);
    expect(await flags.evaluateAll(user)).toEqual([
      { key: 'a-flag', enabled: true },
      { key: 'b-flag', enabled: false },
    ]);
    expect(ops.loads).toBe(1);
  });

  it("answers the caller's default for an unknown flag, and for every flag while ops has never answered", async () => {
    const { ops, load } = fakeOps([on('a-flag')]);
    flags = createFeatureFlags({ load, redis: null, logger });
    expect(await flags.isEnabled('missing', user, true)).toBe(true);
    expect(await flags.isEnabled('missing', user, false)).toBe(false);
    await flags.close();
    ops.down = true;
    flags = createFeatureFlags({ load, redis: null, logger });
    expect(await flags.isEnabled('a-flag', user, false)).toBe(false);
    expect(await flags.evaluateAll(user)).toEqual([]);
  });

  it('evaluates the last copy while ops cannot answer, and picks up a change after invalidate()', async () => {
    const { ops, load } = fakeOps([on('a-flag')]);
    flags = createFeatureFlags({ load, redis: null, logger });
    expect(await flags.isEnabled('a-flag', user, false)).toBe(true);
    ops.down = true;
    flags.invalidate();
    expect(await flags.isEnabled('a-flag', user, false)).toBe(true);
    ops.down = false;
    ops.definitions = [{ ...on('a-flag'), enabled: false }];
    // The failed reload is retried after a second, not on every evaluation.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await flags.isEnabled('a-flag', user, true)).toBe(false);
  });

  it.skipIf(!redisUrl)('reloads within a Redis round trip of ops announcing a change', async () => {
    const { ops, load } = fakeOps([on('a-flag')]);
    flags = createFeatureFlags({ load, redis: redisUrl!, logger });
    expect(await flags.isEnabled('a-flag', user, false)).toBe(true);
    // The listener's first connection counts as a change (it may have missed one): settle it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await flags.isEnabled('a-flag', user, false);
    const loadsBefore = ops.loads;
    expect(await flags.isEnabled('a-flag', user, false)).toBe(true);
    expect(ops.loads).toBe(loadsBefore);

    ops.definitions = [{ ...on('a-flag'), enabled: false }];
    const publisher = createRedisClient(redisUrl!);
    try {
      const announced = Date.now();
      await publisher.publish(FEATURE_FLAGS_CHANNEL, JSON.stringify({ key: 'a-flag' }));
      while (await flags.isEnabled('a-flag', user, true)) {
        if (Date.now() - announced > 2_000) throw new Error('the change was not picked up within 2 s');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await publisher.quit();
    }
  });
});
