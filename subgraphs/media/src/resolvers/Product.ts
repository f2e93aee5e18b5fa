import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { ProductResolvers } from '../generated/resolvers.js';
import { ownerReference } from '../services/owner-reference.js';

export const Product: ProductResolvers = {
  __resolveReference: ownerReference,
  images: ({ id }, { first }, { loaders }) =>
    loaders.ownerMedia.load({ ownerType: 'PRODUCT', ownerId: id, kind: 'IMAGE', first: pageSize(first, 10) }),
  attachments: ({ id }, _, { loaders }) =>
    loaders.ownerMedia.load({ ownerType: 'PRODUCT', ownerId: id, kind: 'DOCUMENT', first: null }),
};
