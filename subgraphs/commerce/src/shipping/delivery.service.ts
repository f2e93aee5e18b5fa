import { requireUser } from '@terrarium/platform/caller';
import { ConflictError, ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { Context } from '../context.js';
import type { ShipmentEntity } from '../entities/shipment.entity.js';
import type { CommerceDeps } from '../services/deps.js';
import { afterTransition, type Transition } from '../services/order-status.service.js';
import { enqueueKeepers } from './keeper.job.js';
import { orderFollowsShipments } from './order-follows-shipments.js';
import { visibleShipment } from './shipment-access.js';

/**
 * Marks a SHIPPED shipment DELIVERED, in one transaction under the order's row lock: the
 * shipment, the keeper of each animal in it owed to inventory (a job), and the order's move to
 * DELIVERED when it was the last one on its way. False when the shipment is not SHIPPED (a
 * concurrent confirmation won, or it never shipped): the UPDATE is conditional.
 */
export async function deliverShipment(
  deps: CommerceDeps,
  shipmentId: string,
  actorId: string | null,
): Promise<boolean> {
  const delivered = await deps.em.transactional(
    async (tx): Promise<{ orderId: string; moves: Transition[] } | null> => {
      const order = await queryOne<{ id: string; buyerId: string }>(
        tx,
        'select o.id, o.buyer_id as "buyerId" from orders o where o.id = (select order_id from shipment where id = ?) for update',
        [shipmentId],
      );
      if (!order) return null;
      const moved = await query(
        tx,
        `update shipment set status = 'DELIVERED', delivered_at = now(), updated_at = now() where id = ? and status = 'SHIPPED' returning id`,
        [shipmentId],
      );
      if (moved.length === 0) return null;
      await enqueueKeepers(deps.jobs, tx, [shipmentId], order.buyerId);
      return { orderId: order.id, moves: await orderFollowsShipments(tx, deps.jobs, order.id, actorId) };
    },
  );
  if (!delivered) return false;
  for (const move of delivered.moves) await afterTransition(deps, delivered.orderId, move);
  return true;
}

/** The buyer confirms that a SHIPPED shipment arrived; confirming it again is a CONFLICT. */
export async function confirmDelivery(ctx: Context, id: string): Promise<ShipmentEntity> {
  const buyer = requireUser(ctx.caller);
  const shipmentId = requireUuid(id, 'shipmentId');
  const { order } = await visibleShipment(ctx, shipmentId);
  if (order.buyerId !== buyer) throw new ForbiddenError('Only the buyer confirms that a shipment arrived.');
  if (!(await deliverShipment(ctx, shipmentId, buyer))) {
    const current = await ctx.loaders.shipment.clear(shipmentId).load(shipmentId);
    throw new ConflictError(
      `Only a SHIPPED shipment can be confirmed as delivered; this one is ${current?.status ?? 'gone'}.`,
      { status: current?.status },
    );
  }
  const updated = await ctx.loaders.shipment.clear(shipmentId).load(shipmentId);
  if (!updated) throw new NotFoundError('Shipment');
  return updated;
}
