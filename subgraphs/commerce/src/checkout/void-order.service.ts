import type { ReservationState } from '../entities/order.entity.js';
import { giveBackCoupon } from '../services/coupon.service.js';
import type { CommerceDeps } from '../services/deps.js';
import { query } from '@terrarium/subgraph-kit/sql';
import { announceEntityChanges } from '@terrarium/subgraph-kit/entity-changes';
import { CHANGED_LISTING_COLUMNS, listingChanges, type ChangedListing } from '../services/listing-changes.js';

/**
 * Undoes a checkout that never completed, as if it had not happened: deletes the order (its
 * lines, history and idempotency record go with it), puts its listings back on sale, gives the
 * coupon use back and unlocks the cart, whose lines were never removed. Only when the order is
 * still in one of `from` (conditional DELETE), so a checkout and the sweeper never both undo it.
 * `oweRelease` records a release for the sweeper to make later, in the same transaction: for a
 * reserve call whose outcome is unknown (it may still land in inventory after we gave up on it).
 */
export async function voidOrder(
  deps: Pick<CommerceDeps, 'em' | 'events' | 'logger'>,
  orderId: string,
  from: readonly ReservationState[],
  options: { oweRelease?: boolean } = {},
): Promise<boolean> {
  const relisted: ChangedListing[] = [];
  const voided = await deps.em.transactional(async (tx) => {
    const lines = await query<{ listingId: string }>(
      tx,
      'select listing_id as "listingId" from order_line where order_id = ? and listing_id is not null',
      [orderId],
    );
    const voided = await query<{ couponCode: string | null }>(
      tx,
      'delete from orders where id = ? and reservation_state in (?) returning coupon_code as "couponCode"',
      [orderId, [...from]],
    );
    const order = voided[0];
    if (!order) return false;
    if (lines.length > 0) {
      relisted.push(
        ...(await query<ChangedListing>(
          tx,
          `update listing set status = 'ACTIVE', updated_at = now() where status = 'RESERVED' and id in (?)
           returning ${CHANGED_LISTING_COLUMNS}`,
          [lines.map((line) => line.listingId)],
        )),
      );
    }
    if (order.couponCode) await giveBackCoupon(tx, order.couponCode);
    await query(
      tx,
      'update cart set checkout_order_id = null, version = version + 1, updated_at = now() where checkout_order_id = ?',
      [orderId],
    );
    if (options.oweRelease)
      await query(tx, 'insert into release_owed (order_id) values (?) on conflict do nothing', [orderId]);
    return true;
  });
  // Committed: the listings are on sale again, as gateways' caches must show.
  if (voided) await announceEntityChanges(deps.events, listingChanges(relisted), deps.logger);
  return voided;
}
