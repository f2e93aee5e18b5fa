import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadRoute } from '@terrarium/subgraph-kit/context';
import { createByIdLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { Species, type SpeciesEntity } from '../entities/species.entity.js';

/** Species by id: one statement per batch. */
export function createSpeciesLoader(
  em: EntityManager,
  reads: ReadRoute,
): DataLoader<string, SpeciesEntity | null> {
  return createByIdLoader(em, Species, {}, reads);
}
