import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, execute, expectData } from '@terrarium/subgraph-kit/testing';
import { confirmDeliveriesJob } from '../src/shipping/confirm-deliveries.job.js';
import { hasShipped } from '../src/shipping/shipments-follow-order.js';
import {
  BEA,
  KEEPER,
  KEEPER_ORDER,
  ORG,
  STAFF,
  animalId,
  animalListing,
  newKeeper,
  productId,
  sql,
} from './support.js';
import {
  SHIP,
  jobPayloads,
  keptAnimals,
  orderOf,
  pay,
  checkoutOrder,
  sellerShipment,
  startShop,
  type Shop,
} from './shipping-support.js';
import { listingStatus, reservationState } from './shop.js';
import { animalStatus } from './siblings.js';

const CANCEL = 'mutation($id: ID!) { cancelOrder(orderId: $id) { id status } }';
const SET_STATUS =
  'mutation($id: ID!, $status: OrderStatus!) { updateOrderStatus(orderId: $id, status: $status) { id status } }';

describe('shipping: the order and its shipments over time', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('commerce_shipping_life');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  const em = () => shop.commerce.orm.em.fork() as EntityManager;

  /** Runs the scheduled confirmation job through the queue, as a tick would, and waits for it. */
  async function runConfirmationJob(): Promise<void> {
    const id = await shop.commerce.jobs.enqueue(em(), confirmDeliveriesJob, {});
    expect(id).not.toBeNull();
    await vi.waitFor(
      async () =>
        expect(
          await sql(
            shop.commerce,
            `select state::text from "${shop.commerce.jobs.schema}".job where id = ?`,
            [id],
          ),
        ).toEqual([{ state: 'completed' }]),
      { timeout: 15_000, interval: 100 },
    );
  }

  const shippedDaysAgo = (shipmentId: string, days: number) =>
    sql(shop.commerce, `update shipment set shipped_at = now() - make_interval(days => ?) where id = ?`, [
      days,
      shipmentId,
    ]);

  it('confirms deliveries nobody confirmed once DELIVERY_CONFIRM_DAYS (14) have passed since shipping', async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [{ listing: 7 }, { sku: 'TR-HIDE-M', quantity: 1 }]);
    const animal = sellerShipment(order, ORG.sunset);
    const supplies = sellerShipment(order, null);
    await pay(shop.commerce, order.id, me);
    await expectData(shop.commerce, SHIP, { id: animal.id, carrier: 'DHL', tracking: 'JJD0001' }, BEA);
    await expectData(shop.commerce, SHIP, { id: supplies.id, carrier: 'DHL', tracking: 'JJD0002' }, STAFF);

    await shippedDaysAgo(animal.id, 13);
    await shippedDaysAgo(supplies.id, 15);
    await runConfirmationJob();
    let current = await orderOf(shop.commerce, order.id, me);
    expect(sellerShipment(current, null)).toMatchObject({
      status: 'DELIVERED',
      deliveredAt: expect.any(String),
    });
    expect(sellerShipment(current, ORG.sunset).status).toBe('SHIPPED');
    expect(current.status).toBe('SHIPPED');
    expect(await jobPayloads(shop, 'commerce.assign-keeper', { keeperId: me.userId })).toEqual([]);

    await shippedDaysAgo(animal.id, 15);
    await runConfirmationJob();
    current = await orderOf(shop.commerce, order.id, me);
    expect(sellerShipment(current, ORG.sunset).status).toBe('DELIVERED');
    expect(current.status).toBe('DELIVERED');
    // The system confirmed it: no actor in the history.
    expect(current.statusHistory.at(-1)).toEqual({ from: 'SHIPPED', to: 'DELIVERED', changedBy: null });
    expect(await jobPayloads(shop, 'commerce.assign-keeper', { keeperId: me.userId })).toEqual([
      { animalId: animalId(7), keeperId: me.userId },
    ]);
    await vi.waitFor(async () => expect(await keptAnimals(shop, me)).toEqual([animalId(7)]), {
      timeout: 10_000,
      interval: 100,
    });
  });

  it('refuses to cancel an order once part of it shipped; cancelling earlier cancels its shipments', async () => {
    const me = newKeeper();
    const partly = await checkoutOrder(shop.commerce, me, [
      { listing: 10 },
      { sku: 'TR-TONGS', quantity: 1 },
    ]);
    await pay(shop.commerce, partly.id, me);
    expect(await hasShipped(em(), partly.id)).toBe(false);
    await expectData(
      shop.commerce,
      SHIP,
      { id: sellerShipment(partly, ORG.sunset).id, carrier: 'DHL', tracking: 'JJD0003' },
      BEA,
    );
    expect(await hasShipped(em(), partly.id)).toBe(true);
    const refused = await execute(shop.commerce, CANCEL, { id: partly.id }, me);
    expect(refused.errors[0]).toMatchObject({
      message: 'Part of this order has shipped; it can no longer be cancelled.',
      extensions: { code: 'CONFLICT' },
    });
    const after = await orderOf(shop.commerce, partly.id, me);
    expect(after.status).toBe('PAID');
    expect(after.shipments.map((s) => s.status).sort()).toEqual(['PENDING', 'SHIPPED']);
    expect(await sql(shop.commerce, 'select status from listing where id = ?', [animalListing(10)])).toEqual([
      { status: 'SOLD' },
    ]);

    const paid = await checkoutOrder(shop.commerce, me, [{ listing: 16 }, { sku: 'TR-TONGS', quantity: 1 }]);
    await pay(shop.commerce, paid.id, me);
    expect(
      (await expectData<{ cancelOrder: { status: string } }>(shop.commerce, CANCEL, { id: paid.id }, me))
        .cancelOrder.status,
    ).toBe('CANCELLED');
    expect((await orderOf(shop.commerce, paid.id, me)).shipments.map((s) => s.status)).toEqual([
      'CANCELLED',
      'CANCELLED',
    ]);
    // A cancelled order is nothing to ship: its seller no longer has a PENDING shipment for it.
    const pending = await expectData<{ _entities: { shipments: { edges: { node: { id: string } }[] } }[] }>(
      shop.commerce,
      'query($org: ID!) { _entities(representations: [{ __typename: "Organization", id: $org }]) { ... on Organization { shipments(status: PENDING, first: 100) { edges { node { id } } } } } }',
      { org: ORG.sunset },
      BEA,
    );
    expect(pending._entities[0]!.shipments.edges.map((edge) => edge.node.id)).not.toContain(
      sellerShipment(paid, ORG.sunset).id,
    );

    const unpaid = await checkoutOrder(shop.commerce, me, [{ sku: 'TR-TONGS', quantity: 1 }]);
    await expectData(shop.commerce, CANCEL, { id: unpaid.id }, me);
    expect((await orderOf(shop.commerce, unpaid.id, me)).shipments.map((s) => s.status)).toEqual([
      'CANCELLED',
    ]);
  });

  it('lets staff move a whole order: its shipments follow, delivered animals get their keeper, a refund cancels what did not ship', async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [
      { listing: 13 },
      { sku: 'TR-HIDE-M', quantity: 1 },
    ]);
    await pay(shop.commerce, order.id, me);
    await expectData(shop.commerce, SET_STATUS, { id: order.id, status: 'SHIPPED' }, STAFF);
    let current = await orderOf(shop.commerce, order.id, me);
    expect(current.shipments.map((s) => [s.status, s.carrier, s.shippedAt === null])).toEqual([
      ['SHIPPED', null, false],
      ['SHIPPED', null, false],
    ]);
    // No tracking number, so no 'shipped' mail.
    expect(await jobPayloads(shop, 'mail.request', { userId: me.userId, template: 'shipped' })).toEqual([]);
    await expectData(shop.commerce, SET_STATUS, { id: order.id, status: 'DELIVERED' }, STAFF);
    current = await orderOf(shop.commerce, order.id, me);
    expect(current.shipments.map((s) => s.status)).toEqual(['DELIVERED', 'DELIVERED']);
    expect(await jobPayloads(shop, 'commerce.assign-keeper', { keeperId: me.userId })).toEqual([
      { animalId: animalId(13), keeperId: me.userId },
    ]);
    await vi.waitFor(async () => expect(await keptAnimals(shop, me)).toEqual([animalId(13)]), {
      timeout: 10_000,
      interval: 100,
    });

    const refunded = await checkoutOrder(shop.commerce, me, [{ sku: 'TR-HIDE-M', quantity: 1 }]);
    await pay(shop.commerce, refunded.id, me);
    await expectData(shop.commerce, SET_STATUS, { id: refunded.id, status: 'REFUNDED' }, STAFF);
    expect((await orderOf(shop.commerce, refunded.id, me)).shipments.map((s) => s.status)).toEqual([
      'CANCELLED',
    ]);
    expect(
      errorCodes(
        await execute(
          shop.commerce,
          SHIP,
          { id: refunded.shipments[0]!.id, carrier: 'DHL', tracking: 'JJD0004' },
          STAFF,
        ),
      ),
    ).toEqual(['CONFLICT']);
  });

  it('refunds a PAID order part of which shipped: its stock stays sold, what had not shipped is cancelled', async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [{ listing: 19 }, { sku: 'TR-TONGS', quantity: 1 }]);
    await pay(shop.commerce, order.id, me);
    const animal = sellerShipment(order, ORG.sunset);
    await expectData(shop.commerce, SHIP, { id: animal.id, carrier: 'DHL', tracking: 'JJD0005' }, BEA);
    const refund = await expectData<{ refundOrder: { status: string } }>(
      shop.commerce,
      'mutation($id: ID!) { refundOrder(orderId: $id, reason: "The buyer sent the order back.") { status } }',
      { id: order.id },
      STAFF,
    );
    expect(refund.refundOrder.status).toBe('REFUNDED');
    const after = await orderOf(shop.commerce, order.id, me);
    expect(sellerShipment(after, ORG.sunset).status).toBe('SHIPPED');
    expect(sellerShipment(after, null).status).toBe('CANCELLED');
    // The animal left with its carrier: no return is owed to inventory, the sale stands there.
    expect(await reservationState(shop.commerce, order.id)).toBe('COMMITTED');
    expect(await listingStatus(shop.commerce, 19)).toBe('SOLD');
    expect(await animalStatus(shop.inventory, animalId(19))).toBe('SOLD');
  });

  it("seeds Kai Keeper's delivered order with its address and its one delivered shipment", async () => {
    const order = await orderOf(shop.commerce, KEEPER_ORDER, KEEPER);
    expect(order.shippingAddress).toMatchObject({ name: 'Kai Keeper', country: 'DE' });
    expect(order.shipments).toEqual([
      {
        id: expect.any(String),
        status: 'DELIVERED',
        seller: null,
        carrier: 'DHL',
        trackingNumber: 'JJD0099123456789',
        shippedAt: '2026-10-06T09:30:00.000Z',
        deliveredAt: '2026-10-08T11:05:00.000Z',
        order: { id: KEEPER_ORDER },
        lines: ['TR-HEAT-100', 'TR-THERM-DIG', 'TR-HIDE-M'].map((sku, i) => ({
          quantity: i === 2 ? 2 : 1,
          listing: null,
          product: { id: productId(sku) },
        })),
      },
    ]);
  });
});
