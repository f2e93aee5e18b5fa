import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { cartHash, findCartView } from '../src/services/cart-view.service.js';
import { placeOrder } from '../src/checkout/place-order.service.js';
import type { Money } from '../src/money.js';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import {
  ADD_LISTING,
  ADDRESS,
  STAFF,
  animalId,
  animalListing,
  mailRequests,
  newKeeper,
  productId,
  sql,
  startCommerce,
  waitFor,
  type CommerceSubgraph,
} from './support.js';
import { animalStatus, siblingData, startSibling, stockOf, type RunningSibling } from './siblings.js';

const CHECKOUT = /* GraphQL */ `
  mutation Checkout($key: String!, $address: AddressInput) {
    checkout(idempotencyKey: $key, shippingAddress: $address) {
      id
      status
      coupon
      placedAt
      paymentDueBy
      subtotal {
        amount
        currency
      }
      discount {
        amount
      }
      total {
        amount
        currency
      }
      lines {
        quantity
        unitPrice {
          amount
          currency
        }
        product {
          id
        }
        listing {
          id
        }
      }
      statusHistory {
        from
        to
      }
    }
  }
`;
const CANCEL = 'mutation($id: ID!) { cancelOrder(orderId: $id) { id status statusHistory { from to } } }';
const PAY =
  'mutation($id: ID!, $method: String) { payOrder(orderId: $id, paymentMethod: $method) { id status payment { status failureReason } } }';
const ORDER_STATUS = 'query($id: ID!) { order(id: $id) { status payment { status failureReason } } }';
const APPLY = 'mutation($code: String!) { applyCoupon(code: $code) { coupon } }';

interface OrderData {
  id: string;
  status: string;
  coupon: string | null;
  placedAt: string;
  paymentDueBy: string;
  subtotal: Money;
  discount: { amount: number } | null;
  total: Money;
  lines: {
    quantity: number;
    unitPrice: Money;
    product: { id: string } | null;
    listing: { id: string } | null;
  }[];
  statusHistory: { from: string | null; to: string }[];
}

