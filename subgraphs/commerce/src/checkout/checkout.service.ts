import { randomUUID } from 'node:crypto';
import { requireUser } from '@terrarium/platform/caller';
import {
  BadUserInputError,
  ConflictError,
  NotFoundError,
  ServiceUnavailableError,
} from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { OrderEntity } from '../entities/order.entity.js';
import { formatMoney, type Money } from '../money.js';
import { currentUnitPrice } from '../services/cart-pricing.service.js';
import { validateAddress, type Address, type AddressInput } from '../shipping/address.js';
import { cartHash, findCartView } from '../services/cart-view.service.js';
import { findCheckoutRequest, replayCheckout } from './checkout-replay.service.js';
import {
  releaseForOrder,
  reserveForOrder,
  type ReservationItem,
  type ReserveOutcome,
} from './inventory.client.js';
import { placeOrder, type PlacedLine } from './place-order.service.js';
import { listingChanges } from '../services/listing-changes.js';
import { expireOrdersJob } from '../payments/order-expiry.job.js';
import { voidOrder } from './void-order.service.js';
import { enqueueMailRequest } from '@terrarium/subgraph-kit/jobs';
import { query } from '@terrarium/subgraph-kit/sql';

/** Printable ASCII, as clients send UUIDs or similar. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** A concurrent twin that fails leaves no record, so the waiting request runs itself: at most this often. */
const MAX_ATTEMPTS = 3;

export class OutOfStockError extends ConflictError {
  constructor(outcome: Extract<ReserveOutcome, { kind: 'short' }>, lines: readonly PlacedLine[]) {
    super(`Not enough stock: ${outcome.message}`);
    const listingId = outcome.animalId
      ? (lines.find((line) => line.animalId === outcome.animalId)?.listingId ?? null)
      : null;
    Object.assign(this.extensions, { productId: outcome.productId, animalId: outcome.animalId, listingId });
  }
}

/** Inventory wants one item per product or animal. */
function reservationItems(lines: readonly PlacedLine[]): ReservationItem[] {
  const products = new Map<string, number>();
  const items: ReservationItem[] = [];
  for (const line of lines) {
    if (line.animalId) items.push({ animalId: line.animalId, quantity: 1 });
    else if (line.productId)
      products.set(line.productId, (products.get(line.productId) ?? 0) + line.quantity);
  }
  for (const [productId, quantity] of products) items.push({ productId, quantity });
  return items;
}

/**
 * Undo after a reserve call with no answer: inventory may or may not have reserved, and the call
 * may even land later. Void now (the buyer can retry at once) with a release owed, then release
 * right away; the sweeper releases once more after staleAfterSeconds, when no late call can still
 * arrive. Releasing is idempotent in inventory, and a no-op for an order it never reserved.
 */
async function undoUncertain(ctx: Context, orderId: string): Promise<void> {
  await voidOrder(ctx, orderId, ['PENDING'], { oweRelease: true });
  await releaseForOrder(ctx.services, orderId).catch((err: unknown) => {
    ctx.logger.warn({ err, orderId }, 'immediate release failed; the sweeper will release');
  });
}

/**
 * Steps 2 and 3: reserve with inventory, then mark the order placed and empty the cart; the buyer's
 * mail and the order's own expiry run (at its deadline, not at the next minute's) are owed from there.
 */
async function reserve(
  ctx: Context,
  orderId: string,
  lines: readonly PlacedLine[],
  paymentTimeoutMs: number,
): Promise<void> {
  let outcome: ReserveOutcome;
  try {
    outcome = await reserveForOrder(ctx.services, orderId, reservationItems(lines));
  } catch (err) {
    ctx.logger.warn({ err, orderId }, 'reserveForOrder got no answer');
    await undoUncertain(ctx, orderId);
    throw new ServiceUnavailableError(
      'Stock could not be reserved: the inventory service did not answer. Nothing was ordered; try again.',
    );
  }
  if (outcome.kind === 'short') {
    // A definite no: nothing was reserved, so there is nothing to release.
    await voidOrder(ctx, orderId, ['PENDING']);
    throw new OutOfStockError(outcome, lines);
  }
  if (outcome.kind === 'refused') {
    // Inventory answered with an error: its transaction rolled back, nothing is held.
    ctx.logger.error({ orderId, message: outcome.message }, 'inventory refused a reservation');
    await voidOrder(ctx, orderId, ['PENDING']);
    throw new ServiceUnavailableError('Stock could not be reserved. Nothing was ordered; try again later.');
  }
  const placed = await ctx.em.transactional(async (tx) => {
    const marked = await query<{ buyer_id: string; total_amount: number; currency: string }>(
      tx,
      `update orders set reservation_state = 'RESERVED', updated_at = now() where id = ? and reservation_state = 'PENDING' returning buyer_id, total_amount, currency`,
      [orderId],
    );
    const order = marked[0];
    if (!order) return false;
    // Placed: the buyer is told, by ops, once this commits (the key makes a replay mail nothing).
    const total = formatMoney({ amount: order.total_amount, currency: order.currency });
    await enqueueMailRequest(ctx.jobs, tx, {
      userId: order.buyer_id,
      template: 'order-placed',
      data: { orderId, total },
      key: `order-placed:${orderId}`,
    });
    const startAfterSeconds = Math.ceil(paymentTimeoutMs / 1000) + 1;
    await ctx.jobs.enqueue(
      tx,
      expireOrdersJob,
      {},
      { singletonKey: `order:${orderId}`, singletonSeconds: startAfterSeconds + 60, startAfterSeconds },
    );
    await query(
      tx,
      'delete from cart_line where cart_id in (select id from cart where checkout_order_id = ?)',
      [orderId],
    );
    await query(
      tx,
      'update cart set checkout_order_id = null, coupon_code = null, version = version + 1, updated_at = now() where checkout_order_id = ?',
      [orderId],
    );
    return true;
  });
  if (!placed) {
    // The sweeper took this checkout for stuck (a stall longer than staleAfterSeconds): it releases and voids.
    throw new ServiceUnavailableError(
      'Checkout took too long and was undone. Nothing was ordered; try again.',
    );
  }
}

