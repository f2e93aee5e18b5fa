import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '@terrarium/platform/caller';
import { errorCodes, execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import { createDevelopmentPaymentProvider } from '../src/payments/development.provider.js';
import { PAY, ledgerOf, orderView, placeOrder, startShop, type Shop } from './shop.js';
import { mailRequests, newKeeper, sql, waitFor } from './support.js';

describe('asynchronous payments through the development provider', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('commerce_payments');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('answers payOrder at once while the provider is down, and charges exactly once when it is back', async () => {
    const { commerce, outage } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-BOWL-L', quantity: 1 }]);
    outage.down.confirm = 1;
    const started = Date.now();
    const answer = await expectData<{ payOrder: { status: string; payment: { status: string } } }>(
      commerce,
      PAY,
      { id: order.id },
      me,
    );
    // The request never waits for the provider.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.payOrder).toEqual({ id: order.id, status: 'PENDING', payment: { status: 'PROCESSING' } });
    // Paying again while it is under way starts nothing new.
    expect(
      (await expectData<{ payOrder: { payment: { status: string } } }>(commerce, PAY, { id: order.id }, me))
        .payOrder.payment.status,
    ).toBe('PROCESSING');

    const paid = await waitFor(
      () => orderView(commerce, me, order.id),
      (view) => view.status === 'PAID',
      60_000,
    );
    expect(paid).toMatchObject({
      status: 'PAID',
      payment: { status: 'SUCCEEDED', failureReason: null },
      refunded: { amount: 0, currency: 'EUR' },
    });
    // The failed attempt, then the one that charged.
    expect(outage.calls.confirm).toBeGreaterThanOrEqual(2);
    expect(await ledgerOf(commerce, order.id)).toEqual([{ kind: 'CHARGE', amount: order.total.amount }]);
    expect(await sql(commerce, 'select status, attempt from payment where order_id = ?', [order.id])).toEqual(
      [{ status: 'SUCCEEDED', attempt: 1 }],
    );
  }, 90_000);

  it('charges once when the provider charged but its answer was lost: the job asks again and gets the same charge', async () => {
    const { commerce, outage } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-CALC-D3', quantity: 2 }]);
    outage.answerLost.confirm = 1;
    await expectData(commerce, PAY, { id: order.id }, me);
    expect(
      (
        await waitFor(
          () => orderView(commerce, me, order.id),
          (view) => view.status === 'PAID',
          60_000,
        )
      ).status,
    ).toBe('PAID');
    expect(await ledgerOf(commerce, order.id)).toEqual([{ kind: 'CHARGE', amount: order.total.amount }]);
  }, 90_000);

  it('declines the test token: payment FAILED, the order stays PENDING and payable, the buyer is mailed', async () => {
    const { commerce } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-TANK-120', quantity: 1 }]);
    await expectData(commerce, PAY, { id: order.id, method: 'tok_decline' }, me);
    const declined = await waitFor(
      () => orderView(commerce, me, order.id),
      (view) => view.payment.status !== 'PROCESSING',
    );
    expect(declined).toMatchObject({
      status: 'PENDING',
      payment: { status: 'FAILED', failureReason: 'card declined (test token tok_decline)' },
    });
    expect(await ledgerOf(commerce, order.id)).toEqual([]);
    const [payment] = await sql<{ id: string }>(commerce, 'select id from payment where order_id = ?', [
      order.id,
    ]);
    expect(await mailRequests(commerce, order.id)).toEqual([
      {
        userId: me.userId,
        template: 'order-placed',
        data: { orderId: order.id, total: expect.stringMatching(/^€[\d,]+\.\d{2}$/) },
        key: `order-placed:${order.id}`,
      },
      {
        userId: me.userId,
        template: 'payment-failed',
        data: { orderId: order.id, reason: 'card declined (test token tok_decline)' },
        key: `payment-failed:${payment!.id}:1`,
      },
    ]);
  });

  it('announces the settled payment to orderStatusChanged subscribers from a committed job', async () => {
    const { commerce } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-HIDE-M', quantity: 1 }]);
    const topic = `orderStatusChanged:${order.id}`;
    const events = commerce.events.subscribe<{ id: string; nudge?: boolean }>(topic);
    // The subscription is live once a nudge gets through.
    const first = events.next();
    let live = false;
    void first.then(() => (live = true));
    for (let i = 0; i < 200 && !live; i += 1) {
      await commerce.events.publish(topic, { id: order.id, nudge: true });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await first;

    await expectData(commerce, PAY, { id: order.id }, me);
    let event = await events.next();
    while (event.value?.nudge) event = await events.next();
    expect(event.value).toEqual({ id: order.id });
    // Published after the change committed: what a subscriber reads on the event is the new status.
    expect((await orderView(commerce, me, order.id)).status).toBe('PAID');
    await events.return?.();
  });

  it('shows an order without a payment as PENDING, and checks who pays and with what', async () => {
    const { commerce } = shop;
    const me = newKeeper();
    const order = await placeOrder(commerce, me, [{ sku: 'TR-HYGRO', quantity: 1 }]);
    const view = await expectData<{ order: { payment: unknown } }>(
      commerce,
      'query($id: ID!) { order(id: $id) { payment { status amount { amount currency } failureReason } } }',
      { id: order.id },
      me,
    );
    expect(view.order.payment).toEqual({ status: 'PENDING', amount: order.total, failureReason: null });

    expect(
      firstError(await execute(commerce, PAY, { id: order.id, method: 'not a token!' }, me)),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paymentMethod' });
    expect(errorCodes(await execute(commerce, PAY, { id: 'x' }, me))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await execute(commerce, PAY, { id: randomUUID() }, me))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await execute(commerce, PAY, { id: order.id }, newKeeper()))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(commerce, PAY, { id: order.id }, ANONYMOUS))).toEqual([
      'UNAUTHENTICATED',
    ]);
    // Nothing was started by any of these.
    expect(await sql(commerce, 'select id from payment where order_id = ?', [order.id])).toEqual([]);

    await expectData(
      commerce,
      'mutation($id: ID!) { cancelOrder(orderId: $id) { id } }',
      { id: order.id },
      me,
    );
    expect(errorCodes(await execute(commerce, PAY, { id: order.id }, me))).toEqual(['CONFLICT']);
  });

  it('keeps books that cannot charge an intent twice or refund more than it charged', async () => {
    const { commerce } = shop;
    const provider = createDevelopmentPaymentProvider({
      orm: commerce.orm,
      logger: pino({ level: 'silent' }),
    });
    const reference = `test:${randomUUID()}`;
    const amount = { amount: 5_000, currency: 'EUR' };
    const intent = await provider.createIntent({
      reference,
      orderId: randomUUID(),
      amount,
      paymentMethod: null,
    });
    // The same reference is the same intent.
    expect(
      await provider.createIntent({ reference, orderId: randomUUID(), amount, paymentMethod: null }),
    ).toEqual(intent);
    expect(await Promise.all([provider.confirm(intent.id), provider.confirm(intent.id)])).toEqual([
      { status: 'succeeded' },
      { status: 'succeeded' },
    ]);

    expect(await provider.refund(intent.id, { amount: 3_000, currency: 'EUR' }, 'r1')).toMatchObject({
      status: 'succeeded',
    });
    const again = await provider.refund(intent.id, { amount: 3_000, currency: 'EUR' }, 'r1');
    expect(await provider.refund(intent.id, { amount: 3_000, currency: 'EUR' }, 'r2')).toEqual({
      status: 'failed',
      reason: 'a refund of 3000 exceeds what is left of the charge (2000)',
    });
    expect(await provider.refund(intent.id, { amount: 2_000, currency: 'USD' }, 'r3')).toEqual({
      status: 'failed',
      reason: 'the charge was in EUR',
    });
    expect(await provider.refund(intent.id, { amount: 2_000, currency: 'EUR' }, 'r4')).toMatchObject({
      status: 'succeeded',
    });
    const entries = await sql<{ id: string; kind: string; amount: number }>(
      commerce,
      'select id, kind, amount from simulated_ledger_entry where intent_id = ? order by created_at',
      [intent.id],
    );
    expect(entries.map(({ kind, amount: value }) => ({ kind, amount: value }))).toEqual([
      { kind: 'CHARGE', amount: 5_000 },
      { kind: 'REFUND', amount: 3_000 },
      { kind: 'REFUND', amount: 2_000 },
    ]);
    expect(again).toEqual({ status: 'succeeded', refundId: entries[1]!.id });

    // The constraints hold even against a writer that skips the provider's checks.
    const insertCharge = sql(
      commerce,
      `insert into simulated_ledger_entry (intent_id, kind, amount, currency, idempotency_key) values (?, 'CHARGE', 5000, 'EUR', ?)`,
      [intent.id, randomUUID()],
    );
    await expect(insertCharge).rejects.toThrow(/simulated_ledger_one_charge/);
    await expect(
      sql(
        commerce,
        'update simulated_payment_intent set refunded_amount = refunded_amount + 1 where id = ?',
        [intent.id],
      ),
    ).rejects.toThrow(/check/);
  });
});
