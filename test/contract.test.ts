/**
 * The contract (schema/operations, copied from the shared contract): every storefront, partner
 * and back-office operation answered through the real gateway by the six real subgraphs, with
 * data from every subgraph it names.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SHIPPING_ADDRESS,
  bearer,
  contractOperation,
  gql,
  logIn,
  startPlatform,
  type Platform,
} from './support/platform.js';
import { seedId as seedIdOf } from '@terrarium/subgraph-kit/seed-id';

let platform: Platform;
let url: string;
let adminToken: string;
let keeperToken: string;

beforeAll(async () => {
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'inventory', 'commerce', 'media', 'community'],
  });
  url = platform.gatewayUrl;
  [adminToken, keeperToken] = await Promise.all([
    logIn(url, 'admin@terrarium.test'),
    logIn(url, 'keeper@terrarium.test'),
  ]);
}, 240_000);
afterAll(async () => {
  await platform?.stop();
});

/** Polls until `done` holds (at most 20 s) and returns the last answer, for facts fed by job queues. */
async function eventually<T>(run: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  let value = await run();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await run();
  }
  return value;
}

function expectNoErrors(body: { errors?: unknown[] }) {
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
}

describe('storefront', () => {
  it('ProductPage: catalog, images, stock, rating and reviews with their authors', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'ProductPage'), {
      slug: 'ceramic-heat-emitter-100w',
    });
    expectNoErrors(body);
    const product = body.data.product;
    expect(product).toMatchObject({ sku: 'TR-HEAT-100', category: { slug: 'heating-lighting' } });
    expect(product.images.length).toBeGreaterThan(0);
    // url(width: 800) of an 800 px wide photo: the smallest variant step that is at least 800 is
    // not narrower than the photo, and images are never upscaled, so it is the original itself.
    const image = product.images[0];
    expect(image.url).toMatch(new RegExp(`/files/${image.id}/original\\.webp$`));
    await expectImage(image.url, 'image/webp');
    // Stock exactly as inventory counts it: available = onHand - reserved.
    const stock = (
      await gql(url, '{ product(slug: "ceramic-heat-emitter-100w") { stock { available onHand reserved } } }')
    ).body.data.product.stock;
    expect(product.stock.available).toBe(stock.onHand - stock.reserved);
    expect(stock.available).toBe(product.stock.available);
    // The aggregate and the list agree: reviewCount is the connection's total, reviews(first: 5) its head.
    expect(product.reviewCount).toBeGreaterThan(0);
    expect(product.reviews.totalCount).toBe(product.reviewCount);
    expect(product.reviews.edges).toHaveLength(Math.min(5, product.reviewCount));
    const ratings = product.reviews.edges.map((e: any) => e.node.rating);
    expect(ratings.every((r: number) => Number.isInteger(r) && r >= 1 && r <= 5)).toBe(true);
    if (product.reviewCount <= 5)
      expect(product.averageRating).toBeCloseTo(
        ratings.reduce((a: number, b: number) => a + b, 0) / ratings.length,
        2,
      );
    expect(product.reviews.edges[0].node.author.displayName).toEqual(expect.any(String));
  });

  it('SearchProducts: a page of products with prices, thumbnails, stock and ratings', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'SearchProducts'), {
      search: 'thermostat',
    });
    expectNoErrors(body);
    const connection = body.data.products;
    expect(connection.totalCount).toBeGreaterThan(0);
    expect(connection.edges[0].node).toMatchObject({
      name: 'Digital Thermostat',
      stock: { available: expect.any(Number) },
    });
    // url(width: 200) of an 800 px photo: the w200 variant, really made and served.
    expect(connection.edges[0].node.images[0].url).toMatch(/\/files\/[0-9a-f-]{36}\/w200\.webp$/);
    await expectImage(connection.edges[0].node.images[0].url, 'image/webp');
  });

  it('Autocomplete', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'Autocomplete'), { prefix: 'dig' });
    expectNoErrors(body);
    expect(body.data.searchSuggestions).toEqual(
      expect.arrayContaining(['Digital Thermostat', 'Digital Hygrometer']),
    );
  });

  it('CatalogSearch: a typo finds the thermostat with its stock and rating, a correction and facets', async () => {
    // The in-stock facts reach products' read model from inventory's start-up sync, through its job queue.
    const body = await eventually(
      async () =>
        (await gql(url, contractOperation('storefront', 'CatalogSearch'), { text: 'thermostatt' })).body,
      (answer) =>
        answer.data?.productSearch.facets.some(
          (f: { field: string; buckets: { value: string }[] }) =>
            f.field === 'availability' && f.buckets[0]?.value === 'IN_STOCK',
        ),
    );
    expectNoErrors(body);
    const search = body.data.productSearch;
    expect(search.didYouMean).toBe('thermostat');
    expect(search.interpretedAs).toEqual({ text: 'thermostatt', filters: [] });
    expect(search.edges[0].node).toMatchObject({
      name: 'Digital Thermostat',
      slug: 'digital-thermostat',
      price: { amount: 4499, currency: 'EUR' },
      stock: { available: expect.any(Number) },
    });
    expect(search.edges[0].node.stock.available).toBeGreaterThan(0);
    expect(search.facets.map((f: { field: string }) => f.field)).toEqual([
      'category',
      'price',
      'availability',
    ]);
  });

  it('AnimalSearch: "female corn snake under 100" reads its filters and answers with commerce\'s prices', async () => {
    // Listing prices reach inventory's read model from commerce's start-up sync, through its job queue.
    const body = await eventually(
      async () =>
        (
          await gql(url, contractOperation('storefront', 'AnimalSearch'), {
            text: 'female corn snake under 100',
          })
        ).body,
      (answer) => answer.data?.animalSearch.totalCount === 3,
    );
    expectNoErrors(body);
    const search = body.data.animalSearch;
    expect(search.interpretedAs).toEqual({
      text: '',
      filters: [
        { field: 'species', value: 'Corn snake' },
        { field: 'sex', value: 'FEMALE' },
        { field: 'maxPrice', value: '10000' },
      ],
    });
    const nodes = search.edges.map((e: { node: unknown }) => e.node);
    expect(nodes.map((n: { name: string }) => n.name).sort()).toEqual(['Maple', 'Nova', 'Rosie']);
    for (const node of nodes) {
      expect(node).toMatchObject({
        sex: 'FEMALE',
        species: { commonName: 'Corn snake' },
        listing: { price: { currency: 'EUR' } },
      });
      expect(node.listing.price.amount).toBeLessThanOrEqual(10_000);
    }
    expect(search.facets.map((f: { field: string }) => f.field)).toEqual(['species', 'morph', 'sex']);
  });

  it('PopularSearches: the corrected catalog search is counted', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'PopularSearches'));
    expectNoErrors(body);
    expect(body.data.popularSearches).toContain('thermostat');
    expect(body.data.popularSearches).not.toContain('thermostatt');
  });

  it('AnimalPage: inventory, media, ops, community and commerce in one answer', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'AnimalPage'), {
      id: seedIdOf('animal:7'),
    });
    expectNoErrors(body);
    const animal = body.data.animal;
    expect(animal.species.commonName).toEqual(expect.any(String));
    expect(animal.sire?.id ?? animal.dam?.id).toEqual(expect.any(String));
    expect(animal.photos.length).toBeGreaterThan(0);
    expect(animal.breeder).toMatchObject({ slug: 'sunset-reptiles', name: 'Sunset Reptiles' });
    expect(animal.breeder.averageRating).toBeGreaterThan(0);
    expect(animal.listing).toMatchObject({ status: 'ACTIVE', price: { currency: 'EUR' } });
  });

  it('BreederPage: organization, logo, rating and listings with animals', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'BreederPage'), {
      slug: 'sunset-reptiles',
    });
    expectNoErrors(body);
    const org = body.data.organization;
    expect(org.logo.url).toEqual(expect.any(String));
    expect(org.reviewCount).toBeGreaterThan(0);
    expect(org.listings.totalCount).toBeGreaterThan(0);
    const withAnimal = org.listings.edges.find((e: any) => e.node.animal);
    expect(withAnimal.node.animal.species.commonName).toEqual(expect.any(String));
  });

  it('Me: the user from ops with cart and orders from commerce', async () => {
    const { body } = await gql(url, contractOperation('storefront', 'Me'), {}, bearer(keeperToken));
    expectNoErrors(body);
    expect(body.data.me).toMatchObject({ email: 'keeper@terrarium.test', roles: ['KEEPER'] });
    expect(body.data.me.orders.totalCount).toBe(await countOrdersByPaging(keeperToken));
  });

  it('Me: orders.totalCount is exact before and after a checkout', async () => {
    const token = await signUp(`buyer-${Date.now()}@example.com`);
    const before = await gql(url, contractOperation('storefront', 'Me'), {}, bearer(token));
    expectNoErrors(before.body);
    expect(before.body.data.me.orders).toEqual({ totalCount: 0, edges: [] });
    const cart = await gql(
      url,
      contractOperation('storefront', 'AddToCart'),
      { productId: seedIdOf('product:TR-TONGS'), quantity: 2 },
      bearer(token),
    );
    expectNoErrors(cart.body);
    const order = await gql(
      url,
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: `contract-${Date.now()}`, shippingAddress: SHIPPING_ADDRESS },
      bearer(token),
    );
    expectNoErrors(order.body);
    const after = await gql(url, contractOperation('storefront', 'Me'), {}, bearer(token));
    expectNoErrors(after.body);
    expect(after.body.data.me.orders.totalCount).toBe(1);
    expect(after.body.data.me.orders.edges.map((e: any) => e.node.id)).toEqual([order.body.data.checkout.id]);
    expect(after.body.data.me.orders.edges[0].node.total).toEqual(order.body.data.checkout.total);
  });

  it('PostReview: a signed-in review moves the product aggregate by exactly one', async () => {
    const token = await signUp(`reviewer-${Date.now()}@example.com`);
    const aggregate = '{ product(slug: "feeding-tongs-30cm") { id reviewCount } }';
    const before = (await gql(url, aggregate)).body.data.product;
    expect(before.id).toBe(seedIdOf('product:TR-TONGS'));
    const { body } = await gql(
      url,
      contractOperation('storefront', 'PostReview'),
      {
        input: {
          productId: seedIdOf('product:TR-TONGS'),
          rating: 4,
          body: 'Long enough to keep fingers safe.',
        },
      },
      bearer(token),
    );
    expectNoErrors(body);
    expect(body.data.postReview).toMatchObject({ rating: 4, product: { id: seedIdOf('product:TR-TONGS') } });
    expect(body.data.postReview.product.reviewCount).toBe(before.reviewCount + 1);
    expect((await gql(url, aggregate)).body.data.product.reviewCount).toBe(before.reviewCount + 1);
  });

  it("SearchProducts: a list's rating (products' copy) follows a new review through the entity cache", async () => {
    const productId = seedIdOf('product:TR-HYGRO');
    const rating = '{ product(slug: "digital-hygrometer") { id averageRating } }';
    const listed = async () => {
      const { body } = await gql(url, contractOperation('storefront', 'SearchProducts'), {
        search: 'hygrometer',
      });
      expectNoErrors(body);
      const edge = body.data.products.edges.find((e: { node: { id: string } }) => e.node.id === productId);
      return edge?.node.averageRating as number | null | undefined;
    };
    const before = (await gql(url, rating)).body.data.product;
    expect(before.id).toBe(productId);
    // The list shows what community shows, and is cached now (the gateway's entity cache is on).
    expect(await eventually(listed, (value) => value === before.averageRating)).toBe(before.averageRating);
    await listed();
    const { body } = await gql(
      url,
      contractOperation('storefront', 'PostReview'),
      { input: { productId, rating: 1, body: 'Stuck at 60% whatever the tank did.' } },
      bearer(await signUp(`list-rating-${Date.now()}@example.com`)),
    );
    expectNoErrors(body);
    const after = (await gql(url, rating)).body.data.product.averageRating;
    expect(after).not.toBe(before.averageRating);
    // community's job reports it to products, whose answer tells the gateways to drop the list.
    expect(await eventually(listed, (value) => value === after)).toBe(after);
  });
});

