import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReadRoute } from '@terrarium/subgraph-kit/context';
import { createByIdLoader, createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { Listing, type ListingEntity } from '../entities/listing.entity.js';

/**
 * Reads bypass the identity map: commerce writes with SQL statements (see the kit's sql), so a
 * managed copy could be stale within the same request. Listings tolerate lag (a shop window a
 * moment old): they follow the operation's ReadRoute, which is the primary in every mutation, so
 * checkout and the listing writes price and check against the primary.
 */
export function createListingLoader(
  em: EntityManager,
  reads: ReadRoute,
): DataLoader<string, ListingEntity | null> {
  return createByIdLoader(em, Listing, { disableIdentityMap: true }, reads);
}

/** An animal's current offer: its ACTIVE or RESERVED listing (a unique index allows one). */
export function createAnimalListingLoader(
  em: EntityManager,
  reads: ReadRoute,
): DataLoader<string, ListingEntity | null> {
  return createByKeyLoader(
    (animalIds) =>
      em.find(
        Listing,
        { animalId: { $in: animalIds }, status: { $in: ['ACTIVE', 'RESERVED'] } },
        { disableIdentityMap: true, connectionType: reads.connectionType },
      ),
    // Every row matched an animal id, so it has one.
    (row) => row.animalId ?? '',
  );
}
