/**
 * Federated subscriptions end to end: real subgraph and gateway processes, real WebSocket, SSE
 * and multipart clients. Inventory emits stockChanged; the gateway resolves `name` (products)
 * and `averageRating` (community) for every event. Commerce emits orderStatusChanged for the
 * order's buyer and staff only.
 */
import { readFileSync } from 'node:fs';
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
import {
  subscribeMultipart,
  subscribeSse,
  subscribeWs,
  wsClient,
  type Recorder,
} from './support/subscriptions.js';

const PRODUCT = seedId('product:TR-HEAT-100');
const PRODUCT_NAME = 'Ceramic Heat Emitter 100W';
const STOCK_LIVE = contractOperation('storefront', 'StockLive');
const ORDER_LIVE = contractOperation('storefront', 'OrderLive');
const ADJUST_STOCK = contractOperation('admin', 'AdjustStock');

let platform: Platform;
let staff: Record<string, string>;
let averageRating: number | null;

beforeAll(async () => {
  platform = await startPlatform({ subgraphs: ['ops', 'products', 'inventory', 'community', 'commerce'] });
  staff = bearer(await logIn(platform.gatewayUrl, 'admin@terrarium.test'));
  const { body } = await gql(
    platform.gatewayUrl,
    '{ product(slug: "ceramic-heat-emitter-100w") { id averageRating } }',
  );
  expect(body.data.product.id).toBe(PRODUCT);
  averageRating = body.data.product.averageRating;
}, 120_000);
afterAll(async () => {
  await platform?.stop();
});

/** AdjustStock through `gatewayUrl` as staff; the stock it reports. */
async function adjust(gatewayUrl: string, delta: number): Promise<number> {
  const { body } = await gql(
    gatewayUrl,
    ADJUST_STOCK,
    { productId: PRODUCT, delta, reason: 'subscription test' },
    staff,
  );
  expect(body.errors).toBeUndefined();
  return body.data.adjustStock.stock.available;
}

/**
 * A client cannot tell when the subgraph has finished subscribing upstream; until then events
 * are not for it. Adjust stock (through `gatewayUrl`) until the recorder sees a new event.
 */
async function untilLive(
  recorder: Recorder,
  gatewayUrl = platform.gatewayUrl,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const before = recorder.results.length;
  while (recorder.results.length === before) {
    if (Date.now() > deadline) throw new Error(`no event arrived: ${JSON.stringify(recorder.error)}`);
    await adjust(gatewayUrl, 1);
    await recorder.until((r) => r.results.length > before || r.ended, 500).catch(() => undefined);
    if (recorder.ended)
      throw new Error(`the subscription ended: ${JSON.stringify(recorder.error ?? recorder.results)}`);
  }
}

/** The partner manifest's id of the contract's LiveStock. */
function liveStockId(): string {
  const manifest = JSON.parse(
    readFileSync(new URL('../schema/manifests/partner-embed.json', import.meta.url), 'utf8'),
  ) as { operations: { id: string; name: string }[] };
  return manifest.operations.find((o) => o.name === 'LiveStock')!.id;
}

const available = (result: { data?: any }) => result.data?.stockChanged?.stock?.available as number;

