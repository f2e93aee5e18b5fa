import type { EntityChange } from '@terrarium/subgraph-kit/entity-changes';

/** A listing as the writes that move it return it (`returning CHANGED_LISTING_COLUMNS`). */
export interface ChangedListing {
  id: string;
  animalId: string | null;
  organizationId: string;
}

/** The `returning` list that reads a ChangedListing off an insert or update of `listing`. */
export const CHANGED_LISTING_COLUMNS = 'id, animal_id as "animalId", organization_id as "organizationId"';

/**
 * What a listing's change shows elsewhere in the graph, for the gateways' entity caches: the
 * listing itself, its animal's `listing` and its organization's `listings`.
 */
export function listingChanges(listings: readonly ChangedListing[]): EntityChange[] {
  return listings.flatMap((listing) => [
    { typename: 'Listing', id: listing.id },
    { typename: 'Organization', id: listing.organizationId },
    ...(listing.animalId ? [{ typename: 'Animal', id: listing.animalId }] : []),
  ]);
}
