import { queryOne } from '@terrarium/subgraph-kit/sql';
import type { OrderStatus } from '../entities/order.entity.js';
import type { CommerceDeps } from '../services/deps.js';
import { changeOrderStatus } from '../services/order-status.service.js';

interface ShipmentTally {
  status: OrderStatus;
  pending: number;
  shipped: number;
  delivered: number;
}

/**
 * Moves the order after one of its shipments moved, through the one status change path (history,
 * audit, orderStatusChanged): SHIPPED once every shipment that is not cancelled has left its
 * seller, DELIVERED once every one has arrived. `deps.em` is the transaction that moved the
 * shipment, holding the order's row lock, so the shipment and the order change together.
 */
export async function orderFollowsShipments(
  deps: CommerceDeps,
  orderId: string,
  actorId: string | null,
): Promise<void> {
  const tally = await queryOne<ShipmentTally>(
    deps.em,
    `select o.status,
            count(*) filter (where s.status = 'PENDING')::int as pending,
            count(*) filter (where s.status = 'SHIPPED')::int as shipped,
            count(*) filter (where s.status = 'DELIVERED')::int as delivered
       from orders o join shipment s on s.order_id = o.id
      where o.id = ?
      group by o.status`,
    [orderId],
  );
  if (!tally || tally.pending > 0 || tally.shipped + tally.delivered === 0) return;
  let status = tally.status;
  if (status === 'PAID') {
    await changeOrderStatus(deps, orderId, 'SHIPPED', actorId);
    status = 'SHIPPED';
  }
  if (status === 'SHIPPED' && tally.shipped === 0)
    await changeOrderStatus(deps, orderId, 'DELIVERED', actorId);
}
