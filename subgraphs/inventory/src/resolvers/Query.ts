import { Species } from '../entities/species.entity.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import { listAnimals } from '../services/animal-query.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { searchAnimals } from '../search/animal-search.js';

export const Query: QueryResolvers = {
  animal: (_, { id }, { loaders }) => loaders.animal.load(requireUuid(id, 'id')),
  animals: (_, { filter, first, after }, { em }) => listAnimals(em, filter, first, after),
  species: (_, __, { em }) => em.find(Species, {}, { orderBy: { commonName: 'asc' } }),
  animalSearch: (_, args, { em, loaders }) => searchAnimals(em, loaders, args),
};
