import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import { expireOrdersJob } from '../src/payments/order-expiry.job.js';
import { animalStatus, stockOf } from './siblings.js';
import { PAY, listingStatus, orderView, placeOrder, reservationState, startShop, type Shop } from './shop.js';
import {
  animalId,
  mailRequests,
  newKeeper,
  productId,
  sql,
  waitFor,
  type CommerceSubgraph,
} from './support.js';

/** The hasty instance's ORDER_PAYMENT_TIMEOUT: short enough to wait out, long enough to start paying in. */
const TIMEOUT_MS = 2_000;

async function couponUses(commerce: CommerceSubgraph): Promise<number> {
  const [row] = await sql<{ used_count: number }>(
    commerce,
    `select used_count from coupon where code = 'WELCOME10'`,
  );
  return row!.used_count;
}

/** Sleeps until the order's paymentDueBy has passed. */
async function pastDue(paymentDueBy: string): Promise<void> {
  await sleep(Math.max(0, Date.parse(paymentDueBy) - Date.now() + 100));
}

describe('orders not paid in time expire', () => {
  let shop: Shop;
  let hasty: CommerceSubgraph;
  beforeAll(async () => {
    shop = await startShop('commerce_expiry');
    hasty = await shop.another({ paymentTimeoutMs: TIMEOUT_MS });
  });
  afterAll(async () => {
    await hasty?.stop();
    await shop?.stop();
  });

  it('sets paymentDueBy at checkout: placedAt + ORDER_PAYMENT_TIMEOUT', async () => {
    const quick = await placeOrder(hasty, newKeeper(), [{ sku: 'TR-HYGRO', quantity: 1 }]);
    expect(Date.parse(quick.paymentDueBy) - Date.parse(quick.placedAt)).toBe(TIMEOUT_MS);
    const usual = await placeOrder(shop.commerce, newKeeper(), [{ sku: 'TR-HYGRO', quantity: 1 }]);
    expect(Date.parse(usual.paymentDueBy) - Date.parse(usual.placedAt)).toBe(30 * 60_000);
  });

  it('cancels an unpaid order past its deadline through the scheduled job: stock, animal, listing and coupon use come back, the buyer is mailed, once', async () => {
    const { commerce, inventory } = shop;
    const me = newKeeper();
    const heat = productId('TR-HEAT-100');
    const before = { stock: await stockOf(inventory, heat), coupons: await couponUses(commerce) };
    const order = await placeOrder(
      hasty,
      me,
      [{ sku: 'TR-HEAT-100', quantity: 2 }, { listing: 7 }],
      'WELCOME10',
    );
    expect(await stockOf(inventory, heat)).toMatchObject({ reserved: before.stock.reserved + 2 });
    expect(await animalStatus(inventory, animalId(7))).toBe('RESERVED');
    expect(await listingStatus(commerce, 7)).toBe('RESERVED');
    expect(await couponUses(commerce)).toBe(before.coupons + 1);

    await pastDue(order.paymentDueBy);
    const late = await execute(commerce, PAY, { id: order.id }, me);
    expect(late.errors[0]).toMatchObject({
      message: expect.stringContaining('time to pay this order has run out'),
      extensions: { code: 'CONFLICT' },
    });

    await commerce.jobs.enqueue(commerce.orm.em.fork(), expireOrdersJob, {});
    expect(
      await waitFor(
        () => reservationState(commerce, order.id),
        (state) => state === 'RELEASED',
      ),
    ).toBe('RELEASED');
    const expired = await orderView(commerce, me, order.id);
    expect(expired.status).toBe('CANCELLED');
    expect(expired.statusHistory).toEqual([
      { from: null, to: 'PENDING', changedBy: { id: me.userId } },
      { from: 'PENDING', to: 'CANCELLED', changedBy: null },
    ]);
    expect(await stockOf(inventory, heat)).toEqual(before.stock);
    expect(await animalStatus(inventory, animalId(7))).toBe('AVAILABLE');
    expect(await listingStatus(commerce, 7)).toBe('ACTIVE');
    expect(await couponUses(commerce)).toBe(before.coupons);
    expect(await mailRequests(commerce, order.id)).toEqual([
      {
        userId: me.userId,
        template: 'order-placed',
        data: { orderId: order.id, total: expect.stringMatching(/^€[\d,]+\.\d{2}$/) },
        key: `order-placed:${order.id}`,
      },
      {
        userId: me.userId,
        template: 'order-expired',
        data: { orderId: order.id },
        key: `order-expired:${order.id}`,
      },
    ]);

    // Run again: nothing more happens.
    await commerce.expireOrders();
    expect((await orderView(commerce, me, order.id)).statusHistory).toHaveLength(2);
    expect(await couponUses(commerce)).toBe(before.coupons);
    expect(await mailRequests(commerce, order.id)).toHaveLength(2);
    expect(errorCodes(await execute(commerce, PAY, { id: order.id }, me))).toEqual(['CONFLICT']);
  });

  it('leaves an overdue order whose payment is under way to the settlement, and expires it once the payment is declined', async () => {
    const { commerce, outage } = shop;
    const me = newKeeper();
    const order = await placeOrder(hasty, me, [{ sku: 'TR-TONGS', quantity: 1 }]);
    // The provider is down for the first settlement: the payment stays PROCESSING past the deadline.
    outage.down.confirm = 1;
    expect(
      (
        await expectData<{ payOrder: { payment: { status: string } } }>(
          commerce,
          PAY,
          { id: order.id, method: 'tok_decline' },
          me,
        )
      ).payOrder.payment.status,
    ).toBe('PROCESSING');
    await waitFor(
      async () => outage.down.confirm,
      (left) => left === 0,
    );
    await pastDue(order.paymentDueBy);
    await commerce.expireOrders();
    expect((await orderView(commerce, me, order.id)).status).toBe('PENDING');

    // The settle job's retry reaches the provider, which declines; now the order expires.
    const declined = await waitFor(
      () => orderView(commerce, me, order.id),
      (view) => view.payment.status === 'FAILED',
      30_000,
    );
    expect(declined.payment).toEqual({
      status: 'FAILED',
      failureReason: 'card declined (test token tok_decline)',
    });
    // (The every-minute schedule may have been first: either way it expired once.)
    await commerce.expireOrders();
    expect((await orderView(commerce, me, order.id)).status).toBe('CANCELLED');
    expect((await mailRequests(commerce, order.id)).map((mail) => mail.template)).toEqual([
      'order-placed',
      'payment-failed',
      'order-expired',
    ]);
  }, 45_000);
});
