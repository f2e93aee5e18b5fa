import { BadUserInputError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { SubscriptionResolvers } from '../generated/resolvers.js';
import {
  Topic,
  fromCommentEvent,
  fromReviewEvent,
  type CommentEvent,
  type ReviewEvent,
} from '../services/events.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/**
 * Events come from ctx.events (Redis pub/sub when configured, so a write on any instance reaches
 * subscribers on every instance). One graphql-ws context serves every event of a subscription, so
 * each event resets the request-scoped loaders' memo (a rating read for the first event must not
 * be served again for the tenth).
 */
export const Subscription: SubscriptionResolvers = {
  reviewPosted: {
    subscribe: (_, { productId, organizationId }, ctx) => {
      if ((productId == null) === (organizationId == null)) {
        throw new BadUserInputError(
          'Give exactly one of "productId" and "organizationId".',
          productId == null ? 'productId' : 'organizationId',
        );
      }
      const subject =
        productId != null
          ? { type: 'PRODUCT' as const, id: requireUuid(productId, 'productId') }
          : { type: 'ORGANIZATION' as const, id: requireUuid(organizationId!, 'organizationId') };
      return ctx.events.subscribe<ReviewEvent>(Topic.reviewPosted(subject));
    },
    resolve: (event: ReviewEvent, _args: unknown, ctx: Context) => {
      ctx.loaders.reset();
      return fromReviewEvent(event);
    },
  },
  commentAdded: {
    subscribe: (_, { postId }, ctx) =>
      ctx.events.subscribe<CommentEvent>(Topic.commentAdded(requireUuid(postId, 'postId'))),
    resolve: (event: CommentEvent, _args: unknown, ctx: Context) => {
      ctx.loaders.reset();
      return fromCommentEvent(event);
    },
  },
};
