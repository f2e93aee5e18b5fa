import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Address } from '../shipping/address.js';

export const ORDER_STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * Where the order's stock reservation with inventory stands (see README "Checkout protocol"):
 * PENDING while checkout is reserving, VOIDING while the sweeper undoes a stuck checkout,
 * RESERVED once placed, RELEASING/COMMITTING/RETURNING while a release/commit/return is owed to
 * inventory, RELEASED/COMMITTED/RETURNED when done.
 */
export const RESERVATION_STATES = [
  'PENDING',
  'VOIDING',
  'RESERVED',
  'RELEASING',
  'RELEASED',
  'COMMITTING',
  'COMMITTED',
  'RETURNING',
  'RETURNED',
] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

export const Order = defineEntity({
  name: 'Order',
  tableName: 'orders',
  properties: {
    id: p.uuid().primary(),
    buyerId: p.uuid(),
    status: p.enum([...ORDER_STATUSES]),
    reservationState: p.enum([...RESERVATION_STATES]),
    currency: p.string(),
    /** Minor units of `currency`, frozen at checkout. */
    subtotalAmount: p.integer(),
    discountAmount: p.integer().nullable(),
    totalAmount: p.integer(),
    couponCode: p.string().nullable(),
    /** Where the order ships; null only for orders placed before addresses were taken. */
    shippingAddress: p.json<Address>().nullable(),
    placedAt: p.datetime(),
    /** Unpaid past this, the expiry job cancels the order. Null for orders placed before deadlines existed. */
    paymentDueBy: p.datetime().nullable(),
    updatedAt: p.datetime(),
  },
});
export type OrderEntity = InferEntity<typeof Order>;

export const OrderLine = defineEntity({
  name: 'OrderLine',
  tableName: 'order_line',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    position: p.integer(),
    productId: p.uuid().nullable(),
    listingId: p.uuid().nullable(),
    /** The listed animal, copied from the listing so that inventory can be asked without a join. */
    animalId: p.uuid().nullable(),
    /** The shipment that carries this line (one per seller of the order). */
    shipmentId: p.uuid().nullable(),
    quantity: p.integer(),
    /** Price of one unit at checkout, minor units of `currency`. */
    unitAmount: p.integer(),
    currency: p.string(),
  },
});
export type OrderLineEntity = InferEntity<typeof OrderLine>;

export const OrderStatusChange = defineEntity({
  name: 'OrderStatusChange',
  tableName: 'order_status_change',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    fromStatus: p.enum([...ORDER_STATUSES]).nullable(),
    toStatus: p.enum([...ORDER_STATUSES]),
    changedBy: p.uuid().nullable(),
    changedAt: p.datetime(),
  },
});
export type OrderStatusChangeEntity = InferEntity<typeof OrderStatusChange>;
