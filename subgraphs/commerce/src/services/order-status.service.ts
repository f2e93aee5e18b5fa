import { enqueueAudit, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, NotFoundError } from '@terrarium/platform/errors';
import type { ListingStatus } from '../entities/listing.entity.js';
import type { OrderStatus, ReservationState } from '../entities/order.entity.js';
import { requestFullRefund, type RequestedRefund } from '../payments/refund.service.js';
import { giveBackCoupon } from './coupon.service.js';
import type { CommerceDeps } from './deps.js';
import { settleReservation, type OwedCall } from './reservation-settlement.service.js';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import { enqueueOrderChanged } from './order-events.job.js';
import { hasShipped, shipmentsFollowOrder } from '../shipping/shipments-follow-order.js';
import { enqueueSold } from '../marketplace/activity.job.js';
import { announceEntityChanges, type EntityChange } from '@terrarium/subgraph-kit/entity-changes';
import { CHANGED_LISTING_COLUMNS, listingChanges, type ChangedListing } from './listing-changes.js';

/** The legal moves. Anything else is CONFLICT: the request is well-formed, the order's state forbids it. */
export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PENDING: ['PAID', 'CANCELLED'],
  PAID: ['SHIPPED', 'REFUNDED', 'CANCELLED'],
  SHIPPED: ['DELIVERED', 'REFUNDED'],
  DELIVERED: ['REFUNDED'],
  CANCELLED: [],
  REFUNDED: [],
};

export { orderTopic } from './order-events.job.js';

export class IllegalTransitionError extends ConflictError {
  constructor(from: OrderStatus, to: OrderStatus) {
    const legal = TRANSITIONS[from];
    super(
      `An order that is ${from} cannot become ${to}${legal.length ? ` (it can become ${legal.join(' or ')})` : ''}.`,
    );
    Object.assign(this.extensions, { status: from });
  }
}

/**
 * The reservation follows the status: paying owes inventory a commit; cancelling an unpaid order
 * owes a release; cancelling or refunding a paid order before anything shipped owes a return (the
 * goods never left). Once any shipment left, stock stays sold (goods coming back are a staff
 * adjustment); a PAID order may have shipped in part, so `shipped` asks its shipments.
 */
function nextReservationState(state: ReservationState, to: OrderStatus, shipped: boolean): ReservationState {
  if (to === 'PAID' && state === 'RESERVED') return 'COMMITTING';
  const undone = to === 'CANCELLED' || (to === 'REFUNDED' && !shipped);
  if (undone && state === 'RESERVED') return 'RELEASING';
  if (undone && (state === 'COMMITTING' || state === 'COMMITTED')) return 'RETURNING';
  return state;
}

async function moveListings(
  tx: EntityManager,
  orderId: string,
  from: ListingStatus[],
  to: ListingStatus,
): Promise<ChangedListing[]> {
  return query<ChangedListing>(
    tx,
    `update listing set status = ?, updated_at = now()
      where status in (?) and id in (select listing_id from order_line where order_id = ? and listing_id is not null)
      returning ${CHANGED_LISTING_COLUMNS}`,
    [to, from, orderId],
  );
}

interface LockedOrder {
  status: OrderStatus;
  reservationState: ReservationState;
  couponCode: string | null;
  buyerId: string;
}

export interface TransitionOptions {
  /** Move only from these statuses: from any other the order is left as it is and the call answers null (no CONFLICT). */
  onlyFrom?: readonly OrderStatus[];
  /** The audit log's action. @default 'changeOrderStatus' */
  action?: string;
  /** Why; kept on the refund a cancellation or refund asks for, and in the audit entry. */
  reason?: string;
}

/** What a status change decided; the effects after commit follow from it (afterTransition). */
export interface Transition {
  from: OrderStatus;
  to: OrderStatus;
  buyerId: string;
  /** The inventory call the change owes, if any. */
  owed: OwedCall | null;
  /** The refund it asked for, when it undid a paid order. */
  refund: RequestedRefund | null;
  /** What the gateways' entity caches hold that it changed (the listings it moved), told after commit. */
  changed: EntityChange[];
}

/**
 * Moves a placed order to `to`, in `tx` (the caller's transaction), under the order's row lock:
 * of two concurrent changes (two cancels, a cancel and a payment) exactly one sees the old
 * status, so side effects are owed exactly once. Owed effects go into the same transaction: the
 * listings, the coupon use, the shipments (src/shipping/shipments-follow-order.ts), the
 * marketplace's SOLD events, the order event, the audit entry and, when a paid order is
 * cancelled or refunded, the full refund and its job (the outbox).
 */
