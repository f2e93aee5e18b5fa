/**
 * The gateway's entity cache end to end: real subgraph and gateway processes, real Redis. A warm
 * ProductPage is answered without asking the subgraphs; a write through one gateway is read back
 * at once through it and, through Redis, by a second gateway; an answer showing a user inside it
 * is dropped when that user changes; a signed-in caller's entries are its own; staff can purge; a
 * warm page survives an outage; ENTITY_CACHE=false asks every time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, contractOperation, gql, logIn, startPlatform, type Platform } from './support/platform.js';

const SLUG = 'ceramic-heat-emitter-100w';
const PRODUCT_PAGE = contractOperation('storefront', 'ProductPage');
const ADJUST_STOCK = contractOperation('admin', 'AdjustStock');
const PURGE =
  'mutation Purge($typename: String!, $id: ID) { purgeEntityCache(typename: $typename, id: $id) }';

let platform: Platform;
let second: { url: string; stop(): Promise<void> };
let uncached: { url: string; stop(): Promise<void> };
let staffToken: string;

beforeAll(async () => {
  if (!process.env['REDIS_URL'])
    throw new Error('entity-cache.test.ts needs REDIS_URL (gateways share the cache)');
  platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'community', 'media'] });
  second = await platform.startGateway();
  uncached = await platform.startGateway({ ENTITY_CACHE: 'false' });
  staffToken = await logIn(platform.gatewayUrl, 'admin@terrarium.test');
}, 180_000);
afterAll(async () => {
  await platform?.stop();
});

/** A counter of a gateway's /metrics, summed over its label sets (0 when absent). */
async function metric(gatewayUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const [series, value] = line.split(' ');
    if (series!.startsWith(`${name}{`) || series === name) if (series!.includes(labels)) sum += Number(value);
  }
  return sum;
}

const subgraphFetches = (url: string) => metric(url, 'subgraph_fetch_duration_seconds_count');

