import { commitForOrder, releaseForOrder, returnForOrder } from '../checkout/inventory.client.js';
import type { ReservationState } from '../entities/order.entity.js';
import type { CommerceDeps } from './deps.js';
import { query } from '@terrarium/subgraph-kit/sql';

/** A reservation state that owes inventory a call. */
export type OwedCall = Extract<ReservationState, 'RELEASING' | 'COMMITTING' | 'RETURNING'>;

const CALLS: Record<OwedCall, { call: typeof releaseForOrder; done: ReservationState }> = {
  RELEASING: { call: releaseForOrder, done: 'RELEASED' },
  COMMITTING: { call: commitForOrder, done: 'COMMITTED' },
  RETURNING: { call: returnForOrder, done: 'RETURNED' },
};

/**
 * Makes an owed inventory call and records it done. Returns false (and leaves it owed) when
 * inventory could not be reached; the calls are idempotent in inventory, so a retry is safe. The
 * record is conditional on the state still being `owed`: a commit confirmed after the order was
 * cancelled meanwhile (RETURNING) leaves the return owed.
 */
export async function settleReservation(
  deps: CommerceDeps,
  orderId: string,
  owed: OwedCall,
): Promise<boolean> {
  const { call, done } = CALLS[owed];
  try {
    await call(deps.services, orderId);
  } catch (err) {
    deps.logger.warn({ err, orderId, owed }, 'inventory call failed; the sweeper will retry it');
    return false;
  }
  await query(
    deps.em,
    'update orders set reservation_state = ?, updated_at = now() where id = ? and reservation_state = ?',
    [done, orderId, owed],
  );
  return true;
}
