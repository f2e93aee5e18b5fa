import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const LISTING_STATUSES = ['DRAFT', 'ACTIVE', 'RESERVED', 'SOLD', 'WITHDRAWN'] as const;
export type ListingStatus = (typeof LISTING_STATUSES)[number];

/** An animal or a product offered by an organization at a price of its own. */
export const Listing = defineEntity({
  name: 'Listing',
  tableName: 'listing',
  properties: {
    id: p.uuid().primary(),
    organizationId: p.uuid(),
    animalId: p.uuid().nullable(),
    productId: p.uuid().nullable(),
    status: p.enum([...LISTING_STATUSES]),
    /** Minor units (cents) of `currency`. */
    priceAmount: p.integer(),
    currency: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type ListingEntity = InferEntity<typeof Listing>;
