import { randomUUID } from 'node:crypto';
import { createLogger } from '@terrarium/platform/logger';
import { createCache, type Cache } from '@terrarium/subgraph-kit/cache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION_KEY, bumpListVersion, cachedList } from '../src/services/list-cache.js';
import { redisUrl } from './support.js';

/** The cache's calls, counted: each get, getMany and set is one Redis round trip. */
function counting(cache: Cache) {
  const calls = { get: 0, getMany: 0, set: 0 };
  const counted: Cache = {
    ...cache,
    get: (key) => ((calls.get += 1), cache.get(key)),
    getMany: (keys) => ((calls.getMany += 1), cache.getMany(keys)),
    set: (key, value, ttlMs) => ((calls.set += 1), cache.set(key, value, ttlMs)),
  };
  return { cache: counted, calls };
}

// The kit's in-memory store (no REDIS_URL) drops every write, so there is nothing cached to test.
describe.skipIf(!redisUrl)('cached lists (real Redis)', () => {
  let cache: Cache;
  beforeAll(() => {
    cache = createCache({
      namespace: `products-list-cache-${randomUUID()}`,
      redisUrl: redisUrl ?? null,
      logger: createLogger('products-list-cache-test', 'silent'),
    });
  });
  afterAll(() => cache.close());

  it('answers a cached list in one round trip, and computes it once', async () => {
    await bumpListVersion(cache);
    const { cache: counted, calls } = counting(cache);
    let computed = 0;
    const compute = async () => ((computed += 1), ['Digital Thermostat']);
    expect(await cachedList(counted, 'list', { search: 'thermo' }, compute)).toEqual(['Digital Thermostat']);
    calls.get = calls.getMany = calls.set = 0;
    expect(await cachedList(counted, 'list', { search: 'thermo' }, compute)).toEqual(['Digital Thermostat']);
    expect(computed).toBe(1);
    expect(calls).toEqual({ get: 0, getMany: 1, set: 0 });
  });

  it('never serves a list cached under an older version', async () => {
    await bumpListVersion(cache);
    const args = { category: 'heating' };
    expect(await cachedList(cache, 'list', args, async () => ['Heat Mat 20W'])).toEqual(['Heat Mat 20W']);
    await bumpListVersion(cache); // a product write committed
    expect(await cachedList(cache, 'list', args, async () => ['Heat Mat 20W', 'Heat Mat 40W'])).toEqual([
      'Heat Mat 20W',
      'Heat Mat 40W',
    ]);
  });

  it('does not serve a list computed while a write bumped the version', async () => {
    await bumpListVersion(cache);
    const args = { search: 'lamp' };
    // The write commits (and bumps the version) after this read's statement saw the old rows.
    const racing = await cachedList(cache, 'list', args, async () => {
      await bumpListVersion(cache);
      return ['UVB Lamp (old name)'];
    });
    expect(racing).toEqual(['UVB Lamp (old name)']);
    expect(await cachedList(cache, 'list', args, async () => ['UVB Lamp 10.0'])).toEqual(['UVB Lamp 10.0']);
  });

  it('starts a version when there is none (evicted, or Redis restarted empty)', async () => {
    await cache.delete(VERSION_KEY);
    expect(await cachedList(cache, 'suggestions', { prefix: 'hyg' }, async () => ['Hygrometer'])).toEqual([
      'Hygrometer',
    ]);
    expect(typeof (await cache.get<string>(VERSION_KEY))).toBe('string');
  });
});
