import { isStaff, requireUser } from '@terrarium/platform/caller';
import { ConflictError, ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import { enqueueAudit, enqueueMailRequest } from '@terrarium/subgraph-kit/jobs';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { Context } from '../context.js';
import type { OrderStatus } from '../entities/order.entity.js';
import type { ShipmentEntity } from '../entities/shipment.entity.js';
import { afterTransition } from '../services/order-status.service.js';
import { orderFollowsShipments } from './order-follows-shipments.js';
import { sellsShipment, visibleShipment } from './shipment-access.js';
import { validateTracking } from './tracking.js';

/**
 * The seller hands a shipment to a carrier: members of the selling organization, or staff (who
 * ship the store's own supplies, and may act for any organization). Only a PENDING shipment of a
 * PAID order ships; shipping it again is a CONFLICT (the first carrier and number stay). In one
 * transaction, under the order's row lock (taken before the shipment's, as every order status
 * change does): the shipment, its audit entry, the buyer's 'shipped' mail, and the order's move
 * to SHIPPED when this was the last shipment to leave.
 */
export async function shipShipment(
  ctx: Context,
  id: string,
  carrier: string,
  trackingNumber: string,
): Promise<ShipmentEntity> {
  const actor = requireUser(ctx.caller);
  const shipmentId = requireUuid(id, 'id');
  const tracking = validateTracking(carrier, trackingNumber);
  const { shipment, order } = await visibleShipment(ctx, shipmentId);
  if (!isStaff(ctx.caller) && !sellsShipment(ctx.caller, shipment)) {
    throw new ForbiddenError(
      "Only the selling organization's members ship a shipment (staff ship the store's own supplies).",
    );
  }
  const moves = await ctx.em.transactional(async (tx) => {
    const locked = await queryOne<{ status: OrderStatus }>(
      tx,
      'select status from orders where id = ? for update',
      [order.id],
    );
    if (locked?.status !== 'PAID')
      throw new ConflictError(
        `Only shipments of a PAID order ship; this order is ${locked?.status ?? 'gone'}.`,
      );
    const shipped = await query(
      tx,
      `update shipment set status = 'SHIPPED', carrier = ?, tracking_number = ?, shipped_at = now(), updated_at = now()
        where id = ? and status = 'PENDING' returning id`,
      [tracking.carrier, tracking.trackingNumber, shipmentId],
    );
    if (shipped.length === 0) {
      const current = await queryOne<{ status: string }>(tx, 'select status from shipment where id = ?', [
        shipmentId,
      ]);
      throw new ConflictError(`Only a PENDING shipment ships; this one is ${current?.status ?? 'gone'}.`, {
        status: current?.status,
      });
    }
    await enqueueAudit(ctx.jobs, tx, {
      actor,
      action: 'shipShipment',
      subject: `Shipment:${shipmentId}`,
      diff: { orderId: order.id, ...tracking },
    });
    await enqueueMailRequest(ctx.jobs, tx, {
      userId: order.buyerId,
      template: 'shipped',
      data: { orderId: order.id, ...tracking },
      key: `shipped:${shipmentId}`,
    });
    return orderFollowsShipments(tx, ctx.jobs, order.id, actor);
  });
  for (const move of moves) await afterTransition(ctx, order.id, move);
  const updated = await ctx.loaders.shipment.clear(shipmentId).load(shipmentId);
  if (!updated) throw new NotFoundError('Shipment');
  return updated;
}
