import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Species, type SpeciesEntity } from '../entities/species.entity.js';

/** Species by id: one statement per batch. */
export function createSpeciesLoader(em: EntityManager): DataLoader<string, SpeciesEntity | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(Species, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
