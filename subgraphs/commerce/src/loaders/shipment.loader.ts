import type { EntityManager } from '@mikro-orm/postgresql';
import { createByIdLoader, createManyByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { OrderLine, type OrderLineEntity } from '../entities/order.entity.js';
import { Shipment, type ShipmentEntity } from '../entities/shipment.entity.js';

/** Shipments are written with SQL statements, so reads bypass the identity map (as listings do). */
export function createShipmentLoader(em: EntityManager): DataLoader<string, ShipmentEntity | null> {
  return createByIdLoader(em, Shipment, { disableIdentityMap: true });
}

/** An order's shipments: the organizations' first, the store's own last. */
export function createOrderShipmentsLoader(em: EntityManager): DataLoader<string, ShipmentEntity[]> {
  return createManyByKeyLoader(
    (orderIds) =>
      em.find(
        Shipment,
        { orderId: { $in: orderIds } },
        { orderBy: { sellerId: 'asc nulls last', id: 'asc' }, disableIdentityMap: true },
      ),
    (row) => row.orderId,
  );
}

/** The order lines a shipment carries, in the order's line order. */
export function createShipmentLinesLoader(em: EntityManager): DataLoader<string, OrderLineEntity[]> {
  return createManyByKeyLoader(
    (shipmentIds) =>
      em.find(
        OrderLine,
        { shipmentId: { $in: shipmentIds } },
        { orderBy: { position: 'asc' }, disableIdentityMap: true },
      ),
    // Every row matched a shipment id, so it has one.
    (row) => row.shipmentId ?? '',
  );
}
