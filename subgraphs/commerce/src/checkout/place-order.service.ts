import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import type { CartLineEntity } from '../entities/cart.entity.js';
import { money, sameCurrency, type Money } from '../money.js';
import { consumeCoupon, discountFor } from '../services/coupon.service.js';
import type { Address } from '../shipping/address.js';
import { splitIntoShipments } from '../shipping/split.service.js';
import { query } from '@terrarium/subgraph-kit/sql';
import { CHANGED_LISTING_COLUMNS, type ChangedListing } from '../services/listing-changes.js';

/** Amounts are Postgres integers. */
const MAX_ORDER_AMOUNT = 2_147_483_647;

export interface PlacedLine {
  productId: string | null;
  listingId: string | null;
  animalId: string | null;
  quantity: number;
  unitAmount: number;
  currency: string;
}

export interface OrderDraft {
  orderId: string;
  userId: string;
  idempotencyKey: string;
  cartId: string;
  /** The cart version that was priced: the cart is locked only if it is unchanged. */
  cartVersion: number;
  cartHash: string;
  couponCode: string | null;
  lines: readonly CartLineEntity[];
  /** Catalog prices of the product lines, fetched before the transaction. */
  productPrices: ReadonlyMap<string, Money>;
  /** paymentDueBy = placedAt + this (settings.paymentTimeoutMs). */
  paymentTimeoutMs: number;
  /** Where the order ships (validated). */
  shippingAddress: Address;
}

interface ReservedListing extends ChangedListing {
  priceAmount: number;
  currency: string;
  productId: string | null;
}

/** A placed order's lines, and the listings it reserved (for the gateways' entity caches). */
export interface PlacedOrder {
  lines: PlacedLine[];
  reserved: ChangedListing[];
}

export class ListingUnavailableError extends ConflictError {
  constructor(listingId: string) {
    super('A listing in your cart is no longer for sale; remove it and check out again.');
    Object.assign(this.extensions, { listingId });
  }
}

/** One multi-row INSERT for the order's lines. */
async function insertLines(tx: EntityManager, orderId: string, lines: readonly PlacedLine[]): Promise<void> {
  const values = lines.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const params = lines.flatMap((line, position) => [
    orderId,
    position,
    line.productId,
    line.listingId,
    line.animalId,
    line.quantity,
    line.unitAmount,
    line.currency,
  ]);
  await query(
    tx,
    `insert into order_line (order_id, position, product_id, listing_id, animal_id, quantity, unit_amount, currency) values ${values}`,
    params,
  );
}

/**
 * Step 1 of checkout, one transaction: the idempotency record first (its primary key is the
 * guard: a concurrent request with the same key waits on it here, then inserts nothing), the
 * cart lock (only if the cart is the version that was priced), the listings (ACTIVE ->
 * RESERVED, conditionally), one coupon use (conditionally), then the order in PENDING with its
 * prices frozen and reservation_state PENDING, and its shipments. Any failure rolls all of it back.
 * Returns the lines to reserve, or null when another request already holds this key.
 */
export async function placeOrder(tx: EntityManager, draft: OrderDraft): Promise<PlacedOrder | null> {
  const claimed = await query(
    tx,
    'insert into checkout_request (user_id, idempotency_key, cart_hash, order_id) values (?, ?, ?, ?) on conflict do nothing returning order_id',
    [draft.userId, draft.idempotencyKey, draft.cartHash, draft.orderId],
  );
  if (claimed.length === 0) return null;

  const locked = await query(
    tx,
    'update cart set checkout_order_id = ?, updated_at = now() where id = ? and version = ? and checkout_order_id is null returning id',
    [draft.orderId, draft.cartId, draft.cartVersion],
  );
  if (locked.length === 0)
    throw new ConflictError(
      'Your cart changed during checkout, or another checkout holds it; review it and try again.',
    );

  const listingIds = draft.lines.flatMap((line) => (line.listingId ? [line.listingId] : []));
  const listings =
    listingIds.length === 0
      ? []
      : await query<ReservedListing>(
          tx,
          // Rows are locked in id order, so two checkouts sharing listings cannot deadlock.
          `update listing set status = 'RESERVED', updated_at = now()
            where id in (select id from listing where id in (?) and status = 'ACTIVE' order by id for update)
           returning ${CHANGED_LISTING_COLUMNS}, price_amount as "priceAmount", currency, product_id as "productId"`,
          [listingIds],
        );
  const byId = new Map(listings.map((listing) => [listing.id, listing]));
  const missing = listingIds.find((id) => !byId.has(id));
  if (missing) throw new ListingUnavailableError(missing);

  const lines: PlacedLine[] = draft.lines.map((line) => {
    if (line.listingId) {
      const listing = byId.get(line.listingId)!;
      return {
        productId: listing.productId,
        listingId: listing.id,
        animalId: listing.animalId,
        quantity: 1,
        unitAmount: listing.priceAmount,
        currency: listing.currency,
      };
    }
    const price = draft.productPrices.get(line.productId!)!;
    return {
      productId: line.productId!,
      listingId: null,
      animalId: null,
      quantity: line.quantity,
      unitAmount: price.amount,
      currency: price.currency,
    };
  });
  const currency = sameCurrency(lines.map((line) => money(line.unitAmount, line.currency)))!;
  const subtotal = money(
    lines.reduce((sum, line) => sum + line.unitAmount * line.quantity, 0),
    currency,
  );
  if (subtotal.amount > MAX_ORDER_AMOUNT)
    throw new BadUserInputError('This order is too large to place at once; split it.');

  let discount: Money | null = null;
  if (draft.couponCode) {
    const terms = await consumeCoupon(tx, draft.couponCode, currency);
    if (!terms)
      throw new ConflictError(
        `Coupon ${draft.couponCode} can no longer be used (expired or used up); remove it and check out again.`,
      );
    discount = discountFor(terms, subtotal);
  }

  await query(
    tx,
    `insert into orders (id, buyer_id, status, reservation_state, currency, subtotal_amount, discount_amount, total_amount, coupon_code, payment_due_by)
     values (?, ?, 'PENDING', 'PENDING', ?, ?, ?, ?, ?, date_trunc('milliseconds', now()) + make_interval(secs => ?))`,
    [
      draft.orderId,
      draft.userId,
      currency,
      subtotal.amount,
      discount?.amount ?? null,
      subtotal.amount - (discount?.amount ?? 0),
      draft.couponCode,
      draft.paymentTimeoutMs / 1000,
    ],
  );
  await insertLines(tx, draft.orderId, lines);
  await splitIntoShipments(tx, draft.orderId, draft.shippingAddress);
  await query(
    tx,
    `insert into order_status_change (order_id, from_status, to_status, changed_by) values (?, null, 'PENDING', ?)`,
    [draft.orderId, draft.userId],
  );
  return { lines, reserved: listings };
}
