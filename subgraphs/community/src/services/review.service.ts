import { isStaff, requireUser } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Context } from '../context.js';
import { Review, type ReviewEntity } from '../entities/review.entity.js';
import type { Subject } from '../loaders/rating.loader.js';
import { Topic, toReviewEvent } from './events.js';
import { applyRatingDelta, invalidateRating, subjectOf } from './rating.service.js';
import { auditStaffAction } from './staff-audit.js';
import { requireKnownSubject } from './subjects.js';
import { requireRating, requireText } from './validate.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Longest review body, in characters. @default 5_000 */
export const MAX_REVIEW_BODY = 5_000;

interface ReviewRow {
  id: string;
  author_id: string;
  product_id: string | null;
  organization_id: string | null;
  rating: number;
  body: string;
  hidden_at: Date | null;
}

export interface ReviewInput {
  productId?: string | null;
  organizationId?: string | null;
  rating: number;
  body: string;
}

export interface ReviewUpdateInput {
  rating?: number | null;
  body?: string | null;
}

function parseSubject(input: ReviewInput): Subject {
  const productId = input.productId ?? null;
  const organizationId = input.organizationId ?? null;
  if ((productId === null) === (organizationId === null)) {
    throw new BadUserInputError(
      'Give exactly one of "productId" and "organizationId".',
      productId === null ? 'input.productId' : 'input.organizationId',
    );
  }
  return productId !== null
    ? { type: 'PRODUCT', id: requireUuid(productId, 'input.productId') }
    : { type: 'ORGANIZATION', id: requireUuid(organizationId!, 'input.organizationId') };
}

/** Publishing happens after the commit; a failed publish must not turn a saved review into an error. */
async function publish(ctx: Context, topic: string, payload: unknown): Promise<void> {
  await ctx.events
    .publish(topic, payload)
    .catch((err: unknown) => ctx.logger.warn({ err, topic }, 'event publish failed'));
}

export async function postReview(ctx: Context, input: ReviewInput): Promise<ReviewEntity> {
  const authorId = requireUser(ctx.caller);
  const subject = parseSubject(input);
  const rating = requireRating(input.rating, 'input.rating');
  const body = requireText(input.body, 'input.body', MAX_REVIEW_BODY);
  // Outside the transaction: no row lock or connection is held while the owner answers.
  await requireKnownSubject(ctx, subject.type === 'PRODUCT' ? 'Product' : 'Organization', subject.id);
  const row = await ctx.em.transactional(async (tx) => {
    // The partial unique indexes (author, subject) make a second review a no-op here.
    const [inserted] = await tx.execute<Record<string, unknown>[]>(
      `insert into review (author_id, product_id, organization_id, rating, body) values (?, ?, ?, ?, ?)
       on conflict do nothing returning *`,
      [
        authorId,
        subject.type === 'PRODUCT' ? subject.id : null,
        subject.type === 'ORGANIZATION' ? subject.id : null,
        rating,
        body,
      ],
    );
    if (!inserted)
      throw new ConflictError(
        `You have already reviewed this ${subject.type === 'PRODUCT' ? 'product' : 'organization'}; edit that review instead.`,
      );
    await applyRatingDelta(tx, ctx.jobs, subject, 1, rating);
    return inserted;
  });
  const review = ctx.em.map(Review, row);
  await invalidateRating(ctx, subject);
  await publish(ctx, Topic.reviewPosted(subject), toReviewEvent(review));
  return review;
}

/** Locks the review row for the rest of the transaction and checks that the caller may change it. */
async function lockOwnReview(tx: EntityManager, ctx: Context, id: string): Promise<ReviewRow> {
  const userId = requireUser(ctx.caller);
  const [current] = await tx.execute<ReviewRow[]>('select * from review where id = ? for update', [id]);
  if (!current || (current.hidden_at !== null && !isStaff(ctx.caller))) throw new NotFoundError('Review');
  if (current.author_id !== userId && !isStaff(ctx.caller))
    throw new ForbiddenError('Only the author or staff may change this review.');
  return current;
}

export async function updateReview(
  ctx: Context,
  rawId: string,
  input: ReviewUpdateInput,
): Promise<ReviewEntity> {
  requireUser(ctx.caller);
  const id = requireUuid(rawId, 'id');
  const rating = input.rating == null ? null : requireRating(input.rating, 'input.rating');
  const body = input.body == null ? null : requireText(input.body, 'input.body', MAX_REVIEW_BODY);
  if (rating === null && body === null)
    throw new BadUserInputError('Give "rating" or "body" to change.', 'input');
  const { row, subject } = await ctx.em.transactional(async (tx) => {
    const current = await lockOwnReview(tx, ctx, id);
    const [updated] = await tx.execute<(Record<string, unknown> & { rating: number })[]>(
      'update review set rating = ?, body = ?, updated_at = now() where id = ? returning *',
      [rating ?? current.rating, body ?? current.body, id],
    );
    await auditStaffAction(ctx, tx, {
      action: 'updateReview',
      subject: `Review:${id}`,
      authorId: current.author_id,
      diff: {
        before: { rating: current.rating, body: current.body },
        after: { rating: updated!.rating, body: body ?? current.body },
      },
    });
    // The old rating was read under the row lock, so this delta is exact even under concurrent edits.
    if (current.hidden_at === null)
      await applyRatingDelta(tx, ctx.jobs, subjectOf(current), 0, updated!.rating - current.rating);
    return { row: updated!, subject: subjectOf(current) };
  });
  ctx.entityChanges.changed('Review', id);
  await invalidateRating(ctx, subject);
  return ctx.em.map(Review, row);
}

export async function deleteReview(ctx: Context, rawId: string): Promise<string> {
  requireUser(ctx.caller);
  const id = requireUuid(rawId, 'id');
  const subject = await ctx.em.transactional(async (tx) => {
    const current = await lockOwnReview(tx, ctx, id);
    await tx.execute('delete from review where id = ?', [id], 'run');
    await auditStaffAction(ctx, tx, {
      action: 'deleteReview',
      subject: `Review:${id}`,
      authorId: current.author_id,
      diff: { rating: current.rating, about: subjectOf(current), hidden: current.hidden_at !== null },
    });
    if (current.hidden_at === null)
      await applyRatingDelta(tx, ctx.jobs, subjectOf(current), -1, -current.rating);
    return subjectOf(current);
  });
  ctx.entityChanges.changed('Review', id);
  await invalidateRating(ctx, subject);
  return id;
}

/**
 * Moderation: hides a review inside the caller's transaction and takes it out of its subject's
 * aggregate. Returns the subject whose aggregate changed (null when it was already hidden or gone).
 */
export async function hideReview(tx: EntityManager, jobs: JobQueue, id: string): Promise<Subject | null> {
  const [hidden] = await tx.execute<ReviewRow[]>(
    'update review set hidden_at = now() where id = ? and hidden_at is null returning *',
    [id],
  );
  if (!hidden) return null;
  await applyRatingDelta(tx, jobs, subjectOf(hidden), -1, -hidden.rating);
  return subjectOf(hidden);
}
