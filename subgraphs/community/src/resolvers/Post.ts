import type { PostResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';
import { CursorTag, pageKey, toPageConnection } from '../services/paging.js';
import { visibleTo } from '../services/visibility.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Post: PostResolvers = {
  __resolveReference: async ({ id }, ctx) =>
    visibleTo(ctx, await ctx.loaders.post.load(requireUuid(id, 'id'))),
  author: (post) => ref(post.authorId),
  comments: async ({ id }, { first, after }, ctx) => {
    const key = pageKey(CursorTag.COMMENTS, id, first, after, 20);
    return toPageConnection(CursorTag.COMMENTS, await ctx.loaders.postComments.load(key), key.size);
  },
};