describe('partner embed', () => {
  it('AnimalCard', async () => {
    const { body } = await gql(url, contractOperation('partner-embed', 'AnimalCard'), {
      id: seedIdOf('animal:8'),
    });
    expectNoErrors(body);
    expect(body.data.animal).toMatchObject({
      species: { commonName: expect.any(String) },
      breeder: { slug: expect.any(String) },
    });
    expect(body.data.animal.photos[0].url).toEqual(expect.any(String));
  });

  it('BreederListings', async () => {
    const { body } = await gql(url, contractOperation('partner-embed', 'BreederListings'), {
      slug: 'desert-morphs',
    });
    expectNoErrors(body);
    expect(body.data.organization.listings.edges.length).toBeGreaterThan(0);
  });
});

describe('breeder dashboard', () => {
  it('SellerShipments, ShipShipment and ConfirmDelivery: a paid order reaches its seller, who ships it to the buyer', async () => {
    const buyer = bearer(await signUp(`shipping-${Date.now()}@example.com`));
    const breeder = bearer(await logIn(url, 'breeder@terrarium.test'));
    const listingId = seedIdOf('listing:animal:16');
    expectNoErrors((await gql(url, contractOperation('storefront', 'AddToCart'), { listingId }, buyer)).body);
    const checkout = await gql(
      url,
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: `shipping-${Date.now()}`, shippingAddress: SHIPPING_ADDRESS },
      buyer,
    );
    expectNoErrors(checkout.body);
    const orderId = checkout.body.data.checkout.id as string;
    const sellerShipment = async () => {
      const { body } = await gql(
        url,
        contractOperation('breeder', 'SellerShipments'),
        { slug: 'sunset-reptiles', status: 'PENDING', first: 100 },
        breeder,
      );
      expectNoErrors(body);
      return body.data.organization.shipments.edges
        .map((e: any) => e.node)
        .find((n: any) => n.order.id === orderId);
    };
    // Unpaid: not the seller's to ship yet.
    expect(await sellerShipment()).toBeUndefined();
    // Payment settles asynchronously (PROCESSING, then PAID by a job): the seller sees it then.
    const paying = await gql(url, contractOperation('storefront', 'PayOrder'), { orderId }, buyer);
    expectNoErrors(paying.body);
    await expect.poll(sellerShipment, { timeout: 15_000, interval: 250 }).toBeDefined();

    const shipment = await sellerShipment();
    expect(shipment).toEqual({
      id: expect.any(String),
      status: 'PENDING',
      order: {
        id: orderId,
        placedAt: expect.any(String),
        shippingAddress: { ...SHIPPING_ADDRESS, line2: null },
        buyer: { id: expect.any(String), displayName: 'Reviewer' },
      },
      lines: [
        {
          quantity: 1,
          listing: { id: listingId, animal: { id: seedIdOf('animal:16'), name: expect.any(String) } },
          product: null,
        },
      ],
    });
    // A keeper is no breeder: refused by the gateway (@access) before commerce is asked.
    const stranger = await gql(
      url,
      contractOperation('breeder', 'SellerShipments'),
      { slug: 'sunset-reptiles' },
      buyer,
    );
    expect(stranger.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    const shipped = await gql(
      url,
      contractOperation('breeder', 'ShipShipment'),
      { id: shipment.id, carrier: 'DHL', trackingNumber: 'JJD0012345678' },
      breeder,
    );
    expectNoErrors(shipped.body);
    expect(shipped.body.data.shipShipment).toEqual({
      id: shipment.id,
      status: 'SHIPPED',
      carrier: 'DHL',
      trackingNumber: 'JJD0012345678',
      shippedAt: expect.any(String),
    });
    const delivered = await gql(
      url,
      contractOperation('storefront', 'ConfirmDelivery'),
      { shipmentId: shipment.id },
      buyer,
    );
    expectNoErrors(delivered.body);
    expect(delivered.body.data.confirmDelivery).toEqual({
      id: shipment.id,
      status: 'DELIVERED',
      deliveredAt: expect.any(String),
    });
    // The buyer's view (MyOrder): the shipment with its seller's name from ops, the history as { status at }.
    const mine = await gql(url, contractOperation('storefront', 'MyOrder'), { id: orderId }, buyer);
    expectNoErrors(mine.body);
    expect(mine.body.data.order).toMatchObject({
      id: orderId,
      status: 'DELIVERED',
      payment: { status: 'SUCCEEDED' },
      shippingAddress: { ...SHIPPING_ADDRESS, line2: null },
      shipments: [
        {
          id: shipment.id,
          status: 'DELIVERED',
          carrier: 'DHL',
          trackingNumber: 'JJD0012345678',
          seller: { id: seedIdOf('org:sunset-reptiles'), name: 'Sunset Reptiles' },
          lines: [
            {
              quantity: 1,
              product: null,
              listing: { id: listingId, animal: { id: seedIdOf('animal:16'), name: expect.any(String) } },
            },
          ],
        },
      ],
    });
    expect(mine.body.data.order.statusHistory.map((change: any) => change.status)).toEqual([
      'PENDING',
      'PAID',
      'SHIPPED',
      'DELIVERED',
    ]);

    // The shipment was audited in ops (through commerce's queue), with the breeder as actor.
    await expect
      .poll(
        async () => {
          const audit = await gql(url, contractOperation('admin', 'AuditLog'), {}, bearer(adminToken));
          return audit.body.data?.auditLog.edges
            .map((e: any) => e.node)
            .find((n: any) => n.subject === `Shipment:${shipment.id}`);
        },
        { timeout: 15_000, interval: 250 },
      )
      .toMatchObject({ action: 'shipShipment', actor: { displayName: expect.any(String) } });
    // The buyer keeps the animal now (inventory, through commerce's keeper job).
    await expect
      .poll(
        async () =>
          (
            await gql(url, '{ me { animals(first: 10) { edges { node { id } } } } }', {}, buyer)
          ).body.data?.me.animals.edges.map((e: any) => e.node.id),
        {
          timeout: 15_000,
          interval: 250,
        },
      )
      .toEqual([seedIdOf('animal:16')]);
  });
});

