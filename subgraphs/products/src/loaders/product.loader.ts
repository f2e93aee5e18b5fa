import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CategoryRecord } from '../entities/category.entity.js';
import type { ProductRecord } from '../entities/product.entity.js';
import { PRODUCT_COLUMNS } from '../services/columns.js';
import { jsonList, query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** The unique columns a product is looked up by (one per @key). */
type ProductKey = 'id' | 'sku' | 'slug';

const KEY_CAST: Record<ProductKey, string> = { id: 'uuid', sku: 'text', slug: 'text' };

/** A product row with its category's columns beside it (null without a category). */
interface ProductWithCategoryRow extends ProductRecord {
  categoryName: string | null;
  categorySlug: string | null;
  categoryParentId: string | null;
}

/**
 * Products by one unique column: one SQL statement per batch, whatever its size (the keys travel
 * as one JSON array parameter). The statement joins each product's category and hands it to
 * `foundCategory`, so that Product.category costs no second statement (a product page asks for
 * both). The kit's loader drops malformed ids and keys with NUL before SQL, so nothing fails the
 * cast.
 */
function createProductLoader(
  em: EntityManager,
  reads: ReadOptions,
  key: ProductKey,
  foundCategory: (category: CategoryRecord) => void,
): DataLoader<string, ProductRecord | null> {
  return createByKeyLoader(
    async (keys) => {
      const rows = await query<ProductWithCategoryRow>(
        em,
        `select ${PRODUCT_COLUMNS},
                c.name as "categoryName", c.slug as "categorySlug", c.parent_id as "categoryParentId"
           from product p left join category c on c.id = p.category_id
          where p.${key} = any(select jsonb_array_elements_text(?::jsonb)::${KEY_CAST[key]})`,
        [jsonList(keys)],
        reads,
      );
      return rows.map(({ categoryName, categorySlug, categoryParentId, ...product }) => {
        if (product.categoryId !== null && categoryName !== null && categorySlug !== null)
          foundCategory({
            id: product.categoryId,
            name: categoryName,
            slug: categorySlug,
            parentId: categoryParentId,
          });
        return product;
      });
    },
    (row) => row[key],
    key === 'id' ? 'uuid' : 'text',
  );
}

/** @param foundCategory receives the category of every product a batch read (to prime a loader). */
export function createProductLoaders(
  em: EntityManager,
  reads: ReadOptions,
  foundCategory: (category: CategoryRecord) => void,
) {
  return {
    productById: createProductLoader(em, reads, 'id', foundCategory),
    productBySku: createProductLoader(em, reads, 'sku', foundCategory),
    productBySlug: createProductLoader(em, reads, 'slug', foundCategory),
  };
}
