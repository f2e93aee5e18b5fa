import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CategoryRecord } from '../entities/category.entity.js';
import { CATEGORY_COLUMNS, jsonList, query } from '../services/sql.js';

/** Categories by id or slug: one SQL statement per batch. */
function createCategoryLoader(em: EntityManager, key: 'id' | 'slug'): DataLoader<string, CategoryRecord | null> {
  const cast = key === 'id' ? 'uuid' : 'text';
  // UUIDs compare case-insensitively in Postgres; the map below must agree.
  const normalize = key === 'id' ? (k: string) => k.toLowerCase() : (k: string) => k;
  return new DataLoader(async (requested) => {
    // Postgres text cannot hold NUL, so such a key names nothing (and would fail the cast).
    const keys = requested.filter((k) => !k.includes('\u0000'));
    if (keys.length === 0) return requested.map(() => null);
    const rows = await query<CategoryRecord>(
      em,
      `select ${CATEGORY_COLUMNS} from category c where c.${key} = any(select jsonb_array_elements_text(?::jsonb)::${cast})`,
      [jsonList(keys)],
    );
    const byKey = new Map(rows.map((row) => [row[key], row]));
    return requested.map((k) => byKey.get(normalize(k)) ?? null);
  }, { cacheKeyFn: normalize });
}

/** Direct children of many categories at once, each list ordered by name. */
function createChildrenLoader(em: EntityManager): DataLoader<string, CategoryRecord[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await query<CategoryRecord>(
      em,
      `select ${CATEGORY_COLUMNS} from category c
        where c.parent_id = any(select jsonb_array_elements_text(?::jsonb)::uuid)
        order by c.name, c.id`,
      [jsonList(parentIds)],
    );
    const byParent = new Map<string, CategoryRecord[]>();
    for (const row of rows) {
      if (row.parentId === null) continue;
      byParent.set(row.parentId, [...(byParent.get(row.parentId) ?? []), row]);
    }
    return parentIds.map((id) => byParent.get(id) ?? []);
  });
}

export function createCategoryLoaders(em: EntityManager) {
  return {
    categoryById: createCategoryLoader(em, 'id'),
    categoryBySlug: createCategoryLoader(em, 'slug'),
    categoryChildren: createChildrenLoader(em),
  };
}
