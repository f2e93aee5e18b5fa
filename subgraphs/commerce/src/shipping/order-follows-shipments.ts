import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { queryOne } from '@terrarium/subgraph-kit/sql';
import type { OrderStatus } from '../entities/order.entity.js';
import { transitionOrder, type Transition } from '../services/order-status.service.js';

interface ShipmentTally {
  status: OrderStatus;
  pending: number;
  shipped: number;
  delivered: number;
}

/**
 * Moves the order after one of its shipments moved, through the one status change path (history,
 * audit, orderStatusChanged): SHIPPED once every shipment that is not cancelled has left its
 * seller, DELIVERED once every one has arrived. `tx` is the transaction that moved the shipment,
 * holding the order's row lock, so the shipment and the order change together. Returns the
 * changes made, whose effects the caller runs after commit (afterTransition).
 */
export async function orderFollowsShipments(
  tx: EntityManager,
  jobs: JobQueue,
  orderId: string,
  actorId: string | null,
): Promise<Transition[]> {
  const tally = await queryOne<ShipmentTally>(
    tx,
    `select o.status,
            count(*) filter (where s.status = 'PENDING')::int as pending,
            count(*) filter (where s.status = 'SHIPPED')::int as shipped,
            count(*) filter (where s.status = 'DELIVERED')::int as delivered
       from orders o join shipment s on s.order_id = o.id
      where o.id = ?
      group by o.status`,
    [orderId],
  );
  if (!tally || tally.pending > 0 || tally.shipped + tally.delivered === 0) return [];
  const moves: Transition[] = [];
  let status = tally.status;
  if (status === 'PAID') {
    const shipped = await transitionOrder(tx, jobs, orderId, 'SHIPPED', actorId);
    if (shipped) moves.push(shipped);
    status = 'SHIPPED';
  }
  if (status === 'SHIPPED' && tally.shipped === 0) {
    const delivered = await transitionOrder(tx, jobs, orderId, 'DELIVERED', actorId);
    if (delivered) moves.push(delivered);
  }
  return moves;
}