describe('back office', () => {
  it('AdjustStock needs staff; staff adjust by exactly the delta', async () => {
    const variables = { productId: seedIdOf('product:TR-HYGRO'), delta: 5, reason: 'cycle count' };
    // Declared with @access(roles: ["STAFF"]) in inventory's schema; refused by the gateway.
    const anonymous = await gql(url, contractOperation('admin', 'AdjustStock'), variables);
    expect([anonymous.status, anonymous.body.errors?.[0]?.extensions?.['code']]).toEqual([
      401,
      'UNAUTHENTICATED',
    ]);
    const stranger = await gql(
      url,
      contractOperation('admin', 'AdjustStock'),
      variables,
      bearer(keeperToken),
    );
    expect([stranger.status, stranger.body.errors?.[0]?.extensions?.['code']]).toEqual([403, 'FORBIDDEN']);
    const stockOf = async () =>
      (await gql(url, '{ product(slug: "digital-hygrometer") { id stock { available onHand reserved } } }'))
        .body.data.product;
    const before = await stockOf();
    expect(before.id).toBe(variables.productId);
    const { body } = await gql(url, contractOperation('admin', 'AdjustStock'), variables, bearer(adminToken));
    expectNoErrors(body);
    const expected = {
      onHand: before.stock.onHand + 5,
      reserved: before.stock.reserved,
      available: before.stock.available + 5,
    };
    expect(body.data.adjustStock).toEqual({
      id: variables.productId,
      name: 'Digital Hygrometer',
      stock: expected,
    });
    expect((await stockOf()).stock).toEqual(expected);
  });

  it('CreatePartner returns the key once; AuditLog shows the entry it wrote', async () => {
    const name = `Gecko Blog ${Date.now()}`;
    const { body } = await gql(
      url,
      contractOperation('admin', 'CreatePartner'),
      { input: { name, allowedOperations: ['AnimalCard'] } },
      bearer(adminToken),
    );
    expectNoErrors(body);
    expect(body.data.createApiClient.key).toMatch(/^trk_/);
    expect(body.data.createApiClient.client).toMatchObject({ name, allowedOperations: ['AnimalCard'] });

    const anonymous = await gql(url, contractOperation('admin', 'AuditLog'), {});
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const audit = await gql(url, contractOperation('admin', 'AuditLog'), {}, bearer(adminToken));
    expectNoErrors(audit.body);
    const entry = audit.body.data.auditLog.edges
      .map((e: any) => e.node)
      .find((n: any) => n.subject === `ApiClient:${body.data.createApiClient.client.id} ${name}`);
    expect(entry).toMatchObject({ action: 'createApiClient', actor: { displayName: 'Ada Admin' } });
    expect(Date.now() - Date.parse(entry.createdAt)).toBeLessThan(60_000);
  });
});

/** Fetches a URL the graph gave out: it must serve an image of the type its name says. */
async function expectImage(imageUrl: string, contentType: string): Promise<void> {
  const response = await fetch(imageUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(contentType);
  expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(0);
}

/** The user's orders counted by walking every page, independently of totalCount. */
async function countOrdersByPaging(token: string): Promise<number> {
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const page: any = await gql(
      url,
      'query($after: String) { me { orders(first: 50, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }',
      { after },
      bearer(token),
    );
    expectNoErrors(page.body);
    count += page.body.data.me.orders.edges.length;
    if (!page.body.data.me.orders.pageInfo.hasNextPage) return count;
    after = page.body.data.me.orders.pageInfo.endCursor;
  }
}

async function signUp(email: string): Promise<string> {
  const { body } = await gql(url, contractOperation('storefront', 'SignUp'), {
    input: { email, password: 'a-long-enough-password', displayName: 'Reviewer' },
  });
  expectNoErrors(body);
  return body.data.signUp.token;
}
