import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A node of the category tree. The parent is kept as a plain id rather than a MikroORM relation:
 * every read goes through a DataLoader or one SQL statement, so there is no lazy reference that
 * could load one row at a time.
 */
export const Category = defineEntity({
  name: 'Category',
  tableName: 'category',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.text(),
    slug: p.text().unique(),
    parentId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type CategoryEntity = InferEntity<typeof Category>;

/** What Category resolvers receive: an entity, or a plain row from SQL or the cache. */
export interface CategoryRecord {
  id: string;
  name: string;
  slug: string;
  parentId: string | null;
}
