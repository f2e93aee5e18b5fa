import type { ShipmentOrderResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';

/** The few fields of an order a shipment's seller needs; the rest stays on `Order` (buyer and staff). */
export const ShipmentOrder: ShipmentOrderResolvers = {
  placedAt: (order) => order.placedAt,
  shippingAddress: (order) => order.shippingAddress ?? null,
  buyer: (order) => ref(order.buyerId),
};
