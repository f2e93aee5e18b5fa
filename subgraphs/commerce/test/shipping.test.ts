import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, execute, expectData, firstError } from '@terrarium/subgraph-kit/testing';
import {
  ADD_LISTING,
  ADDRESS,
  BEA,
  ORG,
  STAFF,
  animalId,
  animalListing,
  newKeeper,
  productId,
  sql,
} from './support.js';
import { animalStatus, stockOf } from './siblings.js';
import {
  CHECKOUT,
  ORG_SHIPMENTS,
  SHIP,
  orderOf,
  pay,
  checkoutOrder,
  scalesMember,
  sellerShipment,
  startShop,
  type OrderData,
  type Shop,
} from './shipping-support.js';

interface ShipmentsPage {
  _entities: {
    shipments: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: { node: { id: string; status: string; order: Record<string, unknown>; lines: unknown[] } }[];
    };
  }[];
}

describe('shipping: addresses, one shipment per seller, what sellers see', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await startShop('commerce_shipping');
  });
  afterAll(async () => {
    await shop?.stop();
  });

  const shipmentsOf = async (org: string, caller = BEA, variables: Record<string, unknown> = {}) =>
    (await expectData<ShipmentsPage>(shop.commerce, ORG_SHIPMENTS, { org, ...variables }, caller))
      ._entities[0]!.shipments;

  it('refuses a checkout without a valid address before reserving anything', async () => {
    const me = newKeeper();
    const hide = productId('TR-HIDE-M');
    const before = await stockOf(shop.inventory, hide);
    await expectData(shop.commerce, ADD_LISTING, { productId: hide, quantity: 2 }, me);
    await expectData(shop.commerce, ADD_LISTING, { listingId: animalListing(10) }, me);

    const refuse = async (address: Record<string, unknown> | null) =>
      firstError(await execute(shop.commerce, CHECKOUT, { key: randomUUID(), address }, me));
    expect(await refuse(null)).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress',
      message: 'A shipping address is required: this order ships.',
    });
    expect(await refuse({ ...ADDRESS, country: 'XX' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.country',
    });
    // Reserved codes are not countries: the United Kingdom is GB.
    expect(await refuse({ ...ADDRESS, country: 'UK' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.country',
    });
    expect(await refuse({ ...ADDRESS, name: '   ' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.name',
    });
    expect(await refuse({ ...ADDRESS, line1: 'Hauptstr. 1\nEvil: header' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.line1',
    });
    expect(await refuse({ ...ADDRESS, postalCode: '10115;' })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.postalCode',
    });
    expect(await refuse({ ...ADDRESS, city: 'x'.repeat(101) })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'shippingAddress.city',
    });

    expect(await sql(shop.commerce, 'select id from orders where buyer_id = ?', [me.userId])).toEqual([]);
    expect(await stockOf(shop.inventory, hide)).toEqual(before);
    expect(await animalStatus(shop.inventory, animalId(10))).toBe('AVAILABLE');
    expect(await sql(shop.commerce, 'select status from listing where id = ?', [animalListing(10)])).toEqual([
      { status: 'ACTIVE' },
    ]);
  });

  it("splits an order into one shipment per seller, the breeder's animal and the store's supplies", async () => {
    const me = newKeeper();
    const order = await checkoutOrder(shop.commerce, me, [
      { listing: 13 },
      { sku: 'TR-HIDE-M', quantity: 2 },
    ]);
    expect(order.shippingAddress).toEqual({
      name: 'Kai Keeper',
      line1: 'Terrarienweg 12',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
    expect(order.shipments).toHaveLength(2);
    expect(sellerShipment(order, ORG.sunset)).toMatchObject({
      status: 'PENDING',
      carrier: null,
      trackingNumber: null,
      shippedAt: null,
      order: { id: order.id },
      lines: [{ quantity: 1, listing: { id: animalListing(13) }, product: null }],
    });
    expect(sellerShipment(order, null)).toMatchObject({
      status: 'PENDING',
      lines: [{ quantity: 2, listing: null, product: { id: productId('TR-HIDE-M') } }],
    });
  });

  it('normalizes the address: trimmed, country upper case, an empty line2 dropped', async () => {
    const me = newKeeper();
    await expectData(shop.commerce, ADD_LISTING, { productId: productId('TR-TONGS'), quantity: 1 }, me);
    const address = {
      name: '  Ada  ',
      line1: ' 1 Main St ',
      line2: '  ',
      city: 'Springfield',
      postalCode: '62701',
      country: ' us ',
    };
    const { checkout } = await expectData<{ checkout: { id: string } }>(
      shop.commerce,
      CHECKOUT,
      { key: randomUUID(), address },
      me,
    );
    expect((await orderOf(shop.commerce, checkout.id, me)).shippingAddress).toEqual({
      name: 'Ada',
      line1: '1 Main St',
      line2: null,
      city: 'Springfield',
      postalCode: '62701',
      country: 'US',
    });
  });

  it("shows a seller only its own shipments, and only once the order is paid; other organizations' members are FORBIDDEN", async () => {
    const me = newKeeper();
    const before = (await shipmentsOf(ORG.sunset)).totalCount;
    const order = await checkoutOrder(shop.commerce, me, [
      { listing: 16 },
      { listing: 8 },
      { sku: 'TR-TONGS', quantity: 1 },
    ]);
    expect(order.shipments.map((s) => s.seller?.id ?? null).sort()).toEqual(
      [ORG.scales, ORG.sunset, null].sort(),
    );
    // Unpaid: nothing to ship yet, so the sellers are not shown it.
    expect((await shipmentsOf(ORG.sunset)).totalCount).toBe(before);
    expect(
      errorCodes(
        await execute(
          shop.commerce,
          SHIP,
          { id: sellerShipment(order, ORG.sunset).id, carrier: 'DHL', tracking: 'JJD0001' },
          BEA,
        ),
      ),
    ).toEqual(['NOT_FOUND']);

    await pay(shop.commerce, order.id, me);
    const sunset = await shipmentsOf(ORG.sunset, BEA, { status: 'PENDING' });
    expect(sunset.totalCount).toBe(before + 1);
    expect(sunset.edges[0]!.node).toEqual({
      id: sellerShipment(order, ORG.sunset).id,
      status: 'PENDING',
      order: {
        id: order.id,
        status: 'PAID',
        placedAt: expect.any(String),
        shippingAddress: { name: 'Kai Keeper', city: 'Berlin', country: 'DE' },
        buyer: { id: me.userId },
      },
      lines: [
        { quantity: 1, listing: { id: animalListing(16), animal: { id: animalId(16) } }, product: null },
      ],
    });
    const scales = await shipmentsOf(ORG.scales, scalesMember());
    expect(scales.edges.map((edge) => edge.node.id)).toEqual([sellerShipment(order, ORG.scales).id]);
    // The store's own supplies are staff's to ship.
    const store = await expectData<{ storeShipments: { edges: { node: { id: string } }[] } }>(
      shop.commerce,
      '{ storeShipments(first: 50) { edges { node { id } } } }',
      {},
      STAFF,
    );
    expect(store.storeShipments.edges.map((edge) => edge.node.id)).toContain(sellerShipment(order, null).id);
    expect(errorCodes(await execute(shop.commerce, '{ storeShipments { totalCount } }', {}, BEA))).toEqual([
      'FORBIDDEN',
    ]);

    expect(
      errorCodes(await execute(shop.commerce, ORG_SHIPMENTS, { org: ORG.sunset }, scalesMember())),
    ).toEqual(['FORBIDDEN']);
    expect(errorCodes(await execute(shop.commerce, ORG_SHIPMENTS, { org: ORG.sunset }, me))).toEqual([
      'FORBIDDEN',
    ]);
    expect((await shipmentsOf(ORG.sunset, STAFF)).totalCount).toBe(before + 1);
    expect(
      errorCodes(await execute(shop.commerce, ORG_SHIPMENTS, { org: ORG.sunset, first: 101 }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await execute(shop.commerce, ORG_SHIPMENTS, { org: ORG.sunset, after: 'nope' }, BEA)),
    ).toEqual(['BAD_USER_INPUT']);
  });

  it("pages a seller's shipments newest paid first", async () => {
    const buyers = [newKeeper(), newKeeper()];
    const orders: OrderData[] = [];
    for (const [i, buyer] of buyers.entries()) {
      orders.push(await checkoutOrder(shop.commerce, buyer, [{ listing: [19, 22][i]! }]));
      await pay(shop.commerce, orders[i]!.id, buyer);
    }
    const first = await shipmentsOf(ORG.sunset, BEA, { first: 1 });
    expect(first.edges.map((edge) => edge.node.id)).toEqual([orders[1]!.shipments[0]!.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await shipmentsOf(ORG.sunset, BEA, { first: 1, after: first.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.id)).toEqual([orders[0]!.shipments[0]!.id]);
  });
});
