import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ProductRecord } from '../entities/product.entity.js';
import { PRODUCT_COLUMNS } from '../services/columns.js';
import { jsonList, query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** The unique columns a product is looked up by (one per @key). */
type ProductKey = 'id' | 'sku' | 'slug';

const KEY_CAST: Record<ProductKey, string> = { id: 'uuid', sku: 'text', slug: 'text' };

/**
 * Products by one unique column: one SQL statement per batch, whatever its size (the keys travel
 * as one JSON array parameter). The kit's loader drops malformed ids and keys with NUL before
 * SQL, so nothing fails the cast.
 */
function createProductLoader(
  em: EntityManager,
  reads: ReadOptions,
  key: ProductKey,
): DataLoader<string, ProductRecord | null> {
  return createByKeyLoader(
    (keys) =>
      query<ProductRecord>(
        em,
        `select ${PRODUCT_COLUMNS} from product p
          where p.${key} = any(select jsonb_array_elements_text(?::jsonb)::${KEY_CAST[key]})`,
        [jsonList(keys)],
        reads,
      ),
    (row) => row[key],
    key === 'id' ? 'uuid' : 'text',
  );
}

export function createProductLoaders(em: EntityManager, reads: ReadOptions) {
  return {
    productById: createProductLoader(em, reads, 'id'),
    productBySku: createProductLoader(em, reads, 'sku'),
    productBySlug: createProductLoader(em, reads, 'slug'),
  };
}
