/**
 * Checkout through the real gateway: commerce reserving stock in inventory over its internal
 * service API. The race, idempotency, release on cancel, legal transitions, ownership, and
 * N+1-free loading counted in SQL statements at the subgraphs' /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import {
  SHIPPING_ADDRESS,
  bearer,
  contractOperation,
  gql,
  logIn,
  startPlatform,
  type Platform,
} from './support/platform.js';

const PRODUCT = seedId('product:TR-TANK-120');
const UNITS = 10;
const BUYERS = 200;

let platform: Platform;
let url: string;
let admin: Record<string, string>;

beforeAll(async () => {
  platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'commerce', 'community'] });
  url = platform.gatewayUrl;
  admin = bearer(await logIn(url, 'admin@terrarium.test'));
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

async function stock(): Promise<{ available: number; onHand: number; reserved: number }> {
  const { body } = await gql(
    url,
    '{ product(slug: "glass-terrarium-120x60x60") { id stock { available onHand reserved } } }',
  );
  expect(body.data.product.id).toBe(PRODUCT);
  return body.data.product.stock;
}

/** Signs up `count` buyers (a few at a time: scrypt is deliberately slow) with one unit each in their cart. */
async function buyersWithCarts(count: number): Promise<Record<string, string>[]> {
  const run = Date.now();
  const buyers: Record<string, string>[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, async (_, i) => {
        const { body } = await gql(url, contractOperation('storefront', 'SignUp'), {
          input: {
            email: `buyer-${run}-${start + i}@example.com`,
            password: 'a-long-enough-password',
            displayName: `Buyer ${start + i}`,
          },
        });
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        const headers = bearer(body.data.signUp.token);
        const cart = await gql(
          url,
          contractOperation('storefront', 'AddToCart'),
          { productId: PRODUCT, quantity: 1 },
          headers,
        );
        expect(cart.body.errors).toBeUndefined();
        return headers;
      }),
    );
    buyers.push(...batch);
  }
  return buyers;
}

