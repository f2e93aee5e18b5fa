import {
  MAX_CHANGES_PER_MESSAGE,
  parseAnnouncedChanges,
  parseEntityChanges,
} from '@terrarium/platform/entity-changes';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { EntityCache, cacheScopeOf, remainingSeconds } from './entity-cache.js';
import { nestedEntitiesIn } from './entries.js';
import { createRedisEntityStore } from './redis-store.js';
import { createMemoryEntityStore, type EntityStore } from './store.js';
import { createTieredEntityStore } from './tiered-store.js';

const ANONYMOUS = cacheScopeOf({ userId: null, apiClientId: null });
const ADA = cacheScopeOf({ userId: '6f1c2c1e-0000-4000-8000-000000000001', apiClientId: null });
const BOB = cacheScopeOf({ userId: '6f1c2c1e-0000-4000-8000-000000000002', apiClientId: null });
const PUBLIC_60 = { maxAge: 60, scope: 'PUBLIC' as const };
const PRODUCT = '{"__typename":"Product","id":"p1"}';
const VARIANT = EntityCache.variant(
  'inventory',
  '{ _entities { ... on Product { stock { available } } } }',
  '',
);

function cacheOver(store: EntityStore, types = ['Product']) {
  return new EntityCache({
    store,
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    maxAgeCapSeconds: null,
    types: new Set(types),
  });
}

const answer = (available: number) => JSON.stringify({ stock: { available } });
const data = async (cache: EntityCache, scope = ANONYMOUS) =>
  (await cache.lookupEntities(VARIANT, [PRODUCT], scope))[0]?.data ?? null;

describe('EntityCache', () => {
  it('serves an entity to the scope that stored it, and only to it', async () => {
    const cache = cacheOver(createMemoryEntityStore(1 << 20));
    cache.storeEntities(VARIANT, [PRODUCT], [answer(3)], PUBLIC_60, ADA, Date.now());
    expect(await data(cache, ADA)).toEqual({ stock: { available: 3 } });
    expect(await data(cache, BOB)).toBeNull();
    expect(await data(cache, ANONYMOUS)).toBeNull();
    await cache.close();
  });

  it('keeps no private answer for anonymous callers, no type it was not told of, nothing without max-age', async () => {
    const cache = cacheOver(createMemoryEntityStore(1 << 20));
    cache.storeEntities(
      VARIANT,
      [PRODUCT],
      [answer(1)],
      { maxAge: 60, scope: 'PRIVATE' },
      ANONYMOUS,
      Date.now(),
    );
    cache.storeEntities(VARIANT, [PRODUCT], [answer(1)], { maxAge: 0, scope: 'PUBLIC' }, ADA, Date.now());
    const animal = '{"__typename":"Animal","id":"a1"}';
    cache.storeEntities(VARIANT, [animal], [answer(1)], PUBLIC_60, ANONYMOUS, Date.now());
    expect(await data(cache, ANONYMOUS)).toBeNull();
    expect(await data(cache, ADA)).toBeNull();
    expect((await cache.lookupEntities(VARIANT, [animal], ANONYMOUS))[0]).toBeNull();
    await cache.close();
  });

  it('drops an entity and the root answers that show it; keeps out an answer fetched before the change', async () => {
    const cache = cacheOver(createMemoryEntityStore(1 << 20));
    const started = Date.now();
    cache.storeEntities(VARIANT, [PRODUCT], [answer(3)], PUBLIC_60, ANONYMOUS, started);
    const root = EntityCache.variant(
      'products',
      '{ product(slug: $slug) { __typename id name } }',
      '"slug":"x"',
    );
    cache.storeRoot(
      root,
      '{"product":{"__typename":"Product","id":"p1"}}',
      ['Product:p1'],
      PUBLIC_60,
      ANONYMOUS,
      started,
    );
    expect((await cache.lookupRoot(root, ANONYMOUS))?.data).toEqual({
      product: { __typename: 'Product', id: 'p1' },
    });

    await cache.invalidate([{ typename: 'Product', id: 'p1' }]);
    expect(await data(cache)).toBeNull();
    expect(await cache.lookupRoot(root, ANONYMOUS)).toBeNull();
    // A fetch that started before the change answers with what it read then: not kept.
    cache.storeEntities(VARIANT, [PRODUCT], [answer(3)], PUBLIC_60, ANONYMOUS, started);
    expect(await data(cache)).toBeNull();
    cache.storeEntities(VARIANT, [PRODUCT], [answer(4)], PUBLIC_60, ANONYMOUS, Date.now() + 1);
    expect(await data(cache)).toEqual({ stock: { available: 4 } });
    // A purge of the type drops every entity of it.
    await cache.invalidate([{ typename: 'Product' }]);
    expect(await data(cache)).toBeNull();
    await cache.close();
  });

  it('reports what remains of the hint on a hit', async () => {
    const cache = cacheOver(createMemoryEntityStore(1 << 20));
    cache.storeEntities(
      VARIANT,
      [PRODUCT],
      [answer(3)],
      { maxAge: 10, scope: 'PUBLIC' },
      ANONYMOUS,
      Date.now(),
    );
    const [hit] = await cache.lookupEntities(VARIANT, [PRODUCT], ANONYMOUS);
    expect(hit?.hint.scope).toBe('PUBLIC');
    expect(hit?.hint.maxAge).toBeGreaterThanOrEqual(9);
    expect(hit?.hint.maxAge).toBeLessThanOrEqual(10);
    await cache.close();
  });
});

const REVIEWS = EntityCache.variant(
  'community',
  '{ _entities { ... on Product { reviews { author { __typename id displayName } } } } }',
  '',
);
const withAuthor = (author: Record<string, unknown>) =>
  ({ reviews: [{ author: { __typename: 'User', ...author } }] }) as const;

