import type { ReviewResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';
import { visibleTo } from '../services/visibility.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Review: ReviewResolvers = {
  __resolveReference: async ({ id }, ctx) =>
    visibleTo(ctx, await ctx.loaders.review.load(requireUuid(id, 'id'))),
  author: (review) => ref(review.authorId),
  product: (review) => (review.productId ? ref(review.productId) : null),
  organization: (review) => (review.organizationId ? ref(review.organizationId) : null),
};
