import { isStaff, requireUser, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError, ForbiddenError } from '@terrarium/platform/errors';

/** A user's cart, orders and wishlist are theirs and staff's. */
export function requireSelfOrStaff(caller: Caller, userId: string): void {
  const me = requireUser(caller);
  if (me !== userId && !isStaff(caller))
    throw new ForbiddenError(
      "Only the user themself and staff may see this user's cart, orders and wishlist.",
    );
}

export function requireBuyerOrStaff(caller: Caller, buyerId: string): void {
  const me = requireUser(caller);
  if (me !== buyerId && !isStaff(caller))
    throw new ForbiddenError('Only the buyer and staff may see this order.');
}

export function managesOrganization(caller: Caller, organizationId: string): boolean {
  return isStaff(caller) || caller.organizationIds.includes(organizationId);
}

/** Exactly one of two optional ids (productId / listingId, animalId / productId). */
export function exactlyOne(a: string | null, aName: string, b: string | null, bName: string): void {
  if ((a === null) === (b === null))
    throw new BadUserInputError(`Give exactly one of "${aName}" and "${bName}".`, a === null ? aName : bName);
}
