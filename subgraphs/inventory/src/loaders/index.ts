import type DataLoader from 'dataloader';
import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import type { AnimalEntity } from '../entities/animal.entity.js';
import type { CareLogEntity } from '../entities/care-log.entity.js';
import type { CareScheduleEntity } from '../entities/care-schedule.entity.js';
import type { SpeciesEntity } from '../entities/species.entity.js';
import type { StockLevel } from '../types.js';
import { createAnimalLoader, createOffspringLoader } from './animal.loader.js';
import { createCareLogLoaders } from './care-log.loader.js';
import { createCareScheduleLoader } from './care-schedule.loader.js';
import { createSpeciesLoader } from './species.loader.js';
import { createStockLoader } from './stock.loader.js';

/**
 * Per-request DataLoaders; nothing here reads another subgraph's data. Animals and species
 * tolerate lag and follow the operation's ReadRoute (`reads`); stock, care logs and schedules
 * (a keeper's own records, reservations) stay on the primary.
 */
export interface Loaders {
  animal: DataLoader<string, AnimalEntity | null>;
  offspring: DataLoader<string, AnimalEntity[]>;
  species: DataLoader<string, SpeciesEntity | null>;
  stock: DataLoader<string, StockLevel>;
  careLog: (first: number) => DataLoader<string, CareLogEntity[]>;
  careSchedules: DataLoader<string, CareScheduleEntity[]>;
}

export function createLoaders({ em, reads }: LoaderDeps): Loaders {
  return {
    animal: createAnimalLoader(em, reads),
    offspring: createOffspringLoader(em, reads),
    species: createSpeciesLoader(em, reads),
    stock: createStockLoader(em),
    careLog: createCareLogLoaders(em),
    careSchedules: createCareScheduleLoader(em),
  };
}
