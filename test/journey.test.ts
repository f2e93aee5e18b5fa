/**
 * The marketplace's journeys through the real gateway: every subgraph a real process on the run's
 * database and Redis, mails delivered to a real SMTP server (smtp-server) and parsed (mailparser).
 *
 * 1. Buy, ship, deliver, keep: an anonymous cart merged at sign-up, checkout with an address,
 *    payment settled asynchronously, the breeder ships its shipment with tracking and staff the
 *    store's, the buyer confirms delivery, the animal is in the buyer's collection, a care schedule
 *    fires a reminder over graphql-ws; the buyer's mails arrive.
 * 2. Cancel a PAID order: the refund is in the provider's ledger, stock is back, the animal is
 *    AVAILABLE and its listing ACTIVE; the refund mail arrives.
 * 3. An order left unpaid expires: cancelled, stock back, the buyer told.
 * 4. The back office with the contract's admin documents: staff refund a paid order (RefundOrder)
 *    and create, list and revoke a partner key (CreatePartner, Partners, RevokePartner); anyone
 *    else is refused.
 */
import { randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { freePort } from '@terrarium/subgraph-kit/testing';
import { bearer, contractOperation, gql, logIn, startPlatform, type Platform } from './support/platform.js';
import { subscribeWs, wsClient } from './support/subscriptions.js';

const SUNSET = seedId('org:sunset-reptiles');
const BALL_PYTHON = seedId('species:ball-python');
const HEAT_EMITTER = seedId('product:TR-HEAT-100');
const ADDRESS = {
  name: 'Kim Keeper',
  line1: 'Herpetology Lane 7',
  line2: null,
  city: 'Utrecht',
  postalCode: '3511 AB',
  country: 'NL',
};
const DAY_MS = 86_400_000;

let platform: Platform;
let url: string;
let staff: Record<string, string>;
let breeder: Record<string, string>;
let smtp: SMTPServer;
const mails: ParsedMail[] = [];

beforeAll(async () => {
  const smtpPort = await freePort();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  platform = await startPlatform({
    subgraphs: ['ops', 'products', 'inventory', 'commerce', 'community'],
    env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ORDER_PAYMENT_TIMEOUT: '20s' },
  });
  url = platform.gatewayUrl;
  staff = bearer(await logIn(url, 'admin@terrarium.test'));
  breeder = bearer(await logIn(url, 'breeder@terrarium.test'));
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
});

/** Data of an operation that must succeed. */
async function ok<T = any>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<T> {
  const { body } = await gql<T>(url, query, variables, headers);
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data as T;
}

/** Polls `probe` until it returns a value, for work done by jobs after the request. */
async function eventually<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const mailsTo = (email: string) =>
  mails
    .filter((mail) => (mail.to as { text: string } | undefined)?.text === email)
    .map((mail) => mail.subject);

/** A new animal of the demo breeder, listed for sale; its id and its listing's. */
async function listedAnimal(price: number): Promise<{ animalId: string; listingId: string }> {
  const animal = await ok(
    'mutation ($i: CreateAnimalInput!) { createAnimal(input: $i) { id } }',
    {
      i: {
        organizationId: SUNSET,
        speciesId: BALL_PYTHON,
        name: `Journey ${randomUUID().slice(0, 6)}`,
        sex: 'FEMALE',
        morph: 'Pastel',
      },
    },
    breeder,
  );
  const listing = await ok(
    'mutation ($i: CreateListingInput!) { createListing(input: $i) { id status } }',
    {
      i: {
        organizationId: SUNSET,
        animalId: animal.createAnimal.id,
        priceAmount: price,
        currency: 'EUR',
        status: 'ACTIVE',
      },
    },
    breeder,
  );
  expect(listing.createListing.status).toBe('ACTIVE');
  return { animalId: animal.createAnimal.id, listingId: listing.createListing.id };
}

