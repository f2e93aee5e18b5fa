import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const SHIPMENT_STATUSES = ['PENDING', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/**
 * One seller's part of an order (see src/shipping/): the order lines of one organization's
 * listings, or the store's own supplies (sellerId null). Status moves only through conditional
 * UPDATEs: PENDING -> SHIPPED -> DELIVERED, or PENDING -> CANCELLED with its order.
 */
export const Shipment = defineEntity({
  name: 'Shipment',
  tableName: 'shipment',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    /** The selling organization; null for the store, whose shipments staff ship. */
    sellerId: p.uuid().nullable(),
    status: p.enum([...SHIPMENT_STATUSES]),
    carrier: p.string().nullable(),
    trackingNumber: p.string().nullable(),
    /** Set when the order is paid: only then does the seller see (and may ship) it. */
    releasedAt: p.datetime().nullable(),
    shippedAt: p.datetime().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type ShipmentEntity = InferEntity<typeof Shipment>;
