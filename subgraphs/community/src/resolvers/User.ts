import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { UserResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';
import { CursorTag, pageKey, toPageConnection } from '../services/paging.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Community's part of User: posts and follows. */
export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id: requireUuid(id, 'id') }),
  posts: async ({ id }, { first, after }, ctx) => {
    const key = pageKey(CursorTag.POSTS, id, first, after, 10);
    return toPageConnection(CursorTag.POSTS, await ctx.loaders.userPosts.load(key), key.size);
  },
  followers: async ({ id }, { first }, ctx) =>
    (await ctx.loaders.followers.load({ id, targetType: 'USER', size: pageSize(first, 20) })).map(ref),
  followerCount: ({ id }, _, ctx) => ctx.loaders.followerCount.load({ targetType: 'USER', id }),
  following: async ({ id }, { first }, ctx) =>
    (await ctx.loaders.following.load({ id, targetType: 'USER', size: pageSize(first, 20) })).map(ref),
  followedOrganizations: async ({ id }, { first }, ctx) =>
    (await ctx.loaders.following.load({ id, targetType: 'ORGANIZATION', size: pageSize(first, 20) })).map(
      ref,
    ),
};
