import type { EntityManager } from '@mikro-orm/postgresql';
import type { CategoryRecord } from '../entities/category.entity.js';
import { CATEGORY_COLUMNS } from './columns.js';
import { query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** The roots of the category tree, by name: one statement. */
export function listCategoryRoots(em: EntityManager, reads: ReadOptions = {}): Promise<CategoryRecord[]> {
  return query<CategoryRecord>(
    em,
    `select ${CATEGORY_COLUMNS} from category c where c.parent_id is null order by c.name, c.id`,
    [],
    reads,
  );
}