export async function transitionOrder(
  tx: EntityManager,
  jobs: JobQueue,
  orderId: string,
  to: OrderStatus,
  actorId: string | null,
  options: TransitionOptions = {},
): Promise<Transition | null> {
  const order = await queryOne<LockedOrder>(
    tx,
    `select status, reservation_state as "reservationState", coupon_code as "couponCode", buyer_id as "buyerId"
       from orders where id = ? and reservation_state not in ('PENDING', 'VOIDING') for update`,
    [orderId],
  );
  if (!order) throw new NotFoundError('Order');
  if (options.onlyFrom && !options.onlyFrom.includes(order.status)) return null;
  if (!TRANSITIONS[order.status].includes(to)) throw new IllegalTransitionError(order.status, to);
  if (to === 'CANCELLED' && order.status === 'PENDING') {
    const paying = await queryOne(
      tx,
      `select 1 as paying from payment where order_id = ? and status in ('PROCESSING', 'SUCCEEDED')`,
      [orderId],
    );
    if (paying) throw new ConflictError('A payment for this order is under way; it cannot be cancelled now.');
  }
  const shipped = to === 'REFUNDED' && (order.status !== 'PAID' || (await hasShipped(tx, orderId)));
  const next = nextReservationState(order.reservationState, to, shipped);
  await query(tx, 'update orders set status = ?, reservation_state = ?, updated_at = now() where id = ?', [
    to,
    next,
    orderId,
  ]);
  await query(
    tx,
    'insert into order_status_change (order_id, from_status, to_status, changed_by) values (?, ?, ?, ?)',
    [orderId, order.status, to, actorId],
  );
  const undone = next !== order.reservationState && (next === 'RELEASING' || next === 'RETURNING');
  const moved: ChangedListing[] = [];
  if (to === 'PAID') moved.push(...(await moveListings(tx, orderId, ['RESERVED'], 'SOLD')));
  if (undone) {
    moved.push(...(await moveListings(tx, orderId, ['RESERVED', 'SOLD'], 'ACTIVE')));
    if (order.couponCode) await giveBackCoupon(tx, order.couponCode);
  }
  await shipmentsFollowOrder(jobs, tx, orderId, to);
  if (to === 'PAID') await enqueueSold(jobs, tx, orderId);
  const refund =
    to === 'CANCELLED' || to === 'REFUNDED'
      ? await requestFullRefund(tx, jobs, {
          orderId,
          reason: options.reason ?? `order ${to.toLowerCase()}`,
          requestedBy: actorId,
        })
      : null;
  await enqueueOrderChanged(jobs, tx, orderId);
  const diff = {
    from: order.status,
    to,
    ...(options.reason ? { reason: options.reason } : {}),
    ...(refund ? { refund: refund.amount } : {}),
  };
  await enqueueAudit(jobs, tx, {
    actor: actorId,
    action: options.action ?? 'changeOrderStatus',
    subject: `Order:${orderId}`,
    diff,
  });
  const owed =
    next !== order.reservationState && (next === 'RELEASING' || next === 'COMMITTING' || next === 'RETURNING')
      ? next
      : null;
  return { from: order.status, to, buyerId: order.buyerId, owed, refund, changed: listingChanges(moved) };
}

/**
 * After the transition's transaction committed (which woke the workers of the jobs it enqueued:
 * the event, the refund): the gateways are told which listings moved, and the owed inventory
 * call is made, left owed for the sweeper if inventory cannot be reached.
 */
export async function afterTransition(
  deps: CommerceDeps,
  orderId: string,
  transition: Transition,
): Promise<void> {
  // From a job as from a request: every gateway hears of it through Redis.
  await announceEntityChanges(deps.events, transition.changed, deps.logger);
  if (transition.owed) await settleReservation(deps, orderId, transition.owed);
}

/** One status change in a transaction of its own, then its effects. Null: `onlyFrom` did not match. */
export async function changeOrderStatus(
  deps: CommerceDeps,
  orderId: string,
  to: OrderStatus,
  actorId: string | null,
  options: TransitionOptions = {},
): Promise<Transition | null> {
  const transition = await deps.em.transactional((tx) =>
    transitionOrder(tx, deps.jobs, orderId, to, actorId, options),
  );
  if (transition) await afterTransition(deps, orderId, transition);
  return transition;
}
