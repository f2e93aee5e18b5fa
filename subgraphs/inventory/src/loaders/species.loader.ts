import type { EntityManager } from '@mikro-orm/postgresql';
import { createByIdLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { Species, type SpeciesEntity } from '../entities/species.entity.js';

/** Species by id: one statement per batch. */
export function createSpeciesLoader(em: EntityManager): DataLoader<string, SpeciesEntity | null> {
  return createByIdLoader(em, Species);
}
