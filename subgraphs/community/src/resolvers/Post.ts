import type { PostResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';
import { CursorTag, pageKey, toPageConnection } from '../services/paging.js';
import { requireId } from '../services/validate.js';
import { visibleTo } from '../services/visibility.js';

export const Post: PostResolvers = {
  __resolveReference: async ({ id }, ctx) => visibleTo(ctx, await ctx.loaders.post.load(requireId(id, 'id'))),
  author: (post) => ref(post.authorId),
  comments: async ({ id }, { first, after }, ctx) => {
    const key = pageKey(CursorTag.COMMENTS, id, first, after, 20);
    return toPageConnection(CursorTag.COMMENTS, await ctx.loaders.postComments.load(key), key.size);
  },
};
