import { ForbiddenError, Role, isStaff, requireOrganizationMember, requireStaff, requireUser, type Caller } from '@terrarium/kit';
import type { OwnerType } from '../entities/media-asset.entity.js';

/**
 * Who may add or remove media of an owner. Media never reads other subgraphs' tables, so it
 * decides from the caller alone:
 * - PRODUCT: staff (the catalog is staff-managed).
 * - ORGANIZATION: staff or a member of that organization.
 * - ANIMAL: staff or any BREEDER. Which organization an animal belongs to lives in inventory;
 *   checking it would take a service call on every upload, so any breeder is trusted here.
 *   Known gap: a breeder can attach photos to another breeder's animal.
 * - POST: any signed-in user. Authorship lives in community; same trade-off as animals.
 * Returns the caller's user id.
 */
export function requireMediaOwnerAccess(caller: Caller, ownerType: OwnerType, ownerId: string): string {
  const userId = requireUser(caller);
  switch (ownerType) {
    case 'PRODUCT':
      requireStaff(caller);
      break;
    case 'ORGANIZATION':
      requireOrganizationMember(caller, ownerId);
      break;
    case 'ANIMAL':
      if (!isStaff(caller) && !caller.roles.includes(Role.BREEDER)) throw new ForbiddenError('Only breeders and staff may add animal photos.');
      break;
    case 'POST':
      break;
  }
  return userId;
}

/**
 * Who may remove an asset: staff; for an organization's asset its members; otherwise the user
 * who uploaded it (animal photos and post images, where ownership is not known here).
 */
export function requireAssetRemoval(caller: Caller, asset: { ownerType: OwnerType; ownerId: string; createdBy?: string | null }): void {
  const userId = requireUser(caller);
  if (isStaff(caller)) return;
  if (asset.ownerType === 'ORGANIZATION' && caller.organizationIds.includes(asset.ownerId)) return;
  if (asset.ownerType !== 'PRODUCT' && asset.createdBy === userId) return;
  throw new ForbiddenError('You may not remove this asset.');
}
