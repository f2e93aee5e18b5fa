import type { EntityManager } from '@mikro-orm/postgresql';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { discountFor } from '../services/coupon.service.js';
import { ANIMAL_PRICES, KEEPER_ORDER, ORGANIZATIONS, SUNSET_PRODUCT_LISTINGS } from './data.js';
import { query, type SqlParam } from '@terrarium/subgraph-kit/sql';

const user = (name: 'keeper' | 'admin') => seedId(`user:${name}@terrarium.test`);

/** The development provider's intent for Kai Keeper's order. */
const SEED_INTENT = 'dev_pi_seed_keeper_1';

/** Inserts rows unless their id exists: the seed runs on every start. */
async function insertMissing(
  em: EntityManager,
  table: string,
  rows: Record<string, SqlParam>[],
): Promise<void> {
  for (const row of rows) {
    const columns = Object.keys(row);
    await query(
      em,
      `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')}) on conflict (id) do nothing`,
      Object.values(row),
    );
  }
}

async function seedListings(em: EntityManager): Promise<void> {
  const animals = Object.entries(ANIMAL_PRICES).map(([key, price]) => {
    const n = Number(key);
    return {
      id: seedId(`listing:animal:${n}`),
      organization_id: seedId(`org:${ORGANIZATIONS[(n - 1) % 3]}`),
      animal_id: seedId(`animal:${n}`),
      status: 'ACTIVE',
      price_amount: price,
      currency: 'EUR',
      // Listed one hour apart, so pages have a stable, meaningful order.
      created_at: new Date(Date.UTC(2026, 10, 1, 8 + (n - 7))),
    };
  });
  const products = SUNSET_PRODUCT_LISTINGS.map(({ sku, price }, index) => ({
    id: seedId(`listing:product:${sku}`),
    organization_id: seedId('org:sunset-reptiles'),
    product_id: seedId(`product:${sku}`),
    status: 'ACTIVE',
    price_amount: price,
    currency: 'EUR',
    created_at: new Date(Date.UTC(2026, 9, 20, 10 + index)),
  }));
  await insertMissing(em, 'listing', [...animals, ...products]);
}

/**
 * Kai's address and the order's one shipment. A database that had the order before shipments
 * existed got its shipment (under another id) from the migration: `on conflict do nothing` on
 * any unique key keeps that one.
 */
async function seedKeeperShipment(em: EntityManager, orderId: string): Promise<void> {
  const [, paid, shipped, delivered] = KEEPER_ORDER.history;
  await query(em, 'update orders set shipping_address = ?::jsonb where id = ? and shipping_address is null', [
    JSON.stringify(KEEPER_ORDER.shippingAddress),
    orderId,
  ]);
  await query(
    em,
    `insert into shipment (id, order_id, seller_id, status, carrier, tracking_number, released_at, shipped_at, delivered_at, created_at, updated_at)
     values (?, ?, null, 'DELIVERED', ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
    [
      seedId('shipment:order:keeper:1'),
      orderId,
      KEEPER_ORDER.shipment.carrier,
      KEEPER_ORDER.shipment.trackingNumber,
      paid.at,
      shipped.at,
      delivered.at,
      KEEPER_ORDER.history[0].at,
      delivered.at,
    ],
  );
}

async function seedKeeperOrder(em: EntityManager): Promise<void> {
  const orderId = seedId('order:keeper:1');
  const subtotal = KEEPER_ORDER.lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0);
  const discount = discountFor(
    { percentOff: 10, amountOff: null, currency: null },
    { amount: subtotal, currency: 'EUR' },
  ).amount;
  const placedAt = KEEPER_ORDER.history[0].at;
  await insertMissing(em, 'orders', [
    {
      id: orderId,
      buyer_id: user('keeper'),
      status: 'DELIVERED',
      reservation_state: 'COMMITTED',
      currency: 'EUR',
      subtotal_amount: subtotal,
      discount_amount: discount,
      total_amount: subtotal - discount,
      coupon_code: KEEPER_ORDER.coupon,
      payment_due_by: new Date(Date.parse(placedAt) + 30 * 60_000),
      placed_at: placedAt,
      updated_at: KEEPER_ORDER.history.at(-1)!.at,
    },
  ]);
  await seedKeeperShipment(em, orderId);
  await insertMissing(
    em,
    'order_line',
    KEEPER_ORDER.lines.map((line, position) => ({
      id: seedId(`order:keeper:1:line:${position}`),
      order_id: orderId,
      position,
      product_id: seedId(`product:${line.sku}`),
      shipment_id: seedId('shipment:order:keeper:1'),
      quantity: line.quantity,
      unit_amount: line.unitAmount,
      currency: 'EUR',
    })),
  );
  await insertMissing(
    em,
    'order_status_change',
    KEEPER_ORDER.history.map((change, index) => ({
      id: seedId(`order:keeper:1:status:${index}`),
      order_id: orderId,
      from_status: change.from,
      to_status: change.to,
      changed_by: user(change.by),
      changed_at: change.at,
    })),
  );
  await insertMissing(em, 'payment', [
    {
      id: seedId('payment:order:keeper:1'),
      order_id: orderId,
      provider: 'development',
      intent_id: SEED_INTENT,
      amount: subtotal - discount,
      currency: 'EUR',
      status: 'SUCCEEDED',
      created_at: KEEPER_ORDER.history[1].at,
      updated_at: KEEPER_ORDER.history[1].at,
    },
  ]);
  // The development provider's books hold the charge, so that the order can be refunded.
  await insertMissing(em, 'simulated_payment_intent', [
    {
      id: SEED_INTENT,
      reference: 'seed:order:keeper:1',
      order_id: orderId,
      amount: subtotal - discount,
      currency: 'EUR',
      status: 'SUCCEEDED',
      charged_amount: subtotal - discount,
      created_at: KEEPER_ORDER.history[1].at,
    },
  ]);
  await insertMissing(em, 'simulated_ledger_entry', [
    {
      id: seedId('ledger:order:keeper:1:charge'),
      intent_id: SEED_INTENT,
      kind: 'CHARGE',
      amount: subtotal - discount,
      currency: 'EUR',
      idempotency_key: SEED_INTENT,
      created_at: KEEPER_ORDER.history[1].at,
    },
  ]);
}

/** Listings for animals 7..24 and Sunset Reptiles' supplies, WELCOME10, Kai Keeper's past order and wishlist. */
export async function seedCommerce(em: EntityManager): Promise<void> {
  await seedListings(em);
  await insertMissing(em, 'coupon', [
    // One use already: Kai Keeper's first order below.
    {
      id: seedId('coupon:WELCOME10'),
      code: 'WELCOME10',
      percent_off: 10,
      valid_from: '2026-01-01T00:00:00.000Z',
      used_count: 1,
    },
  ]);
  await seedKeeperOrder(em);
  await insertMissing(em, 'wishlist_item', [
    {
      id: seedId('wishlist:keeper:listing:animal:8'),
      user_id: user('keeper'),
      listing_id: seedId('listing:animal:8'),
      created_at: '2026-11-10T19:45:00.000Z',
    },
  ]);
}
