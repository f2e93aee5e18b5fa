import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Order,
  OrderLine,
  OrderStatusChange,
  type OrderEntity,
  type OrderLineEntity,
  type OrderStatusChangeEntity,
} from '../entities/order.entity.js';
import { manyByKey, oneByKey } from './by-key.js';

/** Placed orders only: an order still being checked out (or undone) is nobody's to see yet. */
export function createOrderLoader(em: EntityManager): DataLoader<string, OrderEntity | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(Order, { id: { $in: [...ids] }, reservationState: { $nin: ['PENDING', 'VOIDING'] } }, { disableIdentityMap: true });
    return oneByKey(ids, rows, (row) => row.id);
  });
}

export function createOrderLinesLoader(em: EntityManager): DataLoader<string, OrderLineEntity[]> {
  return new DataLoader(async (orderIds) => {
    const rows = await em.find(OrderLine, { orderId: { $in: [...orderIds] } }, { orderBy: { position: 'asc' }, disableIdentityMap: true });
    return manyByKey(orderIds, rows, (row) => row.orderId);
  });
}

export function createOrderHistoryLoader(em: EntityManager): DataLoader<string, OrderStatusChangeEntity[]> {
  return new DataLoader(async (orderIds) => {
    const rows = await em.find(
      OrderStatusChange,
      { orderId: { $in: [...orderIds] } },
      { orderBy: { changedAt: 'asc' }, disableIdentityMap: true },
    );
    return manyByKey(orderIds, rows, (row) => row.orderId);
  });
}
