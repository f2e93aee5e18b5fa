import { NotFoundError } from '@terrarium/platform/errors';
import type { CommentResolvers } from '../generated/resolvers.js';
import { ref } from '../refs.js';

export const Comment: CommentResolvers = {
  author: (comment) => ref(comment.authorId),
  post: async (comment, _, ctx) => {
    // A comment row always has its post (on delete cascade); staff may see it while hidden.
    const post = await ctx.loaders.post.load(comment.postId);
    if (!post) throw new NotFoundError('Post');
    return post;
  },
};
