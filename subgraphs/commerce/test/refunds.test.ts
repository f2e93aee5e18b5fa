import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import type { AuditEntry } from '@terrarium/subgraph-kit/jobs';
import { enqueueRefund } from '../src/payments/refund.job.js';
import { animalStatus, stockOf } from './siblings.js';
import {
  ledgerOf,
  listingStatus,
  orderView,
  payAndSettle,
  placeOrder,
  reservationState,
  startShop,
  type Shop,
} from './shop.js';
import {
  STAFF,
  animalId,
  mailRequests,
  newKeeper,
  productId,
  sql,
  waitFor,
  type CommerceSubgraph,
} from './support.js';

const CANCEL = 'mutation($id: ID!) { cancelOrder(orderId: $id) { id status refunded { amount currency } } }';
const REFUND =
  'mutation($id: ID!, $reason: String!) { refundOrder(orderId: $id, reason: $reason) { id status refunded { amount currency } } }';
const SET_STATUS =
  'mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(orderId: $id, status: $status) { status } }';

/** What commerce owes ops' audit log about the order (its `audit.record` jobs). */
async function auditOf(commerce: CommerceSubgraph, orderId: string): Promise<AuditEntry[]> {
  const schema = commerce.jobs.schema;
  const rows = await sql<{ data: AuditEntry }>(
    commerce,
    `select data, created_on from "${schema}".job where name = 'audit.record' union all select data, created_on from "${schema}".archive where name = 'audit.record' order by created_on`,
  );
  return rows.map((row) => row.data).filter((entry) => entry.subject === `Order:${orderId}`);
}

