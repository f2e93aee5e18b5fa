import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ProductRecord } from '../entities/product.entity.js';
import { PRODUCT_COLUMNS, jsonList, query } from '../services/sql.js';

/** The unique columns a product is looked up by (one per @key). */
type ProductKey = 'id' | 'sku' | 'slug';

const KEY_CAST: Record<ProductKey, string> = { id: 'uuid', sku: 'text', slug: 'text' };

/**
 * Products by one unique column: one SQL statement per batch, whatever its size (the keys travel
 * as one JSON array parameter). Callers pass only well-formed ids (see isUuid), so a malformed
 * key never reaches the uuid cast.
 */
function createProductLoader(em: EntityManager, key: ProductKey): DataLoader<string, ProductRecord | null> {
  // UUIDs compare case-insensitively in Postgres; the map below must agree.
  const normalize = key === 'id' ? (k: string) => k.toLowerCase() : (k: string) => k;
  return new DataLoader(async (requested) => {
    // Postgres text cannot hold NUL, so such a key names nothing (and would fail the cast).
    const keys = requested.filter((k) => !k.includes('\u0000'));
    if (keys.length === 0) return requested.map(() => null);
    const rows = await query<ProductRecord>(
      em,
      `select ${PRODUCT_COLUMNS} from product p
        where p.${key} = any(select jsonb_array_elements_text(?::jsonb)::${KEY_CAST[key]})`,
      [jsonList(keys)],
    );
    const byKey = new Map(rows.map((row) => [row[key], row]));
    return requested.map((k) => byKey.get(normalize(k)) ?? null);
  }, { cacheKeyFn: normalize });
}

export function createProductLoaders(em: EntityManager) {
  return {
    productById: createProductLoader(em, 'id'),
    productBySku: createProductLoader(em, 'sku'),
    productBySlug: createProductLoader(em, 'slug'),
  };
}
