import type { FilterQuery } from '@mikro-orm/core';
import { requireStaff, requireUser } from '@terrarium/platform/caller';
import { ForbiddenError } from '@terrarium/platform/errors';
import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { managesOrganization } from '../access.js';
import type { Context } from '../context.js';
import { Shipment, type ShipmentEntity, type ShipmentStatus } from '../entities/shipment.entity.js';

export interface ShipmentPageArgs {
  status?: ShipmentStatus | null;
  first?: number | null;
  after?: string | null;
}

/**
 * A seller's queue: the shipments of `sellerId` (null: the store) whose order was paid, newest
 * paid first, keyset cursor on (releasedAt, id). Unpaid orders are left out: nothing to ship yet.
 */
async function releasedShipments(
  ctx: Context,
  sellerId: string | null,
  args: ShipmentPageArgs,
): Promise<Connection<ShipmentEntity>> {
  const size = pageSize(args.first, 20);
  const keyset = decodeKeyset('Shipment', args.after, 'date');
  const where: FilterQuery<ShipmentEntity> = { sellerId, releasedAt: { $ne: null } };
  if (args.status) where.status = args.status;
  const [rows, total] = await Promise.all([
    ctx.em.find(Shipment, keyset ? { $and: [where, olderThan('releasedAt', keyset)] } : where, {
      orderBy: { releasedAt: 'desc', id: 'desc' },
      limit: size + 1,
      disableIdentityMap: true,
    }),
    ctx.em.count(Shipment, where),
  ]);
  return toConnection(rows, size, total, (row) => encodeKeyset('Shipment', row.releasedAt!, row.id));
}

/** `Organization.shipments`: the organization's members and staff; FORBIDDEN for anyone else. */
export function shipmentsOfOrganization(
  ctx: Context,
  organizationId: string,
  args: ShipmentPageArgs,
): Promise<Connection<ShipmentEntity>> {
  requireUser(ctx.caller);
  const id = requireUuid(organizationId, 'id');
  if (!managesOrganization(ctx.caller, id))
    throw new ForbiddenError("Only the organization's members and staff see its shipments.");
  return releasedShipments(ctx, id, args);
}

/** `storeShipments`: the store's own supplies, which staff ship. */
export function storeShipments(ctx: Context, args: ShipmentPageArgs): Promise<Connection<ShipmentEntity>> {
  requireStaff(ctx.caller);
  return releasedShipments(ctx, null, args);
}
