import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Listing, type ListingEntity } from '../entities/listing.entity.js';
import { oneByKey } from './by-key.js';

/**
 * Reads bypass the identity map: commerce writes with SQL statements (see sql.ts), so a managed
 * copy could be stale within the same request.
 */
export function createListingLoader(em: EntityManager): DataLoader<string, ListingEntity | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(Listing, { id: { $in: [...ids] } }, { disableIdentityMap: true });
    return oneByKey(ids, rows, (row) => row.id);
  });
}

/** An animal's current offer: its ACTIVE or RESERVED listing (a unique index allows one). */
export function createAnimalListingLoader(em: EntityManager): DataLoader<string, ListingEntity | null> {
  return new DataLoader(async (animalIds) => {
    const rows = await em.find(
      Listing,
      { animalId: { $in: [...animalIds] }, status: { $in: ['ACTIVE', 'RESERVED'] } },
      { disableIdentityMap: true },
    );
    return oneByKey(animalIds, rows, (row) => row.animalId);
  });
}
