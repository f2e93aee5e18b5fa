import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { PostResolvers } from '../generated/resolvers.js';
import { ownerReference } from '../services/owner-reference.js';

export const Post: PostResolvers = {
  __resolveReference: ownerReference,
  images: ({ id }, { first }, { loaders }) =>
    loaders.ownerMedia.load({ ownerType: 'POST', ownerId: id, kind: 'IMAGE', first: pageSize(first, 10) }),
};
