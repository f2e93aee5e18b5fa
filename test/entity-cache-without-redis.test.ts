/**
 * The entity cache without Redis (`npm start`'s default): entries live in the one gateway's
 * memory for at most ENTITY_CACHE_MEMORY_MAX_AGE_SECONDS, and a write through the gateway is read
 * back at once, because the subgraph's answer carries the changes (extensions.entityChanges)
 * and the gateway drops them before it answers; a change one subgraph makes in another (checkout
 * reserving stock in inventory) rides back in the calling subgraph's answer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bearer,
  contractOperation,
  gql,
  logIn,
  SHIPPING_ADDRESS,
  startPlatform,
  type Platform,
} from './support/platform.js';

const PAGE = '{ product(slug: "ceramic-heat-emitter-100w") { id name stock { available } } }';
let platform: Platform;
let staff: Record<string, string>;

beforeAll(async () => {
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'inventory', 'commerce', 'community'],
    redis: false,
    // Long enough that the second read below is a hit on a loaded machine, as short as it can be.
    env: { ENTITY_CACHE_MEMORY_MAX_AGE_SECONDS: '30' },
  });
  staff = bearer(await logIn(platform.gatewayUrl, 'admin@terrarium.test'));
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

async function subgraphFetches(): Promise<number> {
  const text = await (await fetch(platform.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('subgraph_fetch_duration_seconds_count'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function page(): Promise<{ id: string; stock: { available: number } }> {
  const { body } = await gql(platform.gatewayUrl, PAGE);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data.product;
}

it('serves a warm read from memory, and a write through the gateway is read back at once', async () => {
  const before = await page();
  const fetches = await subgraphFetches();
  expect(await page()).toEqual(before);
  expect(await subgraphFetches()).toBe(fetches);

  const { body } = await gql(
    platform.gatewayUrl,
    contractOperation('admin', 'AdjustStock'),
    { productId: before.id, delta: 2, reason: 'entity cache without Redis' },
    staff,
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect((await page()).stock.available).toBe(before.stock.available + 2);
});

it('reads back at once the stock a checkout reserved in inventory through commerce', async () => {
  const before = await page();
  const fetches = await subgraphFetches();
  expect(await page()).toEqual(before);
  expect(await subgraphFetches()).toBe(fetches);

  const buyer = bearer(await logIn(platform.gatewayUrl, 'keeper@terrarium.test'));
  const cart = await gql(
    platform.gatewayUrl,
    contractOperation('storefront', 'AddToCart'),
    { productId: before.id, quantity: 1 },
    buyer,
  );
  expect(cart.body.errors, JSON.stringify(cart.body.errors)).toBeUndefined();
  const { body } = await gql(
    platform.gatewayUrl,
    contractOperation('storefront', 'Checkout'),
    { idempotencyKey: `without-redis-${Date.now()}`, shippingAddress: SHIPPING_ADDRESS },
    buyer,
  );
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect((await page()).stock.available).toBe(before.stock.available - 1);
});
