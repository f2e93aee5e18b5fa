import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadRoute } from '@terrarium/subgraph-kit/context';
import { createByIdLoader } from '@terrarium/subgraph-kit/loaders';
import DataLoader from 'dataloader';
import { Animal, type AnimalEntity } from '../entities/animal.entity.js';

/** Animals by id (references, sire, dam): one `select ... where id in (...)` per batch. */
export function createAnimalLoader(
  em: EntityManager,
  reads: ReadRoute,
): DataLoader<string, AnimalEntity | null> {
  return createByIdLoader(em, Animal, {}, reads);
}

/** Children of each parent id (as sire or dam), oldest first: one statement per batch. */
export function createOffspringLoader(
  em: EntityManager,
  reads: ReadRoute,
): DataLoader<string, AnimalEntity[]> {
  return new DataLoader(async (parentIds) => {
    const ids = [...parentIds];
    const rows = await em.find(
      Animal,
      { $or: [{ sireId: { $in: ids } }, { damId: { $in: ids } }] },
      { orderBy: { hatchDate: 'asc', createdAt: 'asc', id: 'asc' }, connectionType: reads.connectionType },
    );
    const byParent = new Map<string, AnimalEntity[]>(ids.map((id) => [id, []]));
    for (const row of rows) {
      if (row.sireId) byParent.get(row.sireId)?.push(row);
      if (row.damId && row.damId !== row.sireId) byParent.get(row.damId)?.push(row);
    }
    return ids.map((id) => byParent.get(id) ?? []);
  });
}
