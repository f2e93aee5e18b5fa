import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, NotFoundError } from '@terrarium/platform/errors';
import type { ListingStatus } from '../entities/listing.entity.js';
import type { OrderStatus, ReservationState } from '../entities/order.entity.js';
import { giveBackCoupon } from './coupon.service.js';
import type { CommerceDeps } from './deps.js';
import { commitForOrder, releaseForOrder } from '../checkout/inventory.client.js';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import { enqueueOrderChanged, wakeOrderEvents } from './order-events.job.js';
import { shipmentsFollowOrder } from '../shipping/shipments-follow-order.js';
import { enqueueSold, wakeMarketplaceActivity } from '../marketplace/activity.job.js';

/** The legal moves. Anything else is CONFLICT: the request is well-formed, the order's state forbids it. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'REFUNDED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
};

export { orderTopic } from './order-events.job.js';

export class IllegalTransitionError extends ConflictError {
  constructor(from: OrderStatus, to: OrderStatus) {
    const legal = TRANSITIONS[from];
    super(`An order that is ${from} cannot become ${to}${legal.length ? ` (it can become ${legal.join(' or ')})` : ''}.`);
    Object.assign(this.extensions, { status: from });
  }
}

/**
 * The reservation follows the status: paying owes inventory a commit; cancelling before the
 * commit owes it a release. Cancelling or refunding after the commit leaves stock as sold (stock
 * coming back is a staff adjustment in inventory).
 */
function nextReservationState(state: ReservationState, to: OrderStatus): ReservationState {
  if (to === 'PAID' && state === 'RESERVED') return 'COMMITTING';
  if (to === 'CANCELLED' && (state === 'RESERVED' || state === 'COMMITTING')) return 'RELEASING';
  return state;
}

async function moveListings(tx: EntityManager, orderId: string, from: ListingStatus[], to: ListingStatus): Promise<void> {
  await query(
    tx,
    `update listing set status = ?, updated_at = now()
      where status in (?) and id in (select listing_id from order_line where order_id = ? and listing_id is not null)`,
    [to, from, orderId],
  );
}

interface LockedOrder {
  status: OrderStatus;
  reservationState: ReservationState;
  couponCode: string | null;
}

/**
 * Moves a placed order to `to`. The decision is one transaction under the order's row lock:
 * of two concurrent requests (two cancels, a cancel and a payment) exactly one sees the old
 * status, so side effects such as releasing stock are owed exactly once. The owed inventory call
 * runs after commit; if it fails it stays owed (RELEASING/COMMITTING) and the sweeper retries it.
 */
export async function changeOrderStatus(deps: CommerceDeps, orderId: string, to: OrderStatus, actorId: string | null): Promise<void> {
  const owed = await deps.em.transactional(async (tx) => {
    const order = await queryOne<LockedOrder>(
      tx,
      `select status, reservation_state as "reservationState", coupon_code as "couponCode"
         from orders where id = ? and reservation_state not in ('PENDING', 'VOIDING') for update`,
      [orderId],
    );
    if (!order) throw new NotFoundError('Order');
    if (!TRANSITIONS[order.status].includes(to)) throw new IllegalTransitionError(order.status, to);
    if (to === 'CANCELLED' && order.status === 'PENDING') {
      const paying = await queryOne(tx, `select 1 as paying from payment where order_id = ? and status in ('PROCESSING', 'SUCCEEDED')`, [orderId]);
      if (paying) throw new ConflictError('A payment for this order is under way; it cannot be cancelled now.');
    }
    const next = nextReservationState(order.reservationState, to);
    await query(tx, 'update orders set status = ?, reservation_state = ?, updated_at = now() where id = ?', [to, next, orderId]);
    await query(tx, 'insert into order_status_change (order_id, from_status, to_status, changed_by) values (?, ?, ?, ?)', [orderId, order.status, to, actorId]);
    if (to === 'PAID') await moveListings(tx, orderId, ['RESERVED'], 'SOLD');
    if (to === 'CANCELLED') {
      if (next === 'RELEASING') await moveListings(tx, orderId, ['RESERVED', 'SOLD'], 'ACTIVE');
      if (order.couponCode) await giveBackCoupon(tx, order.couponCode);
    }
    await shipmentsFollowOrder(deps.jobs, tx, orderId, to);
    if (to === 'PAID') await enqueueSold(deps.jobs, tx, orderId);
    await enqueueOrderChanged(deps.jobs, tx, orderId);
    await enqueueAudit(deps.jobs, tx, { actor: actorId, action: 'changeOrderStatus', subject: `Order:${orderId}`, diff: { from: order.status, to } });
    return next !== order.reservationState && (next === 'RELEASING' || next === 'COMMITTING') ? next : null;
  });
  wakeOrderEvents(deps.jobs);
  wakeMarketplaceActivity(deps.jobs);
  if (owed) await settleReservation(deps, orderId, owed);
}

/**
 * Makes an owed inventory call and records it done. Returns false (and leaves it owed) when
 * inventory could not be reached; both calls are idempotent in inventory, so a retry is safe.
 */
export async function settleReservation(deps: CommerceDeps, orderId: string, owed: 'RELEASING' | 'COMMITTING'): Promise<boolean> {
  try {
    if (owed === 'RELEASING') await releaseForOrder(deps.services, orderId);
    else await commitForOrder(deps.services, orderId);
  } catch (err) {
    deps.logger.warn({ err, orderId, owed }, 'inventory call failed; the sweeper will retry it');
    return false;
  }
  await query(deps.em, 'update orders set reservation_state = ?, updated_at = now() where id = ? and reservation_state = ?', [
    owed === 'RELEASING' ? 'RELEASED' : 'COMMITTED',
    orderId,
    owed,
  ]);
  return true;
}
