import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import { createByIdLoader } from '@terrarium/subgraph-kit/loaders';
import { Comment, type CommentEntity } from '../entities/comment.entity.js';
import { Post, type PostEntity } from '../entities/post.entity.js';
import { Report, type ReportEntity } from '../entities/report.entity.js';
import { Review, type ReviewEntity } from '../entities/review.entity.js';
import { createFollowerCountLoader, createFollowersLoader, createFollowingLoader } from './follow.loader.js';
import { createPageLoader } from './page.loader.js';
import { createRatingLoader } from './rating.loader.js';

/**
 * The request's DataLoaders: every relation and reference, one SQL statement per batch. Reviews
 * tolerate lag and follow the operation's ReadRoute (`reads`); ratings do not, since a reader
 * fills the shared cache with them (a replica's stale count would be pinned there for TTL.ENTITY),
 * and neither do posts, comments, reports and follows. By id, hidden rows come back too: callers
 * decide who may see them (services/visibility.ts; staff in the moderation queue, nobody else).
 */
export function createLoaders({ em, reads, cache }: LoaderDeps) {
  const loaders = {
    review: createByIdLoader<ReviewEntity>(em, Review, undefined, reads),
    post: createByIdLoader<PostEntity>(em, Post),
    comment: createByIdLoader<CommentEntity>(em, Comment),
    report: createByIdLoader<ReportEntity>(em, Report),
    productReviews: createPageLoader<ReviewEntity>(
      em,
      {
        entity: Review,
        table: 'review',
        parentColumn: 'product_id',
        direction: 'desc',
      },
      reads,
    ),
    organizationReviews: createPageLoader<ReviewEntity>(
      em,
      {
        entity: Review,
        table: 'review',
        parentColumn: 'organization_id',
        direction: 'desc',
      },
      reads,
    ),
    userPosts: createPageLoader<PostEntity>(em, {
      entity: Post,
      table: 'post',
      parentColumn: 'author_id',
      direction: 'desc',
    }),
    postComments: createPageLoader<CommentEntity>(em, {
      entity: Comment,
      table: 'comment',
      parentColumn: 'post_id',
      direction: 'asc',
    }),
    ratings: createRatingLoader(em, cache),
    followers: createFollowersLoader(em),
    following: createFollowingLoader(em),
    followerCount: createFollowerCountLoader(em),
    /**
     * Forgets everything this context loaded. A graphql-ws subscription keeps one context for all
     * its events; each event starts from a clean slate, as an HTTP request would.
     */
    reset(): void {
      em.clear();
      for (const loader of Object.values(loaders)) if (typeof loader === 'object') loader.clearAll();
    },
  };
  return loaders;
}

export type Loaders = ReturnType<typeof createLoaders>;