describe('refunds through the provider', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('commerce_refunds');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('cancels a PAID order: refunded in full, stock, animal and listing back, the buyer mailed', async () => {
    const { commerce, inventory } = shop;
    const me = newKeeper();
    const heat = productId('TR-HEAT-100');
    const before = await stockOf(inventory, heat);
    const order = await placeOrder(commerce, me, [{ sku: 'TR-HEAT-100', quantity: 3 }, { listing: 8 }]);
    await payAndSettle(commerce, me, order.id);
    expect(await stockOf(inventory, heat)).toEqual({
      ...before,
      onHand: before.onHand - 3,
      available: before.available - 3,
    });
    expect(await animalStatus(inventory, animalId(8))).toBe('SOLD');
    expect(await listingStatus(commerce, 8)).toBe('SOLD');

    const cancelled = await expectData<{ cancelOrder: { status: string; refunded: { currency: string } } }>(
      commerce,
      CANCEL,
      { id: order.id },
      me,
    );
    expect(cancelled.cancelOrder).toMatchObject({
      id: order.id,
      status: 'CANCELLED',
      refunded: { currency: 'EUR' },
    });
    const refunded = await waitFor(
      () => orderView(commerce, me, order.id),
      (view) => view.refunded.amount > 0,
    );
    expect(refunded).toMatchObject({
      status: 'CANCELLED',
      refunded: order.total,
      payment: { status: 'REFUNDED' },
    });
    expect(await ledgerOf(commerce, order.id)).toEqual([
      { kind: 'CHARGE', amount: order.total.amount },
      { kind: 'REFUND', amount: order.total.amount },
    ]);
    // The goods never left: returned in inventory (COMMITTED -> RETURNED) and back on sale.
    expect(await reservationState(commerce, order.id)).toBe('RETURNED');
    expect(await stockOf(inventory, heat)).toEqual(before);
    expect(await animalStatus(inventory, animalId(8))).toBe('AVAILABLE');
    expect(await listingStatus(commerce, 8)).toBe('ACTIVE');
    const [refund] = await sql<{ id: string; reason: string; requested_by: string }>(
      commerce,
      'select id, reason, requested_by from refund where order_id = ?',
      [order.id],
    );
    expect(refund).toMatchObject({ reason: 'cancelled by the buyer', requested_by: me.userId });
    const amount = `€${(order.total.amount / 100).toFixed(2)}`;
    expect((await mailRequests(commerce, order.id)).filter((mail) => mail.template === 'refunded')).toEqual([
      {
        userId: me.userId,
        template: 'refunded',
        data: { orderId: order.id, amount },
        key: `refunded:${refund!.id}`,
      },
    ]);
  });

  it('makes a refund exactly once though the provider answer was lost and the job runs again', async () => {
    const { commerce, outage } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-UVB-T5', quantity: 1 }]);
    await payAndSettle(commerce, me, order.id);
    // The provider makes the refund but its answer never arrives: the job fails and is retried with backoff.
    outage.answerLost.refund = 1;
    const callsBefore = outage.calls.refund;
    await expectData(commerce, CANCEL, { id: order.id }, me);
    const view = await waitFor(
      () => orderView(commerce, me, order.id),
      (current) => current.refunded.amount > 0,
      60_000,
    );
    expect(view.refunded).toEqual(order.total);
    expect(outage.calls.refund - callsBefore).toBeGreaterThanOrEqual(2);

    // The job once more, by hand (as a worker killed after settling would run it): no effect.
    const [refund] = await sql<{ id: string; status: string }>(
      commerce,
      'select id, status from refund where order_id = ?',
      [order.id],
    );
    expect(refund!.status).toBe('SUCCEEDED');
    await enqueueRefund(commerce.jobs, commerce.orm.em.fork(), refund!.id);
    expect((await commerce.sweep({ olderThanSeconds: 0 })).refundsRedriven).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await ledgerOf(commerce, order.id)).toEqual([
      { kind: 'CHARGE', amount: order.total.amount },
      { kind: 'REFUND', amount: order.total.amount },
    ]);
    expect(
      (await mailRequests(commerce, order.id)).filter((mail) => mail.template === 'refunded'),
    ).toHaveLength(1);
    // Cancelling again is refused and asks for no second refund.
    expect(
      errorCodes(
        await execute(
          commerce,
          'mutation($id: ID!) { cancelOrder(orderId: $id) { id } }',
          { id: order.id },
          me,
        ),
      ),
    ).toEqual(['CONFLICT']);
    expect(
      await sql(commerce, 'select count(*)::int as n from refund where order_id = ?', [order.id]),
    ).toEqual([{ n: 1 }]);
  }, 90_000);

  it('lets staff refund a delivered order in full with a reason, audited; the goods stay with the buyer', async () => {
    const { commerce, inventory } = shop;
    const me = newKeeper();
    const mice = productId('TR-MICE-F');
    const order = await placeOrder(commerce, me, [{ sku: 'TR-MICE-F', quantity: 2 }]);
    await payAndSettle(commerce, me, order.id);
    await expectData(commerce, SET_STATUS, { id: order.id, status: 'SHIPPED' }, STAFF);
    await expectData(commerce, SET_STATUS, { id: order.id, status: 'DELIVERED' }, STAFF);
    const sold = await stockOf(inventory, mice);

    const answer = await expectData<{ refundOrder: { status: string } }>(
      commerce,
      REFUND,
      { id: order.id, reason: '  Arrived thawed  ' },
      STAFF,
    );
    expect(answer.refundOrder).toMatchObject({ id: order.id, status: 'REFUNDED' });
    expect(
      (
        await waitFor(
          () => orderView(commerce, me, order.id),
          (view) => view.refunded.amount > 0,
        )
      ).refunded,
    ).toEqual(order.total);
    expect(await stockOf(inventory, mice)).toEqual(sold);
    expect(await reservationState(commerce, order.id)).toBe('COMMITTED');
    expect(
      await sql(commerce, 'select reason, requested_by from refund where order_id = ?', [order.id]),
    ).toEqual([{ reason: 'Arrived thawed', requested_by: STAFF.userId }]);
    expect((await auditOf(commerce, order.id)).find((entry) => entry.action === 'refundOrder')).toEqual({
      actor: STAFF.userId,
      action: 'refundOrder',
      subject: `Order:${order.id}`,
      diff: { from: 'DELIVERED', to: 'REFUNDED', reason: 'Arrived thawed', refund: order.total },
    });
    expect(errorCodes(await execute(commerce, REFUND, { id: order.id, reason: 'again' }, STAFF))).toEqual([
      'CONFLICT',
    ]);
  });

  it('lets staff refund a PAID order before it ships: the goods come back too', async () => {
    const { commerce, inventory } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ listing: 9 }]);
    await payAndSettle(commerce, me, order.id);
    await expectData(commerce, REFUND, { id: order.id, reason: 'Animal fell ill before shipping' }, STAFF);
    expect(
      (
        await waitFor(
          () => orderView(commerce, me, order.id),
          (view) => view.refunded.amount > 0,
        )
      ).refunded,
    ).toEqual(order.total);
    expect(await animalStatus(inventory, animalId(9))).toBe('AVAILABLE');
    expect(await listingStatus(commerce, 9)).toBe('ACTIVE');
  });

  it('refuses refundOrder to non-staff, for unknown or malformed ids, without a reason, and for unpaid orders', async () => {
    const { commerce } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-HYGRO', quantity: 1 }]);
    expect(errorCodes(await execute(commerce, REFUND, { id: order.id, reason: 'mine' }, me))).toEqual([
      'FORBIDDEN',
    ]);
    expect(errorCodes(await execute(commerce, REFUND, { id: randomUUID(), reason: 'why' }, STAFF))).toEqual([
      'NOT_FOUND',
    ]);
    expect(firstError(await execute(commerce, REFUND, { id: 'nope', reason: 'why' }, STAFF))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'orderId',
    });
    expect(firstError(await execute(commerce, REFUND, { id: order.id, reason: '   ' }, STAFF))).toMatchObject(
      { code: 'BAD_USER_INPUT', field: 'reason' },
    );
    expect(
      firstError(await execute(commerce, REFUND, { id: order.id, reason: 'x'.repeat(501) }, STAFF)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const unpaid = await execute(commerce, REFUND, { id: order.id, reason: 'not paid yet' }, STAFF);
    expect(unpaid.errors[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 'PENDING' });
    expect(await sql(commerce, 'select id from refund where order_id = ?', [order.id])).toEqual([]);
  });
});
