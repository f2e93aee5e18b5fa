import type { FilterQuery } from '@mikro-orm/core';
import { requireStaff, requireUser } from '@terrarium/platform/caller';
import { NotFoundError } from '@terrarium/platform/errors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { requireBuyerOrStaff, requireSelfOrStaff } from '../access.js';
import type { Context } from '../context.js';
import { Order, type OrderEntity, type OrderStatus } from '../entities/order.entity.js';
import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { changeOrderStatus } from './order-status.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** A placed order the caller may see (its buyer or staff); FORBIDDEN for anyone else. */
export async function orderForCaller(ctx: Context, orderId: string): Promise<OrderEntity> {
  requireUuid(orderId, 'orderId');
  const order = await ctx.loaders.order.load(orderId);
  if (!order) throw new NotFoundError('Order');
  requireBuyerOrStaff(ctx.caller, order.buyerId);
  return order;
}

async function reload(ctx: Context, orderId: string): Promise<OrderEntity> {
  ctx.loaders.orderHistory.clear(orderId);
  const order = await ctx.loaders.order.clear(orderId).load(orderId);
  if (!order) throw new NotFoundError('Order');
  return order;
}

/** The buyer (or staff) cancels; only PENDING and PAID orders can be cancelled (see TRANSITIONS). */
export async function cancelOrder(ctx: Context, orderId: string): Promise<OrderEntity> {
  const actor = requireUser(ctx.caller);
  await orderForCaller(ctx, orderId);
  await changeOrderStatus(ctx, orderId, 'CANCELLED', actor);
  return reload(ctx, orderId);
}

export async function updateOrderStatus(ctx: Context, orderId: string, status: OrderStatus): Promise<OrderEntity> {
  requireStaff(ctx.caller);
  requireUuid(orderId, 'orderId');
  await changeOrderStatus(ctx, orderId, status, ctx.caller.userId);
  return reload(ctx, orderId);
}

/** A user's placed orders, newest first. */
export async function ordersOfUser(ctx: Context, userId: string, first: number | null | undefined, after: string | null | undefined): Promise<Connection<OrderEntity>> {
  requireSelfOrStaff(ctx.caller, userId);
  const size = pageSize(first, 10);
  const keyset = decodeKeyset('Order', after, 'date');
  const where: FilterQuery<OrderEntity> = { buyerId: userId, reservationState: { $nin: ['PENDING', 'VOIDING'] } };
  const [rows, total] = await Promise.all([
    ctx.em.find(Order, keyset ? { $and: [where, olderThan('placedAt', keyset)] } : where, {
      orderBy: { placedAt: 'desc', id: 'desc' },
      limit: size + 1,
      disableIdentityMap: true,
    }),
    ctx.em.count(Order, where),
  ]);
  return toConnection(rows, size, total, (row) => encodeKeyset('Order', row.placedAt, row.id));
}
