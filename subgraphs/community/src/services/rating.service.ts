import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { ratingReports } from './rating-report.job.js';
import type { Context } from '../context.js';
import { ratingCacheKey, type Subject } from '../loaders/rating.loader.js';
import type { ReviewEntity } from '../entities/review.entity.js';

export interface ReviewSubjectRow {
  product_id: string | null;
  organization_id: string | null;
}

export function subjectOf(
  review: ReviewSubjectRow | Pick<ReviewEntity, 'productId' | 'organizationId'>,
): Subject {
  const productId = 'product_id' in review ? review.product_id : review.productId;
  const organizationId = 'organization_id' in review ? review.organization_id : review.organizationId;
  if (productId) return { type: 'PRODUCT', id: productId };
  return { type: 'ORGANIZATION', id: organizationId! };
}

/**
 * Adds a change to a subject's aggregate inside the caller's transaction, as one atomic statement:
 * the row lock it takes serializes concurrent writers of the same subject, and each applies its
 * delta to the latest committed values (never a value read earlier in JS).
 *
 * A product's change also owes products' search read model its new rating, in the same
 * transaction (the outbox).
 *
 * @param countDelta reviews added (+1), removed (-1) or 0 when only a rating changed
 * @param sumDelta change of the sum of ratings
 */
export async function applyRatingDelta(
  tx: EntityManager,
  jobs: JobQueue,
  subject: Subject,
  countDelta: number,
  sumDelta: number,
): Promise<void> {
  if (countDelta === 0 && sumDelta === 0) return;
  if (subject.type === 'PRODUCT') await ratingReports.enqueue(jobs, tx, [subject.id]);
  if (countDelta > 0) {
    // The first review of a subject creates its row; the upsert is still one atomic statement.
    await tx.execute(
      `insert into rating_aggregate as a (subject_type, subject_id, review_count, rating_sum)
       values (?, ?, ?, ?)
       on conflict (subject_type, subject_id) do update
         set review_count = a.review_count + excluded.review_count,
             rating_sum = a.rating_sum + excluded.rating_sum,
             updated_at = now()`,
      [subject.type, subject.id, countDelta, sumDelta],
      'run',
    );
    return;
  }
  // Not an upsert: Postgres checks the proposed insert row (negative values) against the CHECK
  // constraints before it looks for the conflict. A row exists since a visible review counts in it.
  const updated = await tx.execute<{ subject_id: string }[]>(
    `update rating_aggregate
     set review_count = review_count + ?, rating_sum = rating_sum + ?, updated_at = now()
     where subject_type = ? and subject_id = ?
     returning subject_id`,
    [countDelta, sumDelta, subject.type, subject.id],
  );
  if (updated.length === 0) throw new Error(`rating_aggregate row missing for ${subject.type} ${subject.id}`);
}

/**
 * After the commit: drop the cached aggregate (every instance shares the Redis cache) and make
 * the rest of this request read it from Postgres.
 */
export async function invalidateRating(ctx: Context, subject: Subject): Promise<void> {
  // The subject's reviews and rating, as gateways cache them, changed with it.
  ctx.entityChanges.changed(subject.type === 'PRODUCT' ? 'Product' : 'Organization', subject.id);
  ctx.loaders.ratings.forget(subject);
  await ctx.cache.delete(ratingCacheKey(subject));
}
