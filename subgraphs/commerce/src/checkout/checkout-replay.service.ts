import { setTimeout as sleep } from 'node:timers/promises';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import { CheckoutRequest, type CheckoutRequestEntity } from '../entities/checkout-request.entity.js';
import { cartHash, findCartView } from '../services/cart-view.service.js';
import { queryOne } from '@terrarium/subgraph-kit/sql';

/**
 * How long a request waits for its twin (same user, same key) to finish reserving.
 * @default 10_000 ms: above the 5 s service call timeout, so a live twin always finishes first.
 */
const TWIN_WAIT_MS = 10_000;

export function findCheckoutRequest(
  em: EntityManager,
  userId: string,
  idempotencyKey: string,
): Promise<CheckoutRequestEntity | null> {
  return em.findOne(CheckoutRequest, { userId, idempotencyKey }, { disableIdentityMap: true });
}

/**
 * Waits while the key's order is still being reserved (or undone). True once it is placed;
 * false when it was undone (the record went with it).
 */
async function waitUntilSettled(em: EntityManager, record: CheckoutRequestEntity): Promise<boolean> {
  const deadline = Date.now() + TWIN_WAIT_MS;
  for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
    const row = await queryOne<{ state: string }>(
      em,
      'select o.reservation_state as state from checkout_request r join orders o on o.id = r.order_id where r.user_id = ? and r.idempotency_key = ?',
      [record.userId, record.idempotencyKey],
    );
    if (!row) return false;
    if (row.state !== 'PENDING' && row.state !== 'VOIDING') return true;
    if (Date.now() >= deadline)
      throw new ConflictError('A checkout with this key is still in progress; ask again in a moment.');
    await sleep(delay);
  }
}

/**
 * The answer for a key that was used before: the same order, once it is placed. A cart that
 * holds something else than what the key was first used for is a CONFLICT (a new checkout needs
 * a new key); an empty cart is what a successful checkout leaves, so it replays. Null when the
 * first attempt failed and left nothing: the caller then runs the checkout afresh.
 */
export async function replayCheckout(
  ctx: Context,
  userId: string,
  record: CheckoutRequestEntity,
): Promise<string | null> {
  if (!(await waitUntilSettled(ctx.em, record))) return null;
  const cart = await findCartView(ctx.em, { kind: 'user', userId });
  if (
    cart &&
    cart.lines.length > 0 &&
    cart.checkoutOrderId !== record.orderId &&
    cartHash(cart.lines, cart.couponCode) !== record.cartHash
  ) {
    throw new ConflictError(
      'This idempotency key was used to check out a different cart; use a new key for a new checkout.',
    );
  }
  return record.orderId;
}