describe('StockLive over graphql-ws', () => {
  it('delivers name, stock and averageRating for every AdjustStock, in order', async () => {
    const client = wsClient(platform.gatewayUrl);
    const live = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT });
    try {
      await untilLive(live);
      const expected: number[] = [];
      for (const delta of [3, -2, 5]) expected.push(await adjust(platform.gatewayUrl, delta));
      await live.until(
        (r) => available(r.results.at(-1)!) === expected.at(-1),
        10_000,
        'the last adjustment',
      );

      const last = live.results.slice(-3);
      expect(last.map(available)).toEqual(expected);
      for (const result of last) {
        expect(result.errors).toBeUndefined();
        expect(result.data).toEqual({
          stockChanged: {
            id: PRODUCT,
            name: PRODUCT_NAME,
            stock: { available: expect.any(Number) },
            averageRating,
          },
        });
      }
    } finally {
      live.dispose();
      await client.dispose();
    }
  });

  it("sends each event's id; resuming after one delivers the events missed meanwhile, each once", async () => {
    const client = wsClient(platform.gatewayUrl);
    const live = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT });
    let lastEventId: string;
    try {
      await untilLive(live);
      lastEventId = live.results.at(-1)!.extensions?.['eventId'];
      expect(lastEventId).toMatch(/^\d+-\d+$/);
    } finally {
      live.dispose();
    }
    // Published while the client was away.
    const missed = [await adjust(platform.gatewayUrl, 2), await adjust(platform.gatewayUrl, -1)];
    const resumed = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT }, { lastEventId });
    try {
      await resumed.until((r) => r.results.length >= 2, 10_000, 'the missed events');
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more may come
      expect(resumed.results).toHaveLength(2);
      const [first, second] = resumed.results;
      expect(first!.extensions).toEqual({ eventId: expect.any(String), resumedAfter: lastEventId });
      expect(second!.extensions).toEqual({ eventId: expect.any(String) });
      expect(first!.extensions!['eventId']).not.toBe(second!.extensions!['eventId']);
      expect(resumed.results.every((r) => r.errors === undefined && r.data.stockChanged.id === PRODUCT)).toBe(
        true,
      );
      // Both events resolve the stock as it is now: after the second adjustment.
      expect(available(second!)).toBe(missed[1]);
    } finally {
      resumed.dispose();
    }
    // A resume point the log does not hold (trimmed, or never an event of this topic): the gap is reported.
    const gapped = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT }, { lastEventId: '1-0' });
    try {
      await gapped.until((r) => r.results.length >= 1, 10_000, 'the first replayed event');
      const first = gapped.results[0]!.extensions!;
      expect(first).toMatchObject({ resumedAfter: '1-0', gap: { after: '1-0', before: first['eventId'] } });
    } finally {
      gapped.dispose();
      await client.dispose();
    }
  });

  it('refuses a forged token at connection_init with close code 4403', async () => {
    const token = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    const [header, payload] = token.split('.');
    const client = wsClient(platform.gatewayUrl, {
      authorization: `Bearer ${header}.${payload}.${'A'.repeat(86)}`,
    });
    const live = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT });
    await live.until((r) => r.ended);
    expect((live.error as { code?: number }).code).toBe(4403);
    expect(live.results).toEqual([]);
    await client.dispose();
  });

  it('answers a malformed product id with BAD_USER_INPUT from inventory and completes', async () => {
    const client = wsClient(platform.gatewayUrl);
    const live = subscribeWs(client, STOCK_LIVE, { productId: 'not-a-uuid' });
    await live.until((r) => r.ended);
    expect(live.results[0]?.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      serviceName: 'inventory',
    });
    expect(live.completed).toBe(true);
    await client.dispose();
  });
});

