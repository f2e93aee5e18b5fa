import type { QueryResolvers } from '../generated/resolvers.js';
import { moderationQueue } from '../services/moderation.service.js';
import { feed } from '../services/post.service.js';
import { requireId } from '../services/validate.js';
import { visibleTo } from '../services/visibility.js';

export const Query: QueryResolvers = {
  review: async (_, { id }, ctx) => visibleTo(ctx, await ctx.loaders.review.load(requireId(id, 'id'))),
  post: async (_, { id }, ctx) => visibleTo(ctx, await ctx.loaders.post.load(requireId(id, 'id'))),
  posts: (_, { first, after }, ctx) => feed(ctx, first, after),
  moderationQueue: (_, { first, after, status }, ctx) => moderationQueue(ctx, first, after, status),
};
