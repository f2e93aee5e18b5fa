import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A review of exactly one subject: a product (products subgraph) or an organization (ops). The
 * subject and author ids are plain uuids, not relations: those rows live in other subgraphs.
 * Ratings and counts are kept in rating_aggregate; see services/rating.service.ts.
 */
export const Review = defineEntity({
  name: 'Review',
  tableName: 'review',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    authorId: p.uuid(),
    productId: p.uuid().nullable(),
    organizationId: p.uuid().nullable(),
    rating: p.smallint(),
    body: p.text(),
    /** Set when staff removed the review; hidden reviews count nowhere. */
    hiddenAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
  },
});

export type ReviewEntity = InferEntity<typeof Review>;
