import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const SUBJECT_TYPES = ['PRODUCT', 'ORGANIZATION'] as const;
export type SubjectType = (typeof SUBJECT_TYPES)[number];

/**
 * Count and sum of the visible ratings of one subject. Written only by single atomic SQL
 * statements (`review_count = review_count + 1`) in the transaction that changes the review, so
 * concurrent writers never lose an update.
 */
export const RatingAggregate = defineEntity({
  name: 'RatingAggregate',
  tableName: 'rating_aggregate',
  properties: {
    subjectType: p.enum([...SUBJECT_TYPES]).primary(),
    subjectId: p.uuid().primary(),
    reviewCount: p.integer(),
    ratingSum: p.integer(),
    updatedAt: p.datetime().defaultRaw('now()'),
  },
});

export type RatingAggregateEntity = InferEntity<typeof RatingAggregate>;