/** One pass: replay a known key, or price the cart, place the order and reserve. Null: run again. */
async function attempt(
  ctx: Context,
  userId: string,
  key: string,
  paymentTimeoutMs: number,
  address: Address | null,
): Promise<string | null> {
  const previous = await findCheckoutRequest(ctx.em, userId, key);
  if (previous) return replayCheckout(ctx, userId, previous);

  const cart = await findCartView(ctx.em, { kind: 'user', userId });
  if (!cart || cart.lines.length === 0 || cart.checkoutOrderId) {
    // A twin request with this key may have just placed the order, locking or emptying the cart.
    const twin = await findCheckoutRequest(ctx.em, userId, key);
    if (twin) return replayCheckout(ctx, userId, twin);
    if (cart?.checkoutOrderId) throw new ConflictError('Another checkout of your cart is in progress.');
    throw new BadUserInputError('Your cart is empty.');
  }
  // Everything sold here (animals and supplies) is physical, so every order ships. Checked before
  // any write or call: a refused checkout reserves nothing.
  if (!address)
    throw new BadUserInputError('A shipping address is required: this order ships.', 'shippingAddress');

  // Catalog prices before any write: a products outage fails here with nothing to undo.
  const productPrices = new Map<string, Money>();
  await Promise.all(
    cart.lines.map(async (line) => {
      if (line.productId) productPrices.set(line.productId, await currentUnitPrice(ctx, line));
    }),
  );

  const orderId = randomUUID();
  const placed = await ctx.em.transactional((tx) =>
    placeOrder(tx, {
      orderId,
      userId,
      idempotencyKey: key,
      cartId: cart.id,
      cartVersion: cart.version,
      cartHash: cartHash(cart.lines, cart.couponCode),
      couponCode: cart.couponCode,
      lines: cart.lines,
      productPrices,
      paymentTimeoutMs,
      shippingAddress: address,
    }),
  );
  if (!placed) {
    const twin = await findCheckoutRequest(ctx.em, userId, key);
    return twin ? replayCheckout(ctx, userId, twin) : null;
  }
  ctx.entityChanges.add(listingChanges(placed.reserved));
  await reserve(ctx, orderId, placed.lines, paymentTimeoutMs);
  return orderId;
}

/**
 * Places an order from the signed-in user's cart, exactly once per (user, idempotency key), due
 * to be paid within `paymentTimeoutMs`. The protocol, its failure paths and the sweeper are
 * described in the package README. A replay of a key returns its order as placed, whatever
 * address it carries this time.
 */
export async function checkout(
  ctx: Context,
  idempotencyKey: string,
  paymentTimeoutMs: number,
  shippingAddress?: AddressInput | null,
): Promise<OrderEntity> {
  const userId = requireUser(ctx.caller);
  if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new BadUserInputError(
      '"idempotencyKey" must be 1 to 255 printable ASCII characters without spaces (a UUID is ideal).',
      'idempotencyKey',
    );
  }
  const address = shippingAddress ? validateAddress(shippingAddress) : null;
  for (let pass = 0; pass < MAX_ATTEMPTS; pass += 1) {
    const orderId = await attempt(ctx, userId, idempotencyKey, paymentTimeoutMs, address);
    if (orderId) {
      const order = await ctx.loaders.order.clear(orderId).load(orderId);
      if (!order) throw new NotFoundError('Order');
      return order;
    }
  }
  throw new ConflictError('Concurrent checkouts with this key keep failing; try again.');
}