async function signUp(): Promise<{ headers: Record<string, string>; email: string; userId: string }> {
  const email = `journey-${randomUUID().slice(0, 8)}@example.com`;
  const data = await ok(contractOperation('storefront', 'SignUp'), {
    input: { email, password: 'a long journey password', displayName: 'Journey Buyer' },
  });
  return { headers: bearer(data.signUp.token), email, userId: data.signUp.user.id };
}

const STOCK = 'query ($slug: String!) { product(slug: $slug) { stock { available onHand } } }';
const stockOf = async (slug = 'ceramic-heat-emitter-100w'): Promise<{ available: number; onHand: number }> =>
  (await ok(STOCK, { slug })).product.stock;
const UVB_TUBE = { id: seedId('product:TR-UVB-T5'), slug: 't5-ho-uvb-tube-12' };
const ANIMAL_STATUS = 'query ($id: ID!) { animal(id: $id) { status listing { id status } } }';
/** A listing as a storefront reads it: a root answer the gateway's entity cache keeps (Listing:<id>). */
const LISTING = 'query ($id: ID!) { listing(id: $id) { __typename id status } }';

/** Root answers the gateway served from its entity cache so far. */
async function rootCacheHits(): Promise<number> {
  const text = await (await fetch(platform.gatewayUrl.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('gateway_entity_cache_hits_total{type="Query"'));
  return line ? Number(line.split(' ')[1]) : 0;
}

const myOrder = async (orderId: string, buyer: Record<string, string>) =>
  (await ok(contractOperation('storefront', 'MyOrder'), { id: orderId }, buyer)).order;

/** A signed-up buyer's PAID order of one listed animal and two heat emitters, with the order as checkout answered it. */
async function paidOrder(
  buyer: Record<string, string>,
  listingId: string,
  afterCheckout: () => Promise<void> = async () => {},
) {
  await ok(contractOperation('storefront', 'AddToCart'), { listingId }, buyer);
  await ok(contractOperation('storefront', 'AddToCart'), { productId: HEAT_EMITTER, quantity: 2 }, buyer);
  const { checkout } = await ok(
    contractOperation('storefront', 'Checkout'),
    { idempotencyKey: randomUUID(), shippingAddress: ADDRESS },
    buyer,
  );
  await afterCheckout();
  const paying = await ok(contractOperation('storefront', 'PayOrder'), { orderId: checkout.id }, buyer);
  expect(paying.payOrder).toMatchObject({ status: 'PENDING', payment: { status: 'PROCESSING' } });
  await eventually(
    'the payment to settle',
    async () => (await myOrder(checkout.id, buyer)).status === 'PAID',
  );
  return checkout;
}

describe('journey: buy, ship, deliver, keep', () => {
  it(
    "takes an anonymous cart to a delivered animal in the buyer's collection, with its care reminder and the mails",
    { timeout: 120_000 },
    async () => {
      const { animalId, listingId } = await listedAnimal(12_500);

      // Anonymous: the cart lives under a token until sign-up merges it.
      const anonymous = await ok('mutation ($l: ID) { addToCart(listingId: $l) { token } }', {
        l: listingId,
      });
      const cartToken = anonymous.addToCart.token as string;
      await ok(
        'mutation ($p: ID, $t: String) { addToCart(productId: $p, quantity: 2, cartToken: $t) { id } }',
        { p: HEAT_EMITTER, t: cartToken },
      );
      const buyer = await signUp();
      const merged = await ok(
        'mutation ($t: String!) { mergeCart(cartToken: $t) { lines { quantity listing { id } product { id } } } }',
        { t: cartToken },
        buyer.headers,
      );
      expect(merged.mergeCart.lines).toHaveLength(2);

      // Checkout needs an address for goods that ship; with one, the order waits for payment.
      const missing = await gql(
        url,
        contractOperation('storefront', 'Checkout'),
        { idempotencyKey: randomUUID() },
        buyer.headers,
      );
      expect(missing.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const { checkout } = await ok(
        contractOperation('storefront', 'Checkout'),
        { idempotencyKey: randomUUID(), shippingAddress: ADDRESS },
        buyer.headers,
      );
      expect(checkout.status).toBe('PENDING');
      expect(Date.parse(checkout.paymentDueBy)).toBeGreaterThan(Date.now());

      // Payment is asynchronous: PROCESSING now, PAID once the provider's answer is settled by a job.
      const paying = await ok(
        contractOperation('storefront', 'PayOrder'),
        { orderId: checkout.id },
        buyer.headers,
      );
      expect(paying.payOrder.payment.status).toBe('PROCESSING');
      await eventually(
        'the payment to settle',
        async () => (await myOrder(checkout.id, buyer.headers)).payment.status === 'SUCCEEDED',
      );

      // One shipment per seller: the breeder's animal, the store's heat emitters.
      const order = await myOrder(checkout.id, buyer.headers);
      expect(order.status).toBe('PAID');
      expect(order.shippingAddress).toEqual(ADDRESS);
      const sellerShipment = order.shipments.find((s: any) => s.seller?.id === SUNSET);
      const storeShipment = order.shipments.find((s: any) => s.seller === null);
      expect(order.shipments).toHaveLength(2);

      // The breeder sees its shipment (with the address) and ships it with tracking; staff ship the store's.
      const queue = await ok(
        contractOperation('breeder', 'SellerShipments'),
        { slug: 'sunset-reptiles', status: 'PENDING', first: 50 },
        breeder,
      );
      const mine = queue.organization.shipments.edges.find((edge: any) => edge.node.id === sellerShipment.id);
      expect(mine.node.order.shippingAddress).toEqual(ADDRESS);
      expect(mine.node.lines).toEqual([
        {
          quantity: 1,
          listing: { id: listingId, animal: { id: animalId, name: expect.stringMatching(/^Journey /) } },
          product: null,
        },
      ]);
      const shipped = await ok(
        contractOperation('breeder', 'ShipShipment'),
        { id: sellerShipment.id, carrier: 'DHL', trackingNumber: 'JD014600006101' },
        breeder,
      );
      expect(shipped.shipShipment).toMatchObject({
        status: 'SHIPPED',
        carrier: 'DHL',
        trackingNumber: 'JD014600006101',
      });
      await ok(
        contractOperation('breeder', 'ShipShipment'),
        { id: storeShipment.id, carrier: 'PostNL', trackingNumber: '3SABCD1234567' },
        staff,
      );
      await eventually(
        'the order to follow its shipments to SHIPPED',
        async () => (await myOrder(checkout.id, buyer.headers)).status === 'SHIPPED',
      );

      // The buyer confirms both deliveries; the order is DELIVERED and the animal becomes theirs.
      for (const shipment of [sellerShipment, storeShipment]) {
        const confirmed = await ok(
          contractOperation('storefront', 'ConfirmDelivery'),
          { shipmentId: shipment.id },
          buyer.headers,
        );
        expect(confirmed.confirmDelivery.status).toBe('DELIVERED');
      }
      await eventually(
        'the order to be DELIVERED',
        async () => (await myOrder(checkout.id, buyer.headers)).status === 'DELIVERED',
      );
      const collection = await eventually("the animal in the buyer's collection", async () => {
        const { me } = await ok(contractOperation('storefront', 'MyCollection'), {}, buyer.headers);
        return me.animals.totalCount === 1 ? me.animals : null;
      });
      expect(collection.edges[0].node).toMatchObject({
        id: animalId,
        morph: 'Pastel',
        species: { commonName: 'Ball python' },
        careSchedules: [],
      });

      // The keeper logs care and sets a schedule that is already due: the reminder arrives over graphql-ws.
      const client = wsClient(url, { authorization: buyer.headers['authorization'] });
      const reminders = subscribeWs(client, contractOperation('storefront', 'CareReminders'));
      try {
        const fedAt = new Date(Date.now() - 3 * DAY_MS).toISOString();
        await ok(
          contractOperation('storefront', 'LogCare'),
          { animalId, input: { kind: 'FEEDING', notes: 'Thawed rat' } },
          buyer.headers,
        );
        await ok(
          'mutation ($a: ID!, $i: LogCareInput!) { logCare(animalId: $a, input: $i) { kind } }',
          { a: animalId, i: { kind: 'SHED', recordedAt: fedAt } },
          buyer.headers,
        );
        const schedule = await ok(
          contractOperation('storefront', 'SetCareSchedule'),
          { animalId, kind: 'SHED', everyDays: 2 },
          buyer.headers,
        );
        expect(Date.parse(schedule.setCareSchedule.nextDueAt)).toBe(Date.parse(fedAt) + 2 * DAY_MS);
        await reminders.until((r) => r.results.length > 0, 20_000, 'the care reminder');
        expect(reminders.results[0]).toEqual({
          data: {
            careReminderDue: {
              kind: 'SHED',
              dueAt: new Date(Date.parse(fedAt) + 2 * DAY_MS).toISOString(),
              animal: { id: animalId, name: expect.any(String), species: { commonName: 'Ball python' } },
            },
          },
          // Where a client that reconnects resumes from (lastEventId).
          extensions: { eventId: expect.stringMatching(/^\d+-\d+$/) },
        });
      } finally {
        reminders.dispose();
        await client.dispose();
      }

      // The buyer was told: the order, and each shipment with its tracking number.
      const subjects = await eventually("the buyer's mails", async () => {
        const got = mailsTo(buyer.email);
        return got.filter((s) => s?.includes('shipped')).length === 2 ? got : null;
      });
      expect(subjects).toEqual(
        expect.arrayContaining([`Order ${checkout.id} placed`, `Order ${checkout.id} shipped`]),
      );
      const tracking = mails.find((m) => m.text?.includes('JD014600006101'));
      expect(tracking?.subject).toBe(`Order ${checkout.id} shipped`);
    },
  );
});

/** The development payment provider's ledger entries for an order (commerce's schema), charges first. */
async function ledgerOf(orderId: string): Promise<{ kind: string; amount: number; currency: string }[]> {
  const client = new pg.Client({ connectionString: platform.env['DATABASE_URL'] });
  await client.connect();
  try {
    const { rows } = await client.query<{ kind: string; amount: number; currency: string }>(
      `select e.kind, e.amount, e.currency
         from commerce.simulated_ledger_entry e
         join commerce.simulated_payment_intent i on i.id = e.intent_id
        where i.order_id = $1
        order by e.kind, e.created_at`,
      [orderId],
    );
    return rows;
  } finally {
    await client.end();
  }
}

describe('journey: cancel a paid order', () => {
  it(
    'refunds it in full through the provider and returns stock, the animal and its listing',
    { timeout: 90_000 },
    async () => {
      const { animalId, listingId } = await listedAnimal(9_900);
      const buyer = await signUp();
      const before = await stockOf();
      // Read through the entity cache (the second read is a hit): every move below is read back
      // within seconds, not after the listing's 60 s max-age, whether a request or a job made it.
      const cachedListingStatus = async () => (await ok(LISTING, { id: listingId })).listing.status as string;
      expect(await cachedListingStatus()).toBe('ACTIVE');
      const hits = await rootCacheHits();
      expect(await cachedListingStatus()).toBe('ACTIVE');
      expect(await rootCacheHits()).toBeGreaterThan(hits);
      // Checkout reserves it (a request says so); the payment job sells it (the job says so).
      const checkout = await paidOrder(buyer.headers, listingId, async () => {
        expect(await cachedListingStatus()).toBe('RESERVED');
        expect(await cachedListingStatus()).toBe('RESERVED');
      });
      expect(await stockOf()).toMatchObject({ onHand: before.onHand - 2 });
      expect((await ok(ANIMAL_STATUS, { id: animalId })).animal.status).toBe('SOLD');
      await eventually(
        'the cached listing to show SOLD',
        async () => (await cachedListingStatus()) === 'SOLD',
        5_000,
      );

      const cancelled = await ok(
        contractOperation('storefront', 'CancelOrder'),
        { orderId: checkout.id },
        buyer.headers,
      );
      expect(cancelled.cancelOrder.status).toBe('CANCELLED');
      const order = await eventually('the refund to settle', async () => {
        const current = await myOrder(checkout.id, buyer.headers);
        return current.refunded.amount === checkout.total.amount ? current : null;
      });
      expect(order.payment.status).toBe('REFUNDED');
      expect(order.refunded).toEqual(checkout.total);
      // The provider's own books: one charge and one refund of the whole total, nothing else.
      expect(await ledgerOf(checkout.id)).toEqual([
        { kind: 'CHARGE', amount: checkout.total.amount, currency: checkout.total.currency },
        { kind: 'REFUND', amount: checkout.total.amount, currency: checkout.total.currency },
      ]);
      expect(await stockOf()).toEqual(before);
      expect((await ok(ANIMAL_STATUS, { id: animalId })).animal).toEqual({
        status: 'AVAILABLE',
        listing: { id: listingId, status: 'ACTIVE' },
      });
      await eventually(
        'the cached listing to show ACTIVE again',
        async () => (await cachedListingStatus()) === 'ACTIVE',
        5_000,
      );
      await eventually('the refund mail', async () =>
        mailsTo(buyer.email).includes(`Order ${checkout.id} refunded`),
      );
    },
  );
});

describe('journey: an order left unpaid', () => {
  it('expires at paymentDueBy: cancelled, its stock back, the buyer told', { timeout: 90_000 }, async () => {
    const buyer = await signUp();
    // A product no other journey touches, so its stock moves only with this order.
    const before = await stockOf(UVB_TUBE.slug);
    await ok(
      contractOperation('storefront', 'AddToCart'),
      { productId: UVB_TUBE.id, quantity: 3 },
      buyer.headers,
    );
    const { checkout } = await ok(
      contractOperation('storefront', 'Checkout'),
      { idempotencyKey: randomUUID(), shippingAddress: ADDRESS },
      buyer.headers,
    );
    expect(await stockOf(UVB_TUBE.slug)).toEqual({ available: before.available - 3, onHand: before.onHand });
    // ORDER_PAYMENT_TIMEOUT is 20 s here; checkout queued an expiry run for the deadline.
    const expired = await eventually(
      'the order to expire',
      async () => {
        const order = await myOrder(checkout.id, buyer.headers);
        return order.status === 'CANCELLED' ? order : null;
      },
      40_000,
    );
    // At its deadline (within seconds), not at some later minute's run of the backstop schedule.
    const cancelledAt = Date.parse(expired.statusHistory.at(-1).at);
    expect(cancelledAt - Date.parse(checkout.paymentDueBy)).toBeGreaterThanOrEqual(0);
    expect(cancelledAt - Date.parse(checkout.paymentDueBy)).toBeLessThan(8_000);
    // The release is owed to inventory after the cancellation commits (then by the sweeper if that
    // fails): a read right after the order shows CANCELLED may come before it.
    expect(
      await eventually('the stock to come back', async () => {
        const stock = await stockOf(UVB_TUBE.slug);
        return stock.available === before.available ? stock : null;
      }),
    ).toEqual(before);
    await eventually('the expiry mail', async () =>
      mailsTo(buyer.email).includes(`Order ${checkout.id} expired`),
    );
    expect(mailsTo(buyer.email)).toEqual([`Order ${checkout.id} placed`, `Order ${checkout.id} expired`]);
  });
});

describe('journey: the back office', () => {
  let keeper: Record<string, string>;
  beforeAll(async () => {
    keeper = bearer(await logIn(url, 'keeper@terrarium.test'));
  });

  it(
    "staff refund a paid order with the contract's RefundOrder; the buyer sees the money back",
    { timeout: 90_000 },
    async () => {
      const { listingId } = await listedAnimal(7_700);
      const buyer = await signUp();
      const checkout = await paidOrder(buyer.headers, listingId);
      const variables = { orderId: checkout.id, reason: 'Arrived late, goodwill refund' };

      for (const caller of [buyer.headers, keeper]) {
        const refused = await gql(url, contractOperation('admin', 'RefundOrder'), variables, caller);
        expect([refused.status, refused.body.errors?.[0]?.extensions?.['code']]).toEqual([403, 'FORBIDDEN']);
      }
      expect((await myOrder(checkout.id, buyer.headers)).status).toBe('PAID');

      const { refundOrder } = await ok(contractOperation('admin', 'RefundOrder'), variables, staff);
      expect(refundOrder).toMatchObject({ id: checkout.id, status: 'REFUNDED' });
      const order = await eventually('the refund to settle', async () => {
        const current = await myOrder(checkout.id, buyer.headers);
        return current.refunded.amount === checkout.total.amount ? current : null;
      });
      expect(order).toMatchObject({ status: 'REFUNDED', payment: { status: 'REFUNDED' } });
      expect(order.refunded).toEqual(checkout.total);
      // Never twice: a refunded order cannot be refunded again.
      const again = await gql(url, contractOperation('admin', 'RefundOrder'), variables, staff);
      expect(again.body.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');
      expect((await myOrder(checkout.id, buyer.headers)).refunded).toEqual(checkout.total);
      await eventually('the refund mail', async () =>
        mailsTo(buyer.email).includes(`Order ${checkout.id} refunded`),
      );
    },
  );

  it('staff create, list and revoke a partner key with the contract documents; others are refused', async () => {
    const input = { name: `Journey partner ${randomUUID().slice(0, 6)}`, allowedOperations: ['AnimalCard'] };
    const refused = await gql(url, contractOperation('admin', 'CreatePartner'), { input }, keeper);
    expect([refused.status, refused.body.errors?.[0]?.extensions?.['code']]).toEqual([403, 'FORBIDDEN']);
    const listedByKeeper = await gql(url, contractOperation('admin', 'Partners'), {}, keeper);
    expect([listedByKeeper.status, listedByKeeper.body.errors?.[0]?.extensions?.['code']]).toEqual([
      403,
      'FORBIDDEN',
    ]);

    const { createApiClient } = await ok(contractOperation('admin', 'CreatePartner'), { input }, staff);
    expect(createApiClient.key).toMatch(/^trk_/);
    const id = createApiClient.client.id as string;
    const partnerNamed = async () =>
      (await ok(contractOperation('admin', 'Partners'), { first: 100 }, staff)).apiClients.edges
        .map((edge: any) => edge.node)
        .find((node: any) => node.id === id);
    const listed = await partnerNamed();
    expect(listed).toEqual({
      id,
      name: input.name,
      allowedOperations: ['AnimalCard'],
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });

    const revokedByKeeper = await gql(url, contractOperation('admin', 'RevokePartner'), { id }, keeper);
    expect([revokedByKeeper.status, revokedByKeeper.body.errors?.[0]?.extensions?.['code']]).toEqual([
      403,
      'FORBIDDEN',
    ]);
    expect((await partnerNamed()).revokedAt).toBeNull();

    const { revokeApiClient } = await ok(contractOperation('admin', 'RevokePartner'), { id }, staff);
    expect(revokeApiClient.id).toBe(id);
    expect(Date.parse(revokeApiClient.revokedAt)).toBeGreaterThanOrEqual(Date.parse(listed.createdAt));
    expect((await partnerNamed()).revokedAt).toBe(revokeApiClient.revokedAt);
  });
});
