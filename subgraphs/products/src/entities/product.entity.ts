import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A catalog product. The price is integer minor units plus an ISO-4217 code (never a float).
 * `search_vector` (generated tsvector) exists only in SQL: it is written by Postgres and read by
 * the search query, so it is not mapped here. Category and creator are plain ids: the category
 * loads through a DataLoader and the creator is a User owned by ops.
 */
export const Product = defineEntity({
  name: 'Product',
  tableName: 'product',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    sku: p.text().unique(),
    slug: p.text().unique(),
    name: p.text(),
    description: p.text(),
    /** Minor units (cents). */
    priceAmount: p.integer(),
    priceCurrency: p.text(),
    categoryId: p.uuid().nullable(),
    createdById: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type ProductEntity = InferEntity<typeof Product>;

/**
 * What Product resolvers receive: an entity, a row from a loader or list query, or the same row
 * read back from the cache (where dates have become ISO strings).
 */
export interface ProductRecord {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string;
  priceAmount: number;
  priceCurrency: string;
  categoryId: string | null;
  createdById: string | null;
  createdAt: Date | string;
  updatedAt: Date | string;
  /**
   * community's rating as the search read model last heard it (product_signal): only on list rows,
   * where Query.products and Category.products provide Product.averageRating (@external, so it has
   * no resolver of its own: the default one reads this).
   */
  averageRating?: number | null;
}
