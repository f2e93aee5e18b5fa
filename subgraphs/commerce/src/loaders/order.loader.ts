import type { EntityManager } from '@mikro-orm/postgresql';
import { createByKeyLoader, createManyByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import {
  Order,
  OrderLine,
  OrderStatusChange,
  type OrderEntity,
  type OrderLineEntity,
  type OrderStatusChangeEntity,
} from '../entities/order.entity.js';

/** Placed orders only: an order still being checked out (or undone) is nobody's to see yet. */
export function createOrderLoader(em: EntityManager): DataLoader<string, OrderEntity | null> {
  return createByKeyLoader(
    (ids) =>
      em.find(
        Order,
        { id: { $in: ids }, reservationState: { $nin: ['PENDING', 'VOIDING'] } },
        { disableIdentityMap: true },
      ),
    (row) => row.id,
  );
}

export function createOrderLinesLoader(em: EntityManager): DataLoader<string, OrderLineEntity[]> {
  return createManyByKeyLoader(
    (orderIds) =>
      em.find(
        OrderLine,
        { orderId: { $in: orderIds } },
        { orderBy: { position: 'asc' }, disableIdentityMap: true },
      ),
    (row) => row.orderId,
  );
}

export function createOrderHistoryLoader(em: EntityManager): DataLoader<string, OrderStatusChangeEntity[]> {
  return createManyByKeyLoader(
    (orderIds) =>
      em.find(
        OrderStatusChange,
        { orderId: { $in: orderIds } },
        { orderBy: { changedAt: 'asc' }, disableIdentityMap: true },
      ),
    (row) => row.orderId,
  );
}
