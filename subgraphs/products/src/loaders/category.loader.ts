import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CategoryRecord } from '../entities/category.entity.js';
import { CATEGORY_COLUMNS } from '../services/columns.js';
import { jsonList, query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** Categories by id or slug: one SQL statement per batch. */
function createCategoryLoader(
  em: EntityManager,
  reads: ReadOptions,
  key: 'id' | 'slug',
): DataLoader<string, CategoryRecord | null> {
  const cast = key === 'id' ? 'uuid' : 'text';
  return createByKeyLoader(
    (keys) =>
      query<CategoryRecord>(
        em,
        `select ${CATEGORY_COLUMNS} from category c where c.${key} = any(select jsonb_array_elements_text(?::jsonb)::${cast})`,
        [jsonList(keys)],
        reads,
      ),
    (row) => row[key],
    key === 'id' ? 'uuid' : 'text',
  );
}

/** Direct children of many categories at once, each list ordered by name. */
function createChildrenLoader(em: EntityManager, reads: ReadOptions): DataLoader<string, CategoryRecord[]> {
  return new DataLoader(async (parentIds) => {
    const rows = await query<CategoryRecord>(
      em,
      `select ${CATEGORY_COLUMNS} from category c
        where c.parent_id = any(select jsonb_array_elements_text(?::jsonb)::uuid)
        order by c.name, c.id`,
      [jsonList(parentIds)],
      reads,
    );
    const byParent = new Map<string, CategoryRecord[]>();
    for (const row of rows) {
      if (row.parentId === null) continue;
      byParent.set(row.parentId, [...(byParent.get(row.parentId) ?? []), row]);
    }
    return parentIds.map((id) => byParent.get(id) ?? []);
  });
}

export function createCategoryLoaders(em: EntityManager, reads: ReadOptions) {
  return {
    categoryById: createCategoryLoader(em, reads, 'id'),
    categoryBySlug: createCategoryLoader(em, reads, 'slug'),
    categoryChildren: createChildrenLoader(em, reads),
  };
}
