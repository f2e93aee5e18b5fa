import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCodes, execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import { BEA, ORG, STAFF, animalId, newKeeper } from './support.js';
import {
  CONFIRM,
  SHIP,
  jobPayloads,
  keptAnimals,
  orderOf,
  pay,
  checkoutOrder,
  scalesMember,
  sellerShipment,
  startShop,
  type Shop,
} from './shipping-support.js';

describe('shipping: shipShipment and confirmDelivery', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('commerce_shipping_delivery');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  it('ships: the seller with carrier and tracking, audited, the buyer mailed; once; the order SHIPPED when all have left', async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [{ listing: 7 }, { sku: 'TR-HIDE-M', quantity: 1 }]);
    const animal = sellerShipment(order, ORG.sunset);
    const supplies = sellerShipment(order, null);
    // The store's shipment of an unpaid order cannot ship yet.
    expect(
      errorCodes(
        await execute(shop.commerce, SHIP, { id: supplies.id, carrier: 'DHL', tracking: 'JJD0001' }, STAFF),
      ),
    ).toEqual(['CONFLICT']);
    await pay(shop.commerce, order.id, me);

    const ship = (id: string, carrier: string, tracking: string, caller = BEA) =>
      execute(shop.commerce, SHIP, { id, carrier, tracking }, caller);
    expect(firstError(await ship('nope', 'DHL', 'JJD0001'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
    expect(firstError(await ship(animal.id, '', 'JJD0001'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'carrier',
    });
    expect(firstError(await ship(animal.id, 'DHL\nX', 'JJD0001'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'carrier',
    });
    expect(firstError(await ship(animal.id, 'DHL', 'JJ'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'trackingNumber',
    });
    expect(firstError(await ship(animal.id, 'DHL', 'JJD 0001'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'trackingNumber',
    });
    expect(firstError(await ship(animal.id, 'DHL', `J${'0'.repeat(40)}`))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'trackingNumber',
    });
    // Another organization's member does not see it; the buyer sees it but does not ship it.
    expect(errorCodes(await ship(animal.id, 'DHL', 'JJD0001', scalesMember()))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await ship(animal.id, 'DHL', 'JJD0001', me))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await ship(randomUUID(), 'DHL', 'JJD0001'))).toEqual(['NOT_FOUND']);
    // The breeder does not ship the store's supplies (it does not even see them).
    expect(errorCodes(await ship(supplies.id, 'DHL', 'JJD0001'))).toEqual(['NOT_FOUND']);

    const shipped = (
      await expectData<{ shipShipment: Record<string, unknown> }>(
        shop.commerce,
        SHIP,
        { id: animal.id, carrier: ' DHL Express ', tracking: 'jjd0099887766' },
        BEA,
      )
    ).shipShipment;
    expect(shipped).toEqual({
      id: animal.id,
      status: 'SHIPPED',
      carrier: 'DHL Express',
      trackingNumber: 'JJD0099887766',
      shippedAt: expect.any(String),
    });
    expect((await orderOf(shop.commerce, order.id, me)).status).toBe('PAID');
    const again = await ship(animal.id, 'UPS', '1Z999AA10123456784');
    expect(again.errors[0]?.extensions).toMatchObject({ code: 'CONFLICT', status: 'SHIPPED' });
    expect(
      (await orderOf(shop.commerce, order.id, me)).shipments.find((s) => s.id === animal.id),
    ).toMatchObject({ carrier: 'DHL Express', trackingNumber: 'JJD0099887766' });

    expect(await jobPayloads(shop, 'audit.record', { subject: `Shipment:${animal.id}` })).toEqual([
      {
        actor: BEA.userId,
        action: 'shipShipment',
        subject: `Shipment:${animal.id}`,
        diff: { orderId: order.id, carrier: 'DHL Express', trackingNumber: 'JJD0099887766' },
      },
    ]);
    expect(await jobPayloads(shop, 'mail.request', { key: `shipped:${animal.id}` })).toEqual([
      {
        userId: me.userId,
        template: 'shipped',
        data: { orderId: order.id, carrier: 'DHL Express', trackingNumber: 'JJD0099887766' },
        key: `shipped:${animal.id}`,
      },
    ]);

    // Staff ship the store's supplies: the last shipment out moves the order to SHIPPED.
    await expectData(
      shop.commerce,
      SHIP,
      { id: supplies.id, carrier: 'La Poste', tracking: 'LP-1234-5678' },
      STAFF,
    );
    const after = await orderOf(shop.commerce, order.id, me);
    expect(after.status).toBe('SHIPPED');
    expect(after.statusHistory.at(-1)).toEqual({
      from: 'PAID',
      to: 'SHIPPED',
      changedBy: { id: STAFF.userId },
    });
  });

  it('confirms delivery: the buyer only, a SHIPPED shipment only; the animal gets its keeper; the order DELIVERED when all arrived', async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [{ listing: 11 }, { sku: 'TR-TONGS', quantity: 1 }]);
    const animal = sellerShipment(order, ORG.scales);
    const supplies = sellerShipment(order, null);
    await pay(shop.commerce, order.id, me);
    const confirm = (id: string, caller = me) => execute(shop.commerce, CONFIRM, { id }, caller);
    expect((await confirm(animal.id)).errors[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'PENDING',
    });

    await expectData(
      shop.commerce,
      SHIP,
      { id: animal.id, carrier: 'DHL', tracking: 'JJD0001' },
      scalesMember(),
    );
    expect(errorCodes(await confirm(animal.id, newKeeper()))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await confirm(animal.id, scalesMember()))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await confirm(animal.id, STAFF))).toEqual(['FORBIDDEN']);
    expect(firstError(await confirm('x'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'shipmentId' });

    const delivered = (
      await expectData<{ confirmDelivery: Record<string, unknown> }>(
        shop.commerce,
        CONFIRM,
        { id: animal.id },
        me,
      )
    ).confirmDelivery;
    expect(delivered).toEqual({ id: animal.id, status: 'DELIVERED', deliveredAt: expect.any(String) });
    expect((await confirm(animal.id)).errors[0]?.extensions).toMatchObject({
      code: 'CONFLICT',
      status: 'DELIVERED',
    });
    // Inventory is owed the animal's new keeper, in the delivery's transaction; the job tells it.
    expect(await jobPayloads(shop, 'commerce.assign-keeper', { animalId: animalId(11) })).toEqual([
      { animalId: animalId(11), keeperId: me.userId },
    ]);
    await vi.waitFor(async () => expect(await keptAnimals(shop, me)).toEqual([animalId(11)]), {
      timeout: 10_000,
      interval: 100,
    });
    // One shipment arrived, the other has not left: the order stays PAID.
    expect((await orderOf(shop.commerce, order.id, me)).status).toBe('PAID');

    await expectData(shop.commerce, SHIP, { id: supplies.id, carrier: 'DHL', tracking: 'JJD0002' }, STAFF);
    expect((await orderOf(shop.commerce, order.id, me)).status).toBe('SHIPPED');
    await expectData(shop.commerce, CONFIRM, { id: supplies.id }, me);
    const done = await orderOf(shop.commerce, order.id, me);
    expect(done.status).toBe('DELIVERED');
    expect(done.statusHistory.slice(-3)).toEqual([
      { from: 'PENDING', to: 'PAID', changedBy: { id: me.userId } },
      { from: 'PAID', to: 'SHIPPED', changedBy: { id: STAFF.userId } },
      { from: 'SHIPPED', to: 'DELIVERED', changedBy: { id: me.userId } },
    ]);
    // The store's supplies hold no animal: no other keeper job.
    expect(await jobPayloads(shop, 'commerce.assign-keeper', { keeperId: me.userId })).toHaveLength(1);
    // The storefront's MyOrder reads the history as { status at }.
    const history = await expectData<{ order: { statusHistory: { status: string; at: string }[] } }>(
      shop.commerce,
      'query($id: ID!) { order(id: $id) { statusHistory { status at } } }',
      { id: order.id },
      me,
    );
    expect(history.order.statusHistory.map((change) => change.status)).toEqual([
      'PENDING',
      'PAID',
      'SHIPPED',
      'DELIVERED',
    ]);
    expect(history.order.statusHistory.every((change) => Date.parse(change.at) <= Date.now())).toBe(true);
  });
});
