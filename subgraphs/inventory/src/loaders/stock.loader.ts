import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { StockLevel } from '../types.js';
import { query } from '@terrarium/subgraph-kit/sql';

export const NO_STOCK: StockLevel = Object.freeze({ onHand: 0, reserved: 0, available: 0 });

export function toStockLevel(onHand: number, reserved: number): StockLevel {
  return { onHand, reserved, available: onHand - reserved };
}

/**
 * Stock by product id: one statement per batch; a product without a row has zero stock. Plain
 * rows rather than entities: a subscription keeps one context for its whole life, and a level
 * must never come back stale from the identity map.
 */
export function createStockLoader(em: EntityManager): DataLoader<string, StockLevel> {
  return new DataLoader(async (productIds) => {
    const found = await query<{ product_id: string; on_hand: number; reserved: number }>(
      em,
      'select product_id, on_hand, reserved from stock where product_id in (?)',
      [[...productIds]],
    );
    const byId = new Map(found.map((row) => [row.product_id, toStockLevel(row.on_hand, row.reserved)]));
    return productIds.map((id) => byId.get(id) ?? NO_STOCK);
  });
}
