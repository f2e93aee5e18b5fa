import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '@terrarium/platform/errors';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import type { OrderStatus } from '../entities/order.entity.js';
import { enqueueKeepers } from './keeper.job.js';

/**
 * True once any shipment of the order left its seller (SHIPPED or DELIVERED): from then on the
 * order cannot be cancelled, only refunded.
 */
export async function hasShipped(em: EntityManager, orderId: string): Promise<boolean> {
  const row = await queryOne(
    em,
    `select 1 as shipped from shipment where order_id = ? and status in ('SHIPPED', 'DELIVERED') limit 1`,
    [orderId],
  );
  return row !== undefined;
}

/**
 * The shipments' side of an order status change, in the transaction that changes the order
 * (order-status.service.ts), under the order's row lock:
 * - PAID: the sellers see their shipments from now on (released);
 * - SHIPPED / DELIVERED set by staff on the whole order: the shipments not there yet follow
 *   (when shipments move the order themselves, none are left behind and this changes nothing);
 *   delivered animals get their buyer as keeper;
 * - CANCELLED: refused once anything shipped; the pending shipments are cancelled;
 * - REFUNDED: the pending shipments are cancelled (what already left stays as it is).
 */
export async function shipmentsFollowOrder(
  jobs: JobQueue,
  tx: EntityManager,
  orderId: string,
  to: OrderStatus,
): Promise<void> {
  switch (to) {
    case 'PAID':
      await query(
        tx,
        `update shipment set released_at = date_trunc('milliseconds', now()), updated_at = now() where order_id = ? and released_at is null`,
        [orderId],
      );
      return;
    case 'SHIPPED':
      await query(
        tx,
        `update shipment set status = 'SHIPPED', shipped_at = now(), updated_at = now() where order_id = ? and status = 'PENDING'`,
        [orderId],
      );
      return;
    case 'DELIVERED': {
      const delivered = await query<{ id: string; buyerId: string }>(
        tx,
        `update shipment s set status = 'DELIVERED', delivered_at = now(), updated_at = now()
           from orders o where o.id = s.order_id and s.order_id = ? and s.status = 'SHIPPED'
         returning s.id, o.buyer_id as "buyerId"`,
        [orderId],
      );
      if (delivered[0])
        await enqueueKeepers(
          jobs,
          tx,
          delivered.map((row) => row.id),
          delivered[0].buyerId,
        );
      return;
    }
    case 'CANCELLED':
      if (await hasShipped(tx, orderId))
        throw new ConflictError('Part of this order has shipped; it can no longer be cancelled.');
      await cancelPending(tx, orderId);
      return;
    case 'REFUNDED':
      await cancelPending(tx, orderId);
      return;
    case 'PENDING':
      return;
  }
}

async function cancelPending(tx: EntityManager, orderId: string): Promise<void> {
  await query(
    tx,
    `update shipment set status = 'CANCELLED', updated_at = now() where order_id = ? and status = 'PENDING'`,
    [orderId],
  );
}
