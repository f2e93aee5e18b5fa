import type { QueryResolvers } from '../generated/resolvers.js';
import { moderationQueue } from '../services/moderation.service.js';
import { feed } from '../services/post.service.js';
import { visibleTo } from '../services/visibility.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

export const Query: QueryResolvers = {
  review: async (_, { id }, ctx) => visibleTo(ctx, await ctx.loaders.review.load(requireUuid(id, 'id'))),
  post: async (_, { id }, ctx) => visibleTo(ctx, await ctx.loaders.post.load(requireUuid(id, 'id'))),
  posts: (_, { first, after }, ctx) => feed(ctx, first, after),
  moderationQueue: (_, { first, after, status }, ctx) => moderationQueue(ctx, first, after, status),
};
