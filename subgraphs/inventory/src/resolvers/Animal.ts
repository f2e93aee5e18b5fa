import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { AnimalResolvers } from '../generated/resolvers.js';
import { isCarerOf } from '../services/access.js';
import { loadPedigree } from '../services/pedigree.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Default care entries per animal. @default 10 */
const CARE_LOG_PAGE = 10;

export const Animal: AnimalResolvers = {
  __resolveReference: ({ id }, { loaders }) => loaders.animal.load(requireUuid(id, 'id')),
  species: async (animal, _, { loaders }) => {
    const species = await loaders.species.load(animal.speciesId);
    // species_id is a foreign key: a missing row is a broken database, not a client error.
    if (!species) throw new Error(`species ${animal.speciesId} of animal ${animal.id} is missing`);
    return species;
  },
  breeder: (animal) => ({ id: animal.organizationId }),
  sire: (animal, _, { loaders }) => (animal.sireId ? loaders.animal.load(animal.sireId) : null),
  dam: (animal, _, { loaders }) => (animal.damId ? loaders.animal.load(animal.damId) : null),
  offspring: (animal, _, { loaders }) => loaders.offspring.load(animal.id),
  pedigree: (animal, { depth }, { em, reads, loaders }) =>
    loadPedigree(em, loaders.animal, animal.id, depth, reads),
  careLog: (animal, { first }, { loaders }) => {
    const size = pageSize(first, CARE_LOG_PAGE);
    return size === 0 ? [] : loaders.careLog(size).load(animal.id);
  },
  careSchedules: (animal, _, { caller, loaders }) =>
    isCarerOf(caller, animal) ? loaders.careSchedules.load(animal.id) : [],
};
