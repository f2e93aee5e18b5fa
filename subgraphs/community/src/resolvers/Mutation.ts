import type { MutationResolvers } from '../generated/resolvers.js';
import { follow, unfollow } from '../services/follow.service.js';
import { report, resolveReport } from '../services/moderation.service.js';
import { addComment, createPost, deleteComment, deletePost } from '../services/post.service.js';
import { deleteReview, postReview, updateReview } from '../services/review.service.js';

export const Mutation: MutationResolvers = {
  postReview: (_, { input }, ctx) => postReview(ctx, input),
  updateReview: (_, { id, input }, ctx) => updateReview(ctx, id, input),
  deleteReview: (_, { id }, ctx) => deleteReview(ctx, id),
  createPost: (_, { input }, ctx) => createPost(ctx, input),
  deletePost: (_, { id }, ctx) => deletePost(ctx, id),
  addComment: (_, { postId, body }, ctx) => addComment(ctx, postId, body),
  deleteComment: (_, { id }, ctx) => deleteComment(ctx, id),
  follow: (_, { targetType, targetId }, ctx) => follow(ctx, targetType, targetId),
  unfollow: (_, { targetType, targetId }, ctx) => unfollow(ctx, targetType, targetId),
  report: (_, { input }, ctx) => report(ctx, input),
  resolveReport: (_, { id, action }, ctx) => resolveReport(ctx, id, action),
};
