import { Species } from '../entities/species.entity.js';
import type { QueryResolvers } from '../generated/resolvers.js';
import { listAnimals } from '../services/animal-query.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { searchAnimals } from '../search/animal-search.js';

export const Query: QueryResolvers = {
  animal: (_, { id }, { loaders }) => loaders.animal.load(requireUuid(id, 'id')),
  // Animals, species and the search tolerate lag: the operation's ReadRoute.
  animals: (_, { filter, first, after }, { em, reads }) => listAnimals(em, filter, first, after, reads),
  species: (_, __, { em, reads }) =>
    em.find(Species, {}, { orderBy: { commonName: 'asc' }, connectionType: reads.connectionType }),
  animalSearch: (_, args, { em, reads, loaders }) => searchAnimals(em, loaders, args, reads),
};
