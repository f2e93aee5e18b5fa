import { isStaff, requireUser, type Caller } from '@terrarium/platform/caller';
import { NotFoundError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { OrderEntity } from '../entities/order.entity.js';
import type { ShipmentEntity } from '../entities/shipment.entity.js';

/**
 * Who sees a shipment: the order's buyer, staff, and the members of the selling organization
 * once the order is paid (a seller has nothing to do with an unpaid order, so it is not shown
 * one). Anyone else gets NOT_FOUND: a shipment they may not see does not exist for them. Who may
 * act on a visible one (ship it, confirm it) is a separate, FORBIDDEN, question.
 */
export interface VisibleShipment {
  shipment: ShipmentEntity;
  order: OrderEntity;
}

/** A member of the organization that sells this shipment (never true for the store's own). */
export function sellsShipment(caller: Caller, shipment: ShipmentEntity): boolean {
  return shipment.sellerId != null && caller.organizationIds.includes(shipment.sellerId);
}

function canSee(caller: Caller, shipment: ShipmentEntity, order: OrderEntity): boolean {
  return (
    isStaff(caller) ||
    caller.userId === order.buyerId ||
    (shipment.releasedAt != null && sellsShipment(caller, shipment))
  );
}

/** The shipment `id` (a validated uuid) as the caller may see it, with its order; NOT_FOUND otherwise. */
export async function visibleShipment(ctx: Context, id: string): Promise<VisibleShipment> {
  requireUser(ctx.caller);
  const shipment = await ctx.loaders.shipment.clear(id).load(id);
  // The order loader hides orders still being checked out, and their shipments with them.
  const order = shipment ? await ctx.loaders.order.load(shipment.orderId) : null;
  if (!shipment || !order || !canSee(ctx.caller, shipment, order)) throw new NotFoundError('Shipment');
  return { shipment, order };
}