describe('StockLive shared across callers', () => {
  const AUTHORS_LIVE = `subscription AuthorsLive($productId: ID!) {
    stockChanged(productId: $productId) { id reviews(first: 10) { edges { node { author { email } } } } }
  }`;
  const upstreams = async () => {
    const text = await (await fetch(platform.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
    const line = text.split('\n').find((l) => l.startsWith('gateway_subscription_upstreams_active'));
    return Number(line?.split(' ').at(-1) ?? NaN);
  };
  /** Adjusts stock until every recorder has seen a new event (each went live upstream). */
  const untilAllLive = async (recorders: Recorder[]) => {
    for (const recorder of recorders) await untilLive(recorder);
  };
  const emails = (result: { data?: any } | undefined) =>
    (result?.data?.stockChanged?.reviews?.edges ?? [])
      .map((edge: any) => edge.node.author.email as string | null)
      .filter((email: string | null) => email !== null)
      .sort();

  it('gives an anonymous client, a keeper and staff one upstream subscription and the same events; a private selection stays per caller', async () => {
    const keeper = bearer(await logIn(platform.gatewayUrl, 'keeper@terrarium.test'));
    // The tests before this one closed their clients; their streams end as the sockets close.
    for (const deadline = Date.now() + 10_000; (await upstreams()) > 0 && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await upstreams()).toBe(0);
    const clients = [{}, keeper, staff].map((params) => wsClient(platform.gatewayUrl, params));
    const lives = clients.map((client) => subscribeWs(client, STOCK_LIVE, { productId: PRODUCT }));
    // User.email is PRIVATE (ops shows it to its owner and staff): per caller.
    const authors = [keeper, staff].map((params, i) =>
      subscribeWs(clients[i + 1]!, AUTHORS_LIVE, { productId: PRODUCT }),
    );
    try {
      await untilAllLive([...lives, ...authors]);
      // StockLive: one, whoever subscribes; AuthorsLive: one per caller.
      expect(await upstreams()).toBe(3);

      const expected = await adjust(platform.gatewayUrl, 4);
      for (const live of lives)
        await live.until((r) => available(r.results.at(-1)!) === expected, 10_000, 'the adjustment');
      for (const live of lives)
        expect(live.results.at(-1)?.data).toEqual({
          stockChanged: { id: PRODUCT, name: PRODUCT_NAME, stock: { available: expected }, averageRating },
        });
      // One event for the three of them.
      expect(new Set(lives.map((live) => live.results.at(-1)?.extensions?.['eventId'])).size).toBe(1);
      const [keeperView, staffView] = authors.map((live) => emails(live.results.at(-1)));
      expect(keeperView).toEqual(['keeper@terrarium.test']);
      expect(staffView).toEqual(expect.arrayContaining(['desert@terrarium.test', 'keeper@terrarium.test']));
    } finally {
      for (const live of [...lives, ...authors]) live.dispose();
      await Promise.all(clients.map((client) => client.dispose()));
    }
  });
});

describe('across gateway and subgraph instances', () => {
  it('delivers to a client on gateway A an event from a mutation through gateway B, handled by another inventory instance', async () => {
    const inventoryB = await platform.startSubgraph('inventory');
    const gatewayB = await platform.startGateway({ INVENTORY_URL: inventoryB.url });
    const client = wsClient(platform.gatewayUrl);
    const live = subscribeWs(client, STOCK_LIVE, { productId: PRODUCT });
    try {
      // Gateway A subscribes to the first inventory; every mutation goes through B to the second.
      await untilLive(live, gatewayB.url);
      const stock = await adjust(gatewayB.url, 7);
      await live.until((r) => available(r.results.at(-1)!) === stock, 10_000, 'the event from gateway B');
      expect(live.results.at(-1)!.data.stockChanged).toMatchObject({ name: PRODUCT_NAME, averageRating });

      // The subgraph B's clients rely on goes away and comes back on its port: gateway B
      // re-subscribes upstream on its own and its subscriber keeps receiving.
      const onB = subscribeWs(wsClient(gatewayB.url), STOCK_LIVE, { productId: PRODUCT });
      await untilLive(onB);
      await inventoryB.stop();
      const revived = await platform.startSubgraph('inventory', { port: inventoryB.port });
      await untilLive(onB, platform.gatewayUrl, 30_000);
      expect(onB.results.at(-1)!.data.stockChanged.name).toBe(PRODUCT_NAME);
      onB.dispose();
      await revived.stop();
    } finally {
      live.dispose();
      await client.dispose();
      await gatewayB.stop();
    }
  }, 90_000);
});

describe('OrderLive', () => {
  it('serves the buyer and staff, and refuses a stranger', async () => {
    const buyer = await logIn(platform.gatewayUrl, 'keeper@terrarium.test');
    const cart = await gql(
      platform.gatewayUrl,
      contractOperation('storefront', 'AddToCart'),
      { productId: PRODUCT, quantity: 1 },
      bearer(buyer),
    );
    expect(cart.body.errors).toBeUndefined();
    const order = await gql(
      platform.gatewayUrl,
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: `order-live-${Date.now()}`, shippingAddress: SHIPPING_ADDRESS },
      bearer(buyer),
    );
    expect(order.body.errors).toBeUndefined();
    const orderId = order.body.data.checkout.id as string;

    const stranger = wsClient(platform.gatewayUrl, {
      authorization: `Bearer ${await logIn(platform.gatewayUrl, 'breeder@terrarium.test')}`,
    });
    const refused = subscribeWs(stranger, ORDER_LIVE, { orderId });
    await refused.until((r) => r.ended);
    expect(refused.results[0]?.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(refused.results[0]?.data ?? null).toBeNull();
    await stranger.dispose();

    const asBuyer = wsClient(platform.gatewayUrl, { authorization: `Bearer ${buyer}` });
    const asStaff = wsClient(platform.gatewayUrl, { authorization: staff['authorization'] });
    const forBuyer = subscribeWs(asBuyer, ORDER_LIVE, { orderId });
    const forStaff = subscribeWs(asStaff, ORDER_LIVE, { orderId });
    try {
      // Each legal step is a chance for both subscriptions to be live upstream; one is enough.
      let status = '';
      for (const next of ['PAID', 'SHIPPED', 'DELIVERED']) {
        const update = await gql(
          platform.gatewayUrl,
          contractOperation('admin', 'UpdateOrderStatus'),
          { orderId, status: next },
          staff,
        );
        expect(update.body.errors).toBeUndefined();
        status = next;
        const arrived = (r: Recorder) => r.results.some((e) => e.data?.orderStatusChanged?.status === next);
        const both = await Promise.all([forBuyer.until(arrived, 2_000), forStaff.until(arrived, 2_000)]).then(
          () => true,
          () => false,
        );
        if (both) break;
      }
      for (const live of [forBuyer, forStaff]) {
        const event = live.results.find((e) => e.data?.orderStatusChanged?.status === status)!;
        expect(event.errors).toBeUndefined();
        expect(event.data.orderStatusChanged).toEqual({
          id: orderId,
          status,
          lines: [{ quantity: 1, product: { id: PRODUCT, name: PRODUCT_NAME } }],
        });
      }
    } finally {
      forBuyer.dispose();
      forStaff.dispose();
      await Promise.all([asBuyer.dispose(), asStaff.dispose()]);
    }
  });
});

describe('MarketplaceActivity', () => {
  it('tells anyone of new listings and sales, with the animal (inventory) and the organization (ops)', async () => {
    const gateway = platform.gatewayUrl;
    const breeder = bearer(await logIn(gateway, 'breeder@terrarium.test'));
    const relisted = seedId('listing:animal:22');
    const sold = seedId('listing:animal:19');
    const setStatus = (status: string) =>
      gql(
        gateway,
        'mutation($id: ID!, $status: ListingStatus!) { updateListing(id: $id, input: { status: $status }) { status } }',
        { id: relisted, status },
        breeder,
      );
    const about = (listingId: string, kind: string) => (r: Recorder) =>
      r.results.some(
        (e) =>
          e.data?.marketplaceActivity?.kind === kind && e.data.marketplaceActivity.listing.id === listingId,
      );
    const anyone = wsClient(gateway);
    const live = subscribeWs(anyone, contractOperation('storefront', 'MarketplaceActivity'));
    try {
      // Until the subscription is live upstream, events are not for it: take a listing off sale and
      // publish it again (LISTED) until one arrives.
      const deadline = Date.now() + 20_000;
      while (!about(relisted, 'LISTED')(live)) {
        if (Date.now() > deadline || live.ended)
          throw new Error(`no event arrived: ${JSON.stringify(live.error ?? live.results)}`);
        expect((await setStatus('WITHDRAWN')).body.errors).toBeUndefined();
        expect((await setStatus('ACTIVE')).body.errors).toBeUndefined();
        await live.until(about(relisted, 'LISTED'), 1_000).catch(() => undefined);
      }
      const sunset = { id: seedId('org:sunset-reptiles'), name: 'Sunset Reptiles', slug: 'sunset-reptiles' };
      const listed = live.results.find((e) => e.data?.marketplaceActivity?.listing.id === relisted)!;
      expect(listed.errors).toBeUndefined();
      expect(listed.data.marketplaceActivity).toEqual({
        kind: 'LISTED',
        at: expect.any(String),
        listing: {
          id: relisted,
          price: { amount: 5_900, currency: 'EUR' },
          animal: {
            id: seedId('animal:22'),
            name: 'Pumpkin',
            morph: 'Normal Double Het Amel Anery',
            species: { commonName: 'Corn snake' },
          },
        },
        organization: sunset,
      });

      // A sale: an order holding the listing is paid.
      const signUp = await gql(gateway, contractOperation('storefront', 'SignUp'), {
        input: {
          email: `activity-${Date.now()}@example.com`,
          password: 'a-long-enough-password',
          displayName: 'Buyer',
        },
      });
      const buyer = bearer(signUp.body.data.signUp.token);
      expect(
        (await gql(gateway, contractOperation('storefront', 'AddToCart'), { listingId: sold }, buyer)).body
          .errors,
      ).toBeUndefined();
      const order = await gql(
        gateway,
        contractOperation('storefront', 'Checkout'),
        { idempotencyKey: `activity-${Date.now()}`, shippingAddress: SHIPPING_ADDRESS },
        buyer,
      );
      expect(order.body.errors).toBeUndefined();
      expect(
        (
          await gql(
            gateway,
            contractOperation('storefront', 'PayOrder'),
            { orderId: order.body.data.checkout.id },
            buyer,
          )
        ).body.errors,
      ).toBeUndefined();
      // The payment settles in a job; the order's PAID transaction owes the SOLD event.
      await live.until(about(sold, 'SOLD'), 15_000, 'the SOLD event');
      const sale = live.results.find((e) => e.data?.marketplaceActivity?.kind === 'SOLD')!;
      expect(sale.data.marketplaceActivity).toEqual({
        kind: 'SOLD',
        at: expect.any(String),
        listing: {
          id: sold,
          price: { amount: 8_900, currency: 'EUR' },
          animal: {
            id: seedId('animal:19'),
            name: 'Cinder',
            morph: 'Snow',
            species: { commonName: 'Corn snake' },
          },
        },
        organization: sunset,
      });
    } finally {
      live.dispose();
      await anyone.dispose();
    }
  });
});

describe('partner keys', () => {
  it('subscribe to LiveStock by its persisted id, and to nothing sent as free text', async () => {
    const created = await gql(
      platform.gatewayUrl,
      contractOperation('admin', 'CreatePartner'),
      { input: { name: `Live widget ${Date.now()}`, allowedOperations: ['LiveStock'] } },
      staff,
    );
    expect(created.body.errors).toBeUndefined();
    const partner = wsClient(platform.gatewayUrl, { 'x-api-key': created.body.data.createApiClient.key });
    const byId = subscribeWs(
      partner,
      '',
      { productId: PRODUCT },
      { persistedQuery: { version: 1, sha256Hash: liveStockId() } },
    );
    const freeForm = subscribeWs(partner, contractOperation('partner-embed', 'LiveStock'), {
      productId: PRODUCT,
    });
    try {
      await freeForm.until((r) => r.ended);
      expect((freeForm.error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe(
        'PERSISTED_QUERY_NOT_IN_LIST',
      );
      await untilLive(byId);
      expect(byId.results.at(-1)).toEqual({
        data: { stockChanged: { id: PRODUCT, name: PRODUCT_NAME, stock: { available: expect.any(Number) } } },
        extensions: { eventId: expect.any(String) },
      });
    } finally {
      byId.dispose();
      await partner.dispose();
    }
  });
});

describe('HTTP transports', () => {
  it('serves StockLive over SSE (distinct connections, as an EventSource sends it), by text or by persisted id', async () => {
    const live = await subscribeSse(platform.gatewayUrl, STOCK_LIVE, { productId: PRODUCT });
    const byId = await subscribeSse(
      platform.gatewayUrl,
      { documentId: `sha256:${liveStockId()}` },
      { productId: PRODUCT },
    );
    try {
      expect(live.response.status).toBe(200);
      expect(live.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await untilLive(live);
      const stock = await adjust(platform.gatewayUrl, 2);
      await live.until((r) => available(r.results.at(-1)!) === stock);
      expect(live.results.at(-1)).toEqual({
        data: {
          stockChanged: { id: PRODUCT, name: PRODUCT_NAME, stock: { available: stock }, averageRating },
        },
        extensions: { eventId: expect.any(String) },
      });
      await byId.until((r) => available(r.results.at(-1) ?? {}) === stock);
      expect(byId.results.at(-1)).toEqual({
        data: { stockChanged: { id: PRODUCT, name: PRODUCT_NAME, stock: { available: stock } } },
        extensions: { eventId: expect.any(String) },
      });
    } finally {
      live.close();
      byId.close();
    }
  });

  it('names each SSE event by its eventId, and an EventSource reconnecting with Last-Event-ID gets what it missed', async () => {
    const live = await subscribeSse(platform.gatewayUrl, STOCK_LIVE, { productId: PRODUCT });
    let lastEventId: string;
    try {
      await untilLive(live);
      const last = live.events.filter((event) => event.event === 'next').at(-1)!;
      expect(last.id).toMatch(/^\d+-\d+$/);
      expect(last.id).toBe(JSON.parse(last.data).extensions.eventId);
      lastEventId = last.id!;
    } finally {
      live.close();
    }
    // Published while the connection was down; the browser reconnects with the id it saw last.
    const missed = [await adjust(platform.gatewayUrl, 4), await adjust(platform.gatewayUrl, -3)];
    const resumed = await subscribeSse(
      platform.gatewayUrl,
      STOCK_LIVE,
      { productId: PRODUCT },
      { 'last-event-id': lastEventId },
    );
    try {
      await resumed.until((r) => r.results.length >= 2, 10_000, 'the missed events');
      await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more may come
      expect(resumed.results).toHaveLength(2);
      expect(resumed.results[0]!.extensions).toEqual({
        eventId: expect.any(String),
        resumedAfter: lastEventId,
      });
      expect(available(resumed.results[1]!)).toBe(missed[1]);
      expect(resumed.events.filter((event) => event.event === 'next').map((event) => event.id)).toEqual(
        resumed.results.map((result) => result.extensions!['eventId']),
      );
    } finally {
      resumed.close();
    }
    // A Last-Event-ID that is no event id is refused as extensions.lastEventId would be.
    const bogus = await subscribeSse(
      platform.gatewayUrl,
      STOCK_LIVE,
      { productId: PRODUCT },
      { 'last-event-id': 'x'.repeat(200) },
    );
    expect(bogus.response.status).toBe(400);
    expect(((await bogus.response.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('serves StockLive over multipart HTTP (as Apollo Client HttpLink sends it)', async () => {
    const live = await subscribeMultipart(platform.gatewayUrl, STOCK_LIVE, { productId: PRODUCT });
    try {
      expect(live.response.status).toBe(200);
      expect(live.response.headers.get('content-type')).toBe(
        'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"',
      );
      await untilLive(live);
      expect(live.heartbeats()).toBeGreaterThanOrEqual(1);
      const stock = await adjust(platform.gatewayUrl, 2);
      await live.until((r) => available(r.results.at(-1)!) === stock);
      expect(live.results.at(-1)).toEqual({
        data: {
          stockChanged: { id: PRODUCT, name: PRODUCT_NAME, stock: { available: stock }, averageRating },
        },
        extensions: { eventId: expect.any(String) },
      });
    } finally {
      live.close();
    }
  });

  it('refuses a bad token on SSE and multipart with 401, and a query with 400', async () => {
    const forged = { authorization: 'Bearer not.a.token' };
    const sse = await subscribeSse(platform.gatewayUrl, STOCK_LIVE, { productId: PRODUCT }, forged);
    expect(sse.response.status).toBe(401);
    const multipart = await subscribeMultipart(
      platform.gatewayUrl,
      STOCK_LIVE,
      { productId: PRODUCT },
      forged,
    );
    expect(multipart.response.status).toBe(401);
    expect(
      ((await multipart.response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!
        .extensions.code,
    ).toBe('UNAUTHENTICATED');
    const query = await subscribeMultipart(platform.gatewayUrl, '{ __typename }', {});
    expect(query.response.status).toBe(400);
  });

  it('answers a refused SSE or multipart subscription with the real message and code, as a POST would be', async () => {
    const invalid = 'subscription ($productId: ID!) { stockChanged(productId: $productId) { id nope } }';
    for (const subscribeOver of [subscribeSse, subscribeMultipart]) {
      const refused = await subscribeOver(platform.gatewayUrl, invalid, { productId: PRODUCT });
      expect(refused.response.status).toBe(400);
      expect(refused.response.headers.get('content-type')).toMatch(/^application\/json/);
      const { errors } = (await refused.response.json()) as {
        errors: { message: string; extensions: { code: string } }[];
      };
      expect(errors[0]).toMatchObject({
        message: expect.stringMatching(/^Cannot query field "nope" on type "Product"\./),
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      });
    }
  });
});