async function sqlStatements(subgraph: string): Promise<number> {
  const text = await (await fetch(platform.subgraphUrls[subgraph]!.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('sql_statements_total'));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

describe('checkout', () => {
  let buyers: Record<string, string>[];
  const orders = new Map<number, string>();

  it(
    `never oversells: ${BUYERS} concurrent checkouts of the last ${UNITS} units make exactly ${UNITS} orders`,
    { timeout: 240_000 },
    async () => {
      const before = await stock();
      const set = await gql(
        url,
        contractOperation('admin', 'AdjustStock'),
        { productId: PRODUCT, delta: UNITS - before.available, reason: 'race setup' },
        admin,
      );
      expect(set.body.data.adjustStock.stock.available).toBe(UNITS);
      buyers = await buyersWithCarts(BUYERS);

      const started = performance.now();
      const results = await Promise.all(
        buyers.map((headers, i) =>
          gql(
            url,
            contractOperation('storefront', 'Checkout'),
            { idempotencyKey: `race-${i}`, shippingAddress: SHIPPING_ADDRESS },
            headers,
          ),
        ),
      );
      const elapsedMs = performance.now() - started;
      console.info(
        `[checkout race] ${BUYERS} concurrent checkouts through the gateway took ${elapsedMs.toFixed(0)} ms`,
      );

      results.forEach((r, i) => r.body.data?.checkout && orders.set(i, r.body.data.checkout.id));
      const codes = results
        .filter((r) => !r.body.data?.checkout)
        .map((r) => r.body.errors?.[0]?.extensions?.['code']);
      expect(orders.size).toBe(UNITS);
      expect(codes).toEqual(Array(BUYERS - UNITS).fill('CONFLICT'));
      expect(await stock()).toMatchObject({ available: 0, reserved: before.reserved + UNITS });
    },
  );

  it('replays the first result for the same idempotency key, and refuses the key for another cart', async () => {
    const [index, orderId] = [...orders.entries()][0]!;
    const headers = buyers[index]!;
    const replay = await gql(
      url,
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: `race-${index}`, shippingAddress: SHIPPING_ADDRESS },
      headers,
    );
    expect(replay.body.data.checkout.id).toBe(orderId);

    await gql(
      url,
      contractOperation('storefront', 'AddToCart'),
      { productId: seedId('product:TR-TONGS'), quantity: 2 },
      headers,
    );
    const otherCart = await gql(
      url,
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: `race-${index}`, shippingAddress: SHIPPING_ADDRESS },
      headers,
    );
    expect(otherCart.body.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
  });

  it('releases the reservation of a cancelled order exactly once', async () => {
    const [index, orderId] = [...orders.entries()][1]!;
    const cancel = 'mutation($id: ID!) { cancelOrder(orderId: $id) { id status } }';
    const first = await gql(url, cancel, { id: orderId }, buyers[index]!);
    expect(first.body.data.cancelOrder.status).toBe('CANCELLED');
    expect((await stock()).available).toBe(1);
    const again = await gql(url, cancel, { id: orderId }, buyers[index]!);
    expect(again.body.data?.cancelOrder?.status ?? again.body.errors?.[0]?.extensions?.['code']).toMatch(
      /CANCELLED|CONFLICT/,
    );
    expect((await stock()).available).toBe(1);
  });

  it('refuses an illegal status transition', async () => {
    const [, orderId] = [...orders.entries()][2]!;
    const { body } = await gql(
      url,
      contractOperation('admin', 'UpdateOrderStatus'),
      { orderId, status: 'DELIVERED' },
      admin,
    );
    expect(body.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
    const legal = await gql(
      url,
      contractOperation('admin', 'UpdateOrderStatus'),
      { orderId, status: 'CANCELLED' },
      admin,
    );
    expect(legal.body.data.updateOrderStatus.status).toBe('CANCELLED');
  });

  it("refuses a stranger's change to a breeder's animal with FORBIDDEN", async () => {
    const keeper = bearer(await logIn(url, 'keeper@terrarium.test'));
    const update = 'mutation($id: ID!) { updateAnimal(id: $id, input: { name: "Stolen" }) { id name } }';
    const stranger = await gql(url, update, { id: seedId('animal:7') }, keeper);
    expect(stranger.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const owner = bearer(await logIn(url, 'breeder@terrarium.test'));
    const own = await gql(url, update.replace('Stolen', 'Sunny'), { id: seedId('animal:7') }, owner);
    expect(own.body.data.updateAnimal.name).toBe('Sunny');
  });
});

describe('N+1-free loading', () => {
  it(
    'loads a 50-animal page with species, sire, dam and listing in a constant number of SQL statements',
    { timeout: 120_000 },
    async () => {
      // Offspring of a seeded pair: the parents of animal 7, of its species and organization.
      const parents = await gql(
        url,
        'query($id: ID!) { animal(id: $id) { species { id } breeder { id } sire { id } dam { id } } }',
        { id: seedId('animal:7') },
      );
      const { species, breeder, sire, dam } = parents.body.data.animal;
      const [speciesId, organizationId] = [species.id, breeder.id];
      const create = 'mutation($i: CreateAnimalInput!) { createAnimal(input: $i) { id } }';
      const listing = 'mutation($i: CreateListingInput!) { createListing(input: $i) { id } }';
      for (let n = 0; n < 30; n++) {
        const { body } = await gql(
          url,
          create,
          {
            i: {
              organizationId,
              speciesId,
              name: `Hatchling ${n}`,
              sex: n % 2 ? 'MALE' : 'FEMALE',
              sireId: sire.id,
              damId: dam.id,
            },
          },
          admin,
        );
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        await gql(
          url,
          listing,
          { i: { organizationId, animalId: body.data.createAnimal.id, priceAmount: 15_000 + n } },
          admin,
        );
      }
      const query =
        '{ animals(first: 50) { edges { node { id name species { commonName } sire { name } dam { name } listing { id price { amount } } } } } }';
      const measure = async () => {
        const [inventoryBefore, commerceBefore] = [
          await sqlStatements('inventory'),
          await sqlStatements('commerce'),
        ];
        const { body } = await gql(url, query);
        expect(body.errors).toBeUndefined();
        expect(body.data.animals.edges).toHaveLength(50);
        return {
          inventory: (await sqlStatements('inventory')) - inventoryBefore,
          commerce: (await sqlStatements('commerce')) - commerceBefore,
        };
      };
      // The 30 writes above leave jobs (audit, search feed, activity) whose own statements land in
      // the same counters while they run: the least of three reads is the query's own cost.
      const runs = [await measure(), await measure(), await measure()];
      const counts = {
        inventory: Math.min(...runs.map((run) => run.inventory)),
        commerce: Math.min(...runs.map((run) => run.commerce)),
      };
      console.info(
        `[n+1] 50 animals with species, sire, dam, listing: inventory ${counts.inventory} SQL statements, commerce ${counts.commerce}`,
      );
      expect(counts.inventory).toBeLessThanOrEqual(4);
      expect(counts.commerce).toBeLessThanOrEqual(2);
    },
  );
});
