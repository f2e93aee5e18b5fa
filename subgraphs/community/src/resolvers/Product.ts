import type { ProductResolvers } from '../generated/resolvers.js';
import { averageRating } from '../loaders/rating.loader.js';
import { CursorTag, pageKey, toPageConnection } from '../services/paging.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Community's part of Product: its reviews and rating (the products subgraph owns the rest). */
export const Product: ProductResolvers = {
  __resolveReference: ({ id }) => ({ id: requireUuid(id, 'id') }),
  reviews: async ({ id }, { first, after }, ctx) => {
    const key = pageKey(CursorTag.REVIEWS, id, first, after, 10);
    return toPageConnection(CursorTag.REVIEWS, await ctx.loaders.productReviews.load(key), key.size);
  },
  averageRating: async ({ id }, _, ctx) =>
    averageRating(await ctx.loaders.ratings.load({ type: 'PRODUCT', id })),
  reviewCount: async ({ id }, _, ctx) =>
    (await ctx.loaders.ratings.load({ type: 'PRODUCT', id })).reviewCount,
};