const redis = process.env['REDIS_URL'] ? new Redis(process.env['REDIS_URL']) : null;
afterAll(async () => {
  await redis?.quit();
});
const stores: [string, () => EntityStore][] = [
  ['memory', () => createMemoryEntityStore(1 << 20)],
  ...(redis
    ? ([
        [
          'Redis',
          () =>
            createRedisEntityStore({
              redis,
              keyPrefix: `test:${Math.random().toString(36).slice(2)}:`,
              guard: (call) => call(),
              logger: pino({ level: 'silent' }),
            }),
        ],
      ] as [string, () => EntityStore][])
    : []),
];

describe.each(stores)("an entity shown inside another entity's answer (%s store)", (_name, store) => {
  const keep = (cache: EntityCache, answer: ReturnType<typeof withAuthor>, startedAt = Date.now()) =>
    cache.storeEntities(REVIEWS, [PRODUCT], [JSON.stringify(answer)], PUBLIC_60, ANONYMOUS, startedAt, [
      nestedEntitiesIn(answer),
    ]);
  const reviews = async (cache: EntityCache) =>
    (await cache.lookupEntities(REVIEWS, [PRODUCT], ANONYMOUS))[0]?.data ?? null;

  it('drops the answer when the shown entity changes, and only then', async () => {
    const cache = cacheOver(store(), ['Product', 'User']);
    const answer = withAuthor({ id: 'u1', displayName: 'Ada' });
    keep(cache, answer);
    expect(await reviews(cache)).toEqual(answer);
    await cache.invalidate([{ typename: 'User', id: 'u2' }]);
    expect(await reviews(cache)).toEqual(answer);
    await cache.invalidate([{ typename: 'User', id: 'u1' }]);
    expect(await reviews(cache)).toBeNull();
    await cache.close();
  });

  it('is not tied to a bare reference, and keeps nothing that shows an uncached type or a change since', async () => {
    const bare = withAuthor({ id: 'u1' });
    expect(nestedEntitiesIn(bare).size).toBe(0);
    const referencing = cacheOver(store(), ['Product', 'User']);
    keep(referencing, bare);
    await referencing.invalidate([{ typename: 'User', id: 'u1' }]);
    expect(await reviews(referencing)).toEqual(bare);
    await referencing.close();

    const uncached = cacheOver(store(), ['Product']);
    keep(uncached, withAuthor({ id: 'u1', displayName: 'Ada' }));
    expect(await reviews(uncached)).toBeNull();
    await uncached.close();

    const changed = cacheOver(store(), ['Product', 'User']);
    const started = Date.now() - 1_000;
    await changed.invalidate([{ typename: 'User', id: 'u1' }]);
    keep(changed, withAuthor({ id: 'u1', displayName: 'Ada' }), started);
    expect(await reviews(changed)).toBeNull();
    await changed.close();
  });
});

describe('the tiered store', () => {
  it('keeps a shared hit in memory, and neither reads nor writes memory while deaf to changes', async () => {
    const local = createMemoryEntityStore(1 << 20);
    const shared = createMemoryEntityStore(1 << 20);
    let listening = true;
    const tiered = createTieredEntityStore({ local, shared, localUsable: () => listening, remainingSeconds });
    const value = `${Date.now() + 30_000}|P|{"a":1}`;
    shared.put([{ address: 'Product:p1', field: 'f', value, ttlSeconds: 30 }]);
    expect(await tiered.get([{ address: 'Product:p1', fields: ['f'] }])).toEqual([[value]]);
    expect(await local.get([{ address: 'Product:p1', fields: ['f'] }])).toEqual([[value]]);

    listening = false;
    await tiered.clearLocal();
    await shared.drop('Product:p1');
    tiered.put([{ address: 'Product:p2', field: 'f', value, ttlSeconds: 30 }]);
    expect(await local.get([{ address: 'Product:p2', fields: ['f'] }])).toEqual([[null]]);
    expect(await tiered.get([{ address: 'Product:p1', fields: ['f'] }])).toEqual([[null]]);
    expect(await tiered.get([{ address: 'Product:p2', fields: ['f'] }])).toEqual([[value]]);
  });
});

describe('parseEntityChanges', () => {
  it('accepts changes by type and id, or by type, and refuses anything else', () => {
    expect(
      parseEntityChanges({ changes: [{ typename: 'Product', id: 'p1' }, { typename: 'User' }] }),
    ).toEqual([{ typename: 'Product', id: 'p1' }, { typename: 'User' }]);
    expect(parseEntityChanges({ changes: [{ typename: 'Pro duct', id: 'p1' }] })).toBeNull();
    expect(parseEntityChanges({ changes: [{ typename: 'Product', id: '' }] })).toBeNull();
    expect(parseEntityChanges({ changes: [{ typename: 'Product', id: 7 }] })).toBeNull();
    expect(parseEntityChanges({ changes: 'Product' })).toBeNull();
    expect(parseEntityChanges(null)).toBeNull();
  });
});

describe('parseAnnouncedChanges', () => {
  it("keeps every change an answer lists, past one message's worth, and refuses a malformed list", () => {
    const many = Array.from({ length: MAX_CHANGES_PER_MESSAGE * 2 + 7 }, (_, i) => ({
      typename: 'Product',
      id: `p${i}`,
    }));
    expect(parseEntityChanges({ changes: many })).toBeNull();
    expect(parseAnnouncedChanges(many)).toEqual(many);
    expect(parseAnnouncedChanges([...many, { typename: 'Product', id: 7 }])).toBeNull();
    expect(parseAnnouncedChanges({ changes: many })).toBeNull();
    expect(parseAnnouncedChanges([])).toEqual([]);
  });
});
