import { NotFoundError } from '@terrarium/platform/errors';
import type { ShipmentResolvers } from '../generated/resolvers.js';
import { refOrNull } from '../refs.js';

/** Reached only through fields that checked the caller may see the shipment (src/shipping/shipment-access.ts). */
export const Shipment: ShipmentResolvers = {
  seller: (shipment) => refOrNull(shipment.sellerId),
  order: async (shipment, _, ctx) => {
    const order = await ctx.loaders.order.load(shipment.orderId);
    if (!order) throw new NotFoundError('Order');
    return order;
  },
  lines: (shipment, _, ctx) => ctx.loaders.shipmentLines.load(shipment.id),
  carrier: (shipment) => shipment.carrier ?? null,
  trackingNumber: (shipment) => shipment.trackingNumber ?? null,
  shippedAt: (shipment) => shipment.shippedAt ?? null,
  deliveredAt: (shipment) => shipment.deliveredAt ?? null,
};