async function productPage(url: string, headers: Record<string, string> = {}) {
  const { status, body } = await gql(url, PRODUCT_PAGE, { slug: SLUG }, headers);
  expect(status).toBe(200);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data.product as { id: string; name: string; stock: { available: number }; reviews: unknown };
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('entity cache', () => {
  it('answers a warm ProductPage without a subgraph fetch, the same as cold', async () => {
    const cold = await productPage(platform.gatewayUrl);
    const fetchesBefore = await subgraphFetches(platform.gatewayUrl);
    const hitsBefore = await metric(platform.gatewayUrl, 'gateway_entity_cache_hits_total');
    const warm = await productPage(platform.gatewayUrl);
    expect(warm).toEqual(cold);
    expect(await subgraphFetches(platform.gatewayUrl)).toBe(fetchesBefore);
    // The root answer (product by slug) and the entities of media, inventory, community and ops.
    expect(await metric(platform.gatewayUrl, 'gateway_entity_cache_hits_total')).toBeGreaterThanOrEqual(
      hitsBefore + 5,
    );
    // The second gateway shares the entries through Redis.
    const fetchesOfSecond = await subgraphFetches(second.url);
    expect(await productPage(second.url)).toEqual(cold);
    expect(await subgraphFetches(second.url)).toBe(fetchesOfSecond);
  });

  it('reads a stock change back at once through the writing gateway, and through another soon after', async () => {
    const before = await productPage(platform.gatewayUrl);
    await productPage(second.url);
    const { body } = await gql(
      platform.gatewayUrl,
      ADJUST_STOCK,
      { productId: before.id, delta: 3, reason: 'entity cache test' },
      bearer(staffToken),
    );
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    const expected = before.stock.available + 3;
    expect(body.data.adjustStock.stock.available).toBe(expected);
    // The writing gateway dropped the product before it answered the mutation.
    expect((await productPage(platform.gatewayUrl)).stock.available).toBe(expected);
    // The other one hears of it through Redis.
    const seen = await waitFor(
      () => productPage(second.url),
      (product) => product.stock.available === expected,
    );
    expect(seen.stock.available).toBe(expected);
    expect(
      await metric(second.url, 'gateway_entity_cache_invalidations_total', 'type="Product"'),
    ).toBeGreaterThanOrEqual(1);
  });

  it("drops a page whose answer shows a user inside it when that user's followers change", async () => {
    const AUTHORS = `query Authors($slug: String!) {
      product(slug: $slug) { reviews(first: 1) { edges { node { author { id displayName followerCount } } } } }
    }`;
    const firstAuthor = async () => {
      const { body } = await gql(platform.gatewayUrl, AUTHORS, { slug: SLUG });
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      return body.data.product.reviews.edges[0].node.author as { id: string; followerCount: number };
    };
    const before = await firstAuthor();
    const fetchesBefore = await subgraphFetches(platform.gatewayUrl);
    expect(await firstAuthor()).toEqual(before);
    // Warm: the author's followerCount is held inside the product's community answer.
    expect(await subgraphFetches(platform.gatewayUrl)).toBe(fetchesBefore);

    const keeper = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    const FOLLOW = 'mutation ($id: ID!) { follow(targetType: USER, targetId: $id) }';
    const UNFOLLOW = 'mutation ($id: ID!) { unfollow(targetType: USER, targetId: $id) }';
    await gql(platform.gatewayUrl, UNFOLLOW, { id: before.id }, bearer(keeper));
    const baseline = await firstAuthor();
    const followed = await gql(platform.gatewayUrl, FOLLOW, { id: before.id }, bearer(keeper));
    expect(followed.body.errors, JSON.stringify(followed.body.errors)).toBeUndefined();
    const after = await waitFor(firstAuthor, (author) => author.followerCount === baseline.followerCount + 1);
    expect(after.followerCount).toBe(baseline.followerCount + 1);
  });

  it("keeps a signed-in caller's entries its own", async () => {
    const keeper = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    await productPage(platform.gatewayUrl, bearer(keeper));
    const fetchesBefore = await subgraphFetches(platform.gatewayUrl);
    await productPage(platform.gatewayUrl, bearer(keeper));
    expect(await subgraphFetches(platform.gatewayUrl)).toBe(fetchesBefore);
    // Staff has never read the page: it is fetched for them, not served from the keeper's entries.
    await productPage(platform.gatewayUrl, bearer(staffToken));
    expect(await subgraphFetches(platform.gatewayUrl)).toBeGreaterThan(fetchesBefore);
  });

  it('lets staff purge an entity from every gateway, and nobody else', async () => {
    const { id } = await productPage(second.url);
    await productPage(second.url);
    const keeper = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    const refused = await gql(platform.gatewayUrl, PURGE, { typename: 'Product', id }, bearer(keeper));
    expect(refused.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const bad = await gql(platform.gatewayUrl, PURGE, { typename: 'Not a type' }, bearer(staffToken));
    expect(bad.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');

    const invalidations = () =>
      metric(second.url, 'gateway_entity_cache_invalidations_total', 'type="Product"');
    const heard = await invalidations();
    const fetchesBefore = await subgraphFetches(second.url);
    const purged = await gql(platform.gatewayUrl, PURGE, { typename: 'Product', id }, bearer(staffToken));
    expect(purged.body.errors, JSON.stringify(purged.body.errors)).toBeUndefined();
    expect(purged.body.data.purgeEntityCache).toBe(true);
    expect(await waitFor(invalidations, (count) => count > heard)).toBeGreaterThan(heard);
    await productPage(second.url);
    expect(await subgraphFetches(second.url)).toBeGreaterThan(fetchesBefore);
  });

  it('asks the subgraphs every time with ENTITY_CACHE=false', async () => {
    await productPage(uncached.url);
    const before = await subgraphFetches(uncached.url);
    await productPage(uncached.url);
    expect(await subgraphFetches(uncached.url)).toBeGreaterThan(before);
    expect(await metric(uncached.url, 'gateway_entity_cache_hits_total')).toBe(0);
  });

  it('answers a warm page whole while a subgraph it reads is down', async () => {
    const warm = await productPage(platform.gatewayUrl);
    await platform.stopSubgraph('community');
    expect(await productPage(platform.gatewayUrl)).toEqual(warm);
  });
});
