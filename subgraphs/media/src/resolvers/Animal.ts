import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { AnimalResolvers } from '../generated/resolvers.js';
import { ownerReference } from '../services/owner-reference.js';

export const Animal: AnimalResolvers = {
  __resolveReference: ownerReference,
  photos: ({ id }, { first }, { loaders }) =>
    loaders.ownerMedia.load({ ownerType: 'ANIMAL', ownerId: id, kind: 'IMAGE', first: pageSize(first, 10) }),
};
