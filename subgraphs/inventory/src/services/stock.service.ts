import { BadUserInputError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toStockLevel } from '../loaders/stock.loader.js';
import type { StockLevel } from '../types.js';
import { ItemConflictError } from './errors.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { query, execute } from '@terrarium/subgraph-kit/sql';

/** Largest change one adjustment may make, either way. @default 1_000_000 units */
const MAX_DELTA = 1_000_000;
/** @default 200 characters */
const MAX_REASON = 200;

export interface StockAdjustmentInput {
  productId: string;
  delta: number;
  reason: string;
  actorId: string;
}

/**
 * Changes a product's on-hand stock by `delta` and records who did it and why. onHand may never
 * drop below the units reserved for checkouts (CONFLICT): the UPDATE is conditional, so a
 * reservation racing with a write-off cannot push the row past its constraint.
 * Inventory cannot see products' tables: an id that names no product gets a stock row anyway
 * (staff-only, audited).
 */
export async function adjustStock(
  em: EntityManager,
  input: StockAdjustmentInput,
): Promise<{ productId: string; stock: StockLevel }> {
  const productId = requireUuid(input.productId, 'productId');
  const { delta } = input;
  if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_DELTA) {
    throw new BadUserInputError(
      `"delta" must be a non-zero whole number of units up to ±${MAX_DELTA}, got ${delta}.`,
      'delta',
    );
  }
  const reason = input.reason.trim();
  const reasonLength = [...reason].length;
  if (reasonLength < 1 || reasonLength > MAX_REASON) {
    throw new BadUserInputError(`"reason" must be 1 to ${MAX_REASON} characters.`, 'reason');
  }

  return em.transactional(async (tx) => {
    await execute(tx, 'insert into stock (product_id) values (?) on conflict (product_id) do nothing', [
      productId,
    ]);
    const [updated] = await query<{ on_hand: number; reserved: number }>(
      tx,
      `update stock set on_hand = on_hand + ?, updated_at = now()
        where product_id = ? and on_hand + ? >= reserved
        returning on_hand, reserved`,
      [delta, productId, delta],
    );
    if (!updated) {
      const [current] = await query<{ on_hand: number; reserved: number }>(
        tx,
        'select on_hand, reserved from stock where product_id = ?',
        [productId],
      );
      throw new ItemConflictError(
        `Cannot remove ${-delta} units of product ${productId}: ${current?.on_hand ?? 0} on hand, ${current?.reserved ?? 0} reserved for orders.`,
        { productId },
      );
    }
    await execute(
      tx,
      'insert into stock_adjustment (product_id, delta, reason, actor_id, on_hand_after) values (?, ?, ?, ?, ?)',
      [productId, delta, reason, input.actorId, updated.on_hand],
    );
    return { productId, stock: toStockLevel(updated.on_hand, updated.reserved) };
  });
}
