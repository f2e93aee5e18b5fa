import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import type { MediaDeps } from '../services/media-deps.js';
import { Animal } from './Animal.js';
import { createMediaAssetResolvers } from './MediaAsset.js';
import { createMutationResolvers } from './Mutation.js';
import { Organization } from './Organization.js';
import { Post } from './Post.js';
import { Product } from './Product.js';
import { Query } from './Query.js';

/** Resolvers that need storage or settings close over `deps`; the rest are plain objects. */
export function createResolvers(deps: MediaDeps): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: createMutationResolvers(deps),
    MediaAsset: createMediaAssetResolvers(deps),
    Product,
    Animal,
    Organization,
    Post,
  };
}
