import type { CommentEntity } from '../entities/comment.entity.js';
import type { ReviewEntity } from '../entities/review.entity.js';
import type { Subject } from '../loaders/rating.loader.js';

/**
 * Subscription topics (the kit prefixes them with `community:`). Published after the commit, so a
 * subscriber never sees a review that a rollback undid.
 */
export const Topic = {
  reviewPosted: (subject: Subject) =>
    `reviewPosted:${subject.type === 'PRODUCT' ? 'product' : 'organization'}:${subject.id}`,
  commentAdded: (postId: string) => `commentAdded:${postId}`,
};

/**
 * Events travel as JSON through Redis, so dates go as ISO strings and come back as Dates; both
 * bus implementations (Redis, in-process) then hand resolvers the same shape. New content is
 * never hidden, so hiddenAt does not travel.
 */
export interface ReviewEvent {
  id: string;
  authorId: string;
  productId: string | null;
  organizationId: string | null;
  rating: number;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface CommentEvent {
  id: string;
  postId: string;
  authorId: string;
  body: string;
  createdAt: string;
}

export function toReviewEvent(review: ReviewEntity): ReviewEvent {
  const { id, authorId, rating, body } = review;
  return {
    id,
    authorId,
    productId: review.productId ?? null,
    organizationId: review.organizationId ?? null,
    rating,
    body,
    createdAt: review.createdAt.toISOString(),
    updatedAt: review.updatedAt.toISOString(),
  };
}

export function fromReviewEvent(event: ReviewEvent): ReviewEntity {
  return {
    ...event,
    hiddenAt: null,
    createdAt: new Date(event.createdAt),
    updatedAt: new Date(event.updatedAt),
  };
}

export function toCommentEvent(comment: CommentEntity): CommentEvent {
  const { id, postId, authorId, body } = comment;
  return { id, postId, authorId, body, createdAt: comment.createdAt.toISOString() };
}

export function fromCommentEvent(event: CommentEvent): CommentEntity {
  return { ...event, hiddenAt: null, createdAt: new Date(event.createdAt) };
}
