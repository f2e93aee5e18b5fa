import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { OrganizationResolvers } from '../generated/resolvers.js';
import { averageRating } from '../loaders/rating.loader.js';
import { ref } from '../refs.js';
import { CursorTag, pageKey, toPageConnection } from '../services/paging.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Community's part of Organization (a breeder): reviews, rating and followers. */
export const Organization: OrganizationResolvers = {
  __resolveReference: ({ id }) => ({ id: requireUuid(id, 'id') }),
  reviews: async ({ id }, { first, after }, ctx) => {
    const key = pageKey(CursorTag.REVIEWS, id, first, after, 10);
    return toPageConnection(CursorTag.REVIEWS, await ctx.loaders.organizationReviews.load(key), key.size);
  },
  averageRating: async ({ id }, _, ctx) =>
    averageRating(await ctx.loaders.ratings.load({ type: 'ORGANIZATION', id })),
  reviewCount: async ({ id }, _, ctx) =>
    (await ctx.loaders.ratings.load({ type: 'ORGANIZATION', id })).reviewCount,
  followers: async ({ id }, { first }, ctx) =>
    (await ctx.loaders.followers.load({ id, targetType: 'ORGANIZATION', size: pageSize(first, 20) })).map(
      ref,
    ),
  followerCount: ({ id }, _, ctx) => ctx.loaders.followerCount.load({ targetType: 'ORGANIZATION', id }),
};
