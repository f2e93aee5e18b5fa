import type { FilterQuery } from '@mikro-orm/core';
import { requireStaff, requireUser } from '@terrarium/platform/caller';
import { BadUserInputError, NotFoundError } from '@terrarium/platform/errors';
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
  ctx.loaders.payment.clear(orderId);
  ctx.loaders.refunded.clear(orderId);
  const order = await ctx.loaders.order.clear(orderId).load(orderId);
  if (!order) throw new NotFoundError('Order');
  return order;
}

/**
 * The buyer (or staff) cancels; only PENDING and PAID orders can be cancelled (see TRANSITIONS).
 * A PAID order is refunded in full by the `payment.refund` job: `refunded` shows it once settled.
 */
export async function cancelOrder(ctx: Context, orderId: string): Promise<OrderEntity> {
  const actor = requireUser(ctx.caller);
  const order = await orderForCaller(ctx, orderId);
  await changeOrderStatus(ctx, orderId, 'CANCELLED', actor, {
    reason: actor === order.buyerId ? 'cancelled by the buyer' : 'cancelled by staff',
  });
  return reload(ctx, orderId);
}

/** Staff moves an order along TRANSITIONS; to CANCELLED or REFUNDED, a paid order's money goes back in full. */
export async function updateOrderStatus(
  ctx: Context,
  orderId: string,
  status: OrderStatus,
): Promise<OrderEntity> {
  requireStaff(ctx.caller);
  requireUuid(orderId, 'orderId');
  await changeOrderStatus(ctx, orderId, status, ctx.caller.userId, {
    reason: `status set to ${status} by staff`,
  });
  return reload(ctx, orderId);
}

/** @default 500 characters */
const MAX_REASON = 500;

/**
 * Staff refunds a paid order (PAID, SHIPPED or DELIVERED) in full, with a reason kept on the
 * refund and in the audit log. Before shipping the goods come back too (see nextReservationState).
 */
export async function refundOrder(ctx: Context, orderId: string, reason: string): Promise<OrderEntity> {
  requireStaff(ctx.caller);
  requireUuid(orderId, 'orderId');
  const why = reason.trim();
  if (why.length === 0 || why.length > MAX_REASON)
    throw new BadUserInputError(`"reason" must be 1 to ${MAX_REASON} characters.`, 'reason');
  if (!(await ctx.loaders.order.load(orderId))) throw new NotFoundError('Order');
  await changeOrderStatus(ctx, orderId, 'REFUNDED', ctx.caller.userId, {
    action: 'refundOrder',
    reason: why,
  });
  return reload(ctx, orderId);
}

/** A user's placed orders, newest first. */
export async function ordersOfUser(
  ctx: Context,
  userId: string,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<OrderEntity>> {
  requireSelfOrStaff(ctx.caller, userId);
  const size = pageSize(first, 10);
  const keyset = decodeKeyset('Order', after, 'date');
  const where: FilterQuery<OrderEntity> = {
    buyerId: userId,
    reservationState: { $nin: ['PENDING', 'VOIDING'] },
  };
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
