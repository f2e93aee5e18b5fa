import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CareLog, type CareLogEntity } from '../entities/care-log.entity.js';
import { query } from '@terrarium/subgraph-kit/sql';

/**
 * The newest `first` care entries of each animal: one statement per batch (a window function
 * ranks every animal's entries), so a page of animals with their care logs is not N+1.
 */
export function createCareLogLoader(em: EntityManager, first: number): DataLoader<string, CareLogEntity[]> {
  return new DataLoader(async (animalIds) => {
    const found = await query<Record<string, unknown>>(
      em,
      `select id, animal_id, kind, notes, weight_grams, recorded_at, recorded_by, created_at from (
         select c.*, row_number() over (partition by c.animal_id order by c.recorded_at desc, c.id desc) as rank
           from care_log c where c.animal_id in (?)
       ) ranked
       where rank <= ?
       order by animal_id, recorded_at desc, id desc`,
      [[...animalIds], first],
    );
    const byAnimal = new Map<string, CareLogEntity[]>(animalIds.map((id) => [id, []]));
    for (const row of found) {
      const entry = em.map(CareLog, row);
      byAnimal.get(entry.animalId)?.push(entry);
    }
    return animalIds.map((id) => byAnimal.get(id) ?? []);
  });
}

/** One care-log loader per page size asked for in this request. */
export function createCareLogLoaders(
  em: EntityManager,
): (first: number) => DataLoader<string, CareLogEntity[]> {
  const bySize = new Map<number, DataLoader<string, CareLogEntity[]>>();
  return (first) => {
    let loader = bySize.get(first);
    if (!loader) {
      loader = createCareLogLoader(em, first);
      bySize.set(first, loader);
    }
    return loader;
  };
}