describe('checkout with the real inventory and products subgraphs', () => {
  let products: RunningSibling;
  let inventory: RunningSibling;
  let commerce: CommerceSubgraph;

  beforeAll(async () => {
    products = await startSibling('products', 'commerce_checkout_products');
    inventory = await startSibling('inventory', 'commerce_checkout_inventory');
    commerce = await startCommerce('commerce_checkout', {
      urls: { products: products.url, inventory: inventory.url },
    });
  });
  afterAll(async () => {
    await commerce?.stop();
    await Promise.all([inventory?.subgraph.stop(), products?.subgraph.stop()]);
  });

  async function fill(
    caller: Caller,
    items: ({ sku: string; quantity: number } | { listing: number })[],
  ): Promise<void> {
    for (const item of items) {
      if ('sku' in item)
        await expectData(
          commerce,
          ADD_LISTING,
          { productId: productId(item.sku), quantity: item.quantity },
          caller,
        );
      else await expectData(commerce, ADD_LISTING, { listingId: animalListing(item.listing) }, caller);
    }
  }

  async function checkout(caller: Caller, key: string): Promise<OrderData> {
    return (await expectData<{ checkout: OrderData }>(commerce, CHECKOUT, { key, address: ADDRESS }, caller))
      .checkout;
  }

  async function listingStatus(n: number): Promise<string> {
    const [row] = await sql<{ status: string }>(commerce, 'select status from listing where id = ?', [
      animalListing(n),
    ]);
    return row!.status;
  }

  interface Paying {
    status: string;
    payment: { status: string; failureReason: string | null };
  }

  /** The order once its payment settled (the payment.settle job ran): PAID, or PENDING with the payment FAILED. */
  async function settled(caller: Caller, orderId: string): Promise<Paying> {
    const read = async () =>
      (await expectData<{ order: Paying }>(commerce, ORDER_STATUS, { id: orderId }, caller)).order;
    return waitFor(
      read,
      (order) =>
        order.payment.status !== 'PROCESSING' &&
        (order.payment.status !== 'SUCCEEDED' || order.status !== 'PENDING'),
    );
  }

  async function ordersOf(caller: Caller): Promise<number> {
    const [row] = await sql<{ count: string }>(commerce, 'select count(*) from orders where buyer_id = ?', [
      caller.userId,
    ]);
    return Number(row!.count);
  }

  it('places an order once per key: stock reserved, prices frozen, cart emptied; a replay returns the same order', async () => {
    const me = newKeeper();
    const uvb = productId('TR-UVB-T5');
    const before = await stockOf(inventory, uvb);
    await fill(me, [{ sku: 'TR-UVB-T5', quantity: 2 }, { listing: 20 }]);
    await expectData(commerce, APPLY, { code: 'WELCOME10' }, me);

    const key = randomUUID();
    const order = await checkout(me, key);
    expect(order).toMatchObject({
      status: 'PENDING',
      coupon: 'WELCOME10',
      subtotal: { amount: 2 * 3_499 + 6_900, currency: 'EUR' },
      discount: { amount: 1_390 },
      total: { amount: 13_898 - 1_390, currency: 'EUR' },
      lines: [
        { quantity: 2, unitPrice: { amount: 3_499, currency: 'EUR' }, product: { id: uvb }, listing: null },
        {
          quantity: 1,
          unitPrice: { amount: 6_900, currency: 'EUR' },
          product: null,
          listing: { id: animalListing(20) },
        },
      ],
      statusHistory: [{ from: null, to: 'PENDING' }],
    });
    // Due ORDER_PAYMENT_TIMEOUT (30 minutes here) after it was placed.
    expect(Date.parse(order.paymentDueBy) - Date.parse(order.placedAt)).toBe(30 * 60_000);
    expect(await stockOf(inventory, uvb)).toEqual({
      ...before,
      reserved: before.reserved + 2,
      available: before.available - 2,
    });
    expect(await animalStatus(inventory, animalId(20))).toBe('RESERVED');
    expect(await listingStatus(20)).toBe('RESERVED');
    expect(
      (
        await expectData<{ cart: { lines: unknown[]; coupon: string | null } }>(
          commerce,
          '{ cart { lines { id } coupon } }',
          {},
          me,
        )
      ).cart,
    ).toEqual({ lines: [], coupon: null });

    const replay = await checkout(me, key);
    expect(replay.id).toBe(order.id);
    expect(await stockOf(inventory, uvb)).toEqual({
      ...before,
      reserved: before.reserved + 2,
      available: before.available - 2,
    });
    // The buyer is told once, from the commit that placed it; the replay asks for no mail.
    expect(await mailRequests(commerce, order.id)).toEqual([
      {
        userId: me.userId,
        template: 'order-placed',
        data: { orderId: order.id, total: '€125.08' },
        key: `order-placed:${order.id}`,
      },
    ]);

    // The same key for a different cart is a CONFLICT; the cart stays as it is.
    await fill(me, [{ sku: 'TR-HYGRO', quantity: 1 }]);
    const conflict = await execute(commerce, CHECKOUT, { key, address: ADDRESS }, me);
    expect(conflict.errors.map((error) => error.extensions?.['code'])).toEqual(['CONFLICT']);
    expect(await ordersOf(me)).toBe(1);
    expect((await checkout(me, randomUUID())).lines).toEqual([
      {
        quantity: 1,
        unitPrice: { amount: 1_299, currency: 'EUR' },
        product: { id: productId('TR-HYGRO') },
        listing: null,
      },
    ]);
  });

  it('gives a double submit of the same key one order', async () => {
    const me = newKeeper();
    const bowl = productId('TR-BOWL-L');
    const before = await stockOf(inventory, bowl);
    await fill(me, [{ sku: 'TR-BOWL-L', quantity: 3 }]);
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        execute<{ checkout: { id: string } }>(commerce, CHECKOUT, { key, address: ADDRESS }, me),
      ),
    );
    expect(results.flatMap((result) => result.errors)).toEqual([]);
    expect(new Set(results.map((result) => result.data?.checkout.id)).size).toBe(1);
    expect(await ordersOf(me)).toBe(1);
    expect((await stockOf(inventory, bowl)).reserved).toBe(before.reserved + 3);
  });

  it('releases the reservation exactly once when the buyer cancels, even twice at the same time', async () => {
    const me = newKeeper();
    const tongs = productId('TR-TONGS');
    const before = await stockOf(inventory, tongs);
    await fill(me, [{ sku: 'TR-TONGS', quantity: 3 }, { listing: 21 }]);
    const order = await checkout(me, randomUUID());
    expect((await stockOf(inventory, tongs)).available).toBe(before.available - 3);

    const results = await Promise.all([
      execute<{ cancelOrder: OrderData }>(commerce, CANCEL, { id: order.id }, me),
      execute<{ cancelOrder: OrderData }>(commerce, CANCEL, { id: order.id }, me),
    ]);
    const cancelled = results.find((result) => result.errors.length === 0);
    expect(cancelled?.data?.cancelOrder).toMatchObject({
      status: 'CANCELLED',
      statusHistory: [
        { from: null, to: 'PENDING' },
        { from: 'PENDING', to: 'CANCELLED' },
      ],
    });
    expect(results.flatMap((result) => result.errors.map((error) => error.extensions?.['code']))).toEqual([
      'CONFLICT',
    ]);
    expect(errorCodes(await execute(commerce, CANCEL, { id: order.id }, me))).toEqual(['CONFLICT']);

    expect(await stockOf(inventory, tongs)).toEqual(before);
    expect(await animalStatus(inventory, animalId(21))).toBe('AVAILABLE');
    expect(await listingStatus(21)).toBe('ACTIVE');
    const [row] = await sql<{ reservation_state: string }>(
      commerce,
      'select reservation_state from orders where id = ?',
      [order.id],
    );
    expect(row?.reservation_state).toBe('RELEASED');
    expect(errorCodes(await execute(commerce, CANCEL, { id: order.id }, newKeeper()))).toEqual(['FORBIDDEN']);
  });

  it('answers short stock with CONFLICT naming the product, and leaves nothing behind', async () => {
    const me = newKeeper();
    const tank = productId('TR-TANK-120');
    const before = await stockOf(inventory, tank);
    await fill(me, [{ listing: 22 }, { sku: 'TR-TANK-120', quantity: before.available + 1 }]);
    await expectData(commerce, APPLY, { code: 'WELCOME10' }, me);
    const [coupon] = await sql<{ used_count: number }>(
      commerce,
      `select used_count from coupon where code = 'WELCOME10'`,
    );

    const key = randomUUID();
    const short = await execute(commerce, CHECKOUT, { key, address: ADDRESS }, me);
    expect(short.errors[0]?.extensions).toMatchObject({ code: 'CONFLICT', productId: tank });
    expect(await ordersOf(me)).toBe(0);
    expect(await stockOf(inventory, tank)).toEqual(before);
    expect(await animalStatus(inventory, animalId(22))).toBe('AVAILABLE');
    expect(await listingStatus(22)).toBe('ACTIVE');
    expect(await sql(commerce, `select used_count from coupon where code = 'WELCOME10'`)).toEqual([coupon]);

    // The cart is intact and unlocked; fixed, it checks out, even with the same key (a failure leaves no record).
    const cart = await expectData<{ cart: { lines: { id: string; quantity: number }[] } }>(
      commerce,
      '{ cart { lines { id quantity } } }',
      {},
      me,
    );
    const tankLine = cart.cart.lines.find((line) => line.quantity > 1)!;
    await expectData(
      commerce,
      'mutation($id: ID!) { updateCartLine(lineId: $id, quantity: 1) { id } }',
      { id: tankLine.id },
      me,
    );
    expect((await checkout(me, key)).status).toBe('PENDING');
  });

  it('pays through the provider asynchronously: PROCESSING at once, then PAID commits the reservation as a sale', async () => {
    const me = newKeeper();
    const mice = productId('TR-MICE-F');
    const before = await stockOf(inventory, mice);
    await fill(me, [{ sku: 'TR-MICE-F', quantity: 2 }, { listing: 23 }]);
    const order = await checkout(me, randomUUID());
    expect(errorCodes(await execute(commerce, PAY, { id: order.id }, newKeeper()))).toEqual(['FORBIDDEN']);

    const started = await expectData<{ payOrder: Paying }>(commerce, PAY, { id: order.id }, me);
    expect(started.payOrder).toEqual({
      id: order.id,
      status: 'PENDING',
      payment: { status: 'PROCESSING', failureReason: null },
    });
    expect(await settled(me, order.id)).toEqual({
      status: 'PAID',
      payment: { status: 'SUCCEEDED', failureReason: null },
    });
    await waitFor(
      () => animalStatus(inventory, animalId(23)),
      (status) => status === 'SOLD',
    );
    expect(await stockOf(inventory, mice)).toEqual({
      onHand: before.onHand - 2,
      reserved: before.reserved,
      available: before.available - 2,
    });
    expect(await animalStatus(inventory, animalId(23))).toBe('SOLD');
    expect(await listingStatus(23)).toBe('SOLD');
    // Paying again changes nothing and charges nothing.
    expect(
      (await expectData<{ payOrder: Paying }>(commerce, PAY, { id: order.id }, me)).payOrder.status,
    ).toBe('PAID');
    expect(await sql(commerce, 'select status, attempt from payment where order_id = ?', [order.id])).toEqual(
      [{ status: 'SUCCEEDED', attempt: 1 }],
    );
    expect(
      await sql(
        commerce,
        `select e.kind, e.amount from simulated_ledger_entry e join simulated_payment_intent i on i.id = e.intent_id where i.order_id = ?`,
        [order.id],
      ),
    ).toEqual([{ kind: 'CHARGE', amount: 2 * 1_499 + 8_900 }]);

    const shipped = await expectData<{ updateOrderStatus: { status: string } }>(
      commerce,
      'mutation($id: ID!) { updateOrderStatus(orderId: $id, status: SHIPPED) { status } }',
      { id: order.id },
      STAFF,
    );
    expect(shipped.updateOrderStatus.status).toBe('SHIPPED');
    expect(errorCodes(await execute(commerce, CANCEL, { id: order.id }, me))).toEqual(['CONFLICT']);
  });

  it('records a declined payment and takes a new attempt on the next payOrder', async () => {
    const me = newKeeper();
    await fill(me, [{ sku: 'TR-SUB-COCO', quantity: 1 }]);
    const order = await checkout(me, randomUUID());
    expect(
      (await expectData<{ payOrder: Paying }>(commerce, PAY, { id: order.id, method: 'tok_decline' }, me))
        .payOrder.payment.status,
    ).toBe('PROCESSING');
    expect(await settled(me, order.id)).toEqual({
      status: 'PENDING',
      payment: { status: 'FAILED', failureReason: 'card declined (test token tok_decline)' },
    });
    expect(await sql(commerce, 'select status, attempt from payment where order_id = ?', [order.id])).toEqual(
      [{ status: 'FAILED', attempt: 1 }],
    );

    expect(
      (await expectData<{ payOrder: Paying }>(commerce, PAY, { id: order.id, method: 'tok_visa' }, me))
        .payOrder.payment.status,
    ).toBe('PROCESSING');
    expect((await settled(me, order.id)).status).toBe('PAID');
    const [payment] = await sql<{ status: string; attempt: number; intent_id: string }>(
      commerce,
      'select status, attempt, intent_id from payment where order_id = ?',
      [order.id],
    );
    expect(payment).toMatchObject({ status: 'SUCCEEDED', attempt: 2 });
    // Each attempt had an intent of its own at the provider; only the second was charged.
    expect(
      await sql(
        commerce,
        'select id, status, charged_amount from simulated_payment_intent where order_id = ? order by created_at',
        [order.id],
      ),
    ).toEqual([
      { id: expect.not.stringMatching(payment!.intent_id), status: 'DECLINED', charged_amount: 0 },
      { id: payment!.intent_id, status: 'SUCCEEDED', charged_amount: order.total.amount },
    ]);
  });

  it('never lets a coupon be used more often than its limit, even by concurrent checkouts', async () => {
    await expectData(
      commerce,
      'mutation { createCoupon(input: { code: "TWICE", amountOff: 500, usageLimit: 2 }) { id } }',
      {},
      STAFF,
    );
    const buyers = Array.from({ length: 5 }, () => newKeeper());
    for (const buyer of buyers) {
      await fill(buyer, [{ sku: 'TR-CALC-D3', quantity: 1 }]);
      await expectData(commerce, APPLY, { code: 'TWICE' }, buyer);
    }
    const results = await Promise.all(
      buyers.map((buyer) =>
        execute<{ checkout: OrderData }>(commerce, CHECKOUT, { key: randomUUID(), address: ADDRESS }, buyer),
      ),
    );
    const placed = results.filter((result) => result.errors.length === 0);
    expect(placed).toHaveLength(2);
    expect(placed.map((result) => result.data?.checkout.total.amount)).toEqual([499, 499]);
    expect(results.flatMap((result) => result.errors.map((error) => error.extensions?.['code']))).toEqual([
      'CONFLICT',
      'CONFLICT',
      'CONFLICT',
    ]);
    expect(await sql(commerce, `select used_count from coupon where code = 'TWICE'`)).toEqual([
      { used_count: 2 },
    ]);

    // Cancelling gives the use back.
    const buyer = buyers[results.findIndex((result) => result.errors.length === 0)]!;
    await expectData(commerce, CANCEL, { id: placed[0]!.data!.checkout.id }, buyer);
    expect(await sql(commerce, `select used_count from coupon where code = 'TWICE'`)).toEqual([
      { used_count: 1 },
    ]);
  });

  it('leaves nothing half-done when inventory does not answer, and the sweeper makes the owed release', async () => {
    // A second instance of commerce on the same schema, whose inventory is unreachable.
    const cut = await startCommerce('commerce_checkout', { urls: { products: products.url } });
    try {
      const me = newKeeper();
      await fill(me, [{ sku: 'TR-HIDE-M', quantity: 1 }, { listing: 24 }]);
      const key = randomUUID();
      const failed = await execute(cut, CHECKOUT, { key, address: ADDRESS }, me);
      expect(failed.errors.map((error) => error.extensions?.['code'])).toEqual(['SERVICE_UNAVAILABLE']);
      expect(await ordersOf(me)).toBe(0);
      expect(await listingStatus(24)).toBe('ACTIVE');
      const owed = await sql<{ order_id: string }>(commerce, 'select order_id from release_owed');
      expect(owed).toHaveLength(1);

      // The cart is unlocked at once; the owed release is made by the sweeper once inventory answers.
      expect((await checkout(me, key)).lines).toHaveLength(2);
      const report = await commerce.sweep({ olderThanSeconds: 0 });
      expect(report.releases).toBe(1);
      expect(await sql(commerce, 'select order_id from release_owed')).toEqual([]);
    } finally {
      await cut.stop();
    }
  });

  it('undoes a checkout that crashed after reserving: the sweeper releases the stock and unlocks the cart', async () => {
    const me = newKeeper();
    const hygro = productId('TR-HYGRO');
    const before = await stockOf(inventory, hygro);
    await fill(me, [{ sku: 'TR-HYGRO', quantity: 4 }]);

    // Steps 1 and 2 of a checkout, then the process "dies" before step 3.
    const em = commerce.orm.em.fork();
    const cart = (await findCartView(em, { kind: 'user', userId: me.userId! }))!;
    const orderId = randomUUID();
    const placed = await em.transactional((tx) =>
      placeOrder(tx, {
        orderId,
        userId: me.userId!,
        idempotencyKey: 'crash',
        cartId: cart.id,
        cartVersion: cart.version,
        cartHash: cartHash(cart.lines, null),
        couponCode: null,
        lines: cart.lines,
        productPrices: new Map([[hygro, { amount: 1_299, currency: 'EUR' }]]),
        paymentTimeoutMs: 60_000,
        shippingAddress: ADDRESS,
      }),
    );
    expect(placed?.lines).toHaveLength(1);
    // A product line reserves no listing.
    expect(placed?.reserved).toEqual([]);
    await siblingData(
      inventory,
      'mutation($o: ID!, $items: [ReservationItemInput!]!) { reserveForOrder(orderId: $o, items: $items) { status } }',
      {
        o: orderId,
        items: [{ productId: hygro, quantity: 4 }],
      },
      { ...ANONYMOUS, service: 'commerce' },
    );
    expect((await stockOf(inventory, hygro)).reserved).toBe(before.reserved + 4);
    // Half-done so far: the order is nobody's to see and the cart is locked.
    expect(
      errorCodes(await execute(commerce, 'query($id: ID!) { order(id: $id) { id } }', { id: orderId }, me)),
    ).toEqual(['NOT_FOUND']);
    expect(errorCodes(await execute(commerce, ADD_LISTING, { productId: hygro }, me))).toEqual(['CONFLICT']);

    expect((await commerce.sweep()).checkoutsUndone).toBe(0);
    expect((await commerce.sweep({ olderThanSeconds: 0 })).checkoutsUndone).toBe(1);
    expect(await stockOf(inventory, hygro)).toEqual(before);
    expect(await ordersOf(me)).toBe(0);
    expect(
      (
        await expectData<{ addToCart: { lines: { quantity: number }[] } }>(
          commerce,
          ADD_LISTING,
          { productId: hygro },
          me,
        )
      ).addToCart.lines[0]!.quantity,
    ).toBe(5);
  });

  it('needs a signed-in buyer, a well-formed key and something in the cart', async () => {
    expect(
      errorCodes(await execute(commerce, CHECKOUT, { key: randomUUID(), address: ADDRESS }, ANONYMOUS)),
    ).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await execute(commerce, CHECKOUT, { key: '', address: ADDRESS }, newKeeper()))).toEqual(
      ['BAD_USER_INPUT'],
    );
    expect(
      errorCodes(await execute(commerce, CHECKOUT, { key: 'has spaces', address: ADDRESS }, newKeeper())),
    ).toEqual(['BAD_USER_INPUT']);
    const empty = await execute(commerce, CHECKOUT, { key: randomUUID(), address: ADDRESS }, newKeeper());
    expect(empty.errors[0]).toMatchObject({
      message: 'Your cart is empty.',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
