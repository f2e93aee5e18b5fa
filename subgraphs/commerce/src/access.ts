import { isStaff, requireUser, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError, ForbiddenError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';

/** A UUID argument, or BAD_USER_INPUT naming the argument (a malformed id never reaches SQL). */
export function requireId(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`"${field}" must be a UUID, got "${value}".`, field);
  return value;
}

export function optionalId(value: string | null | undefined, field: string): string | null {
  return value == null ? null : requireId(value, field);
}

/** A user's cart, orders and wishlist are theirs and staff's. */
export function requireSelfOrStaff(caller: Caller, userId: string): void {
  const me = requireUser(caller);
  if (me !== userId && !isStaff(caller)) throw new ForbiddenError("Only the user themself and staff may see this user's cart, orders and wishlist.");
}

export function requireBuyerOrStaff(caller: Caller, buyerId: string): void {
  const me = requireUser(caller);
  if (me !== buyerId && !isStaff(caller)) throw new ForbiddenError('Only the buyer and staff may see this order.');
}

export function managesOrganization(caller: Caller, organizationId: string): boolean {
  return isStaff(caller) || caller.organizationIds.includes(organizationId);
}

/** Exactly one of two optional ids (productId / listingId, animalId / productId). */
export function exactlyOne(a: string | null, aName: string, b: string | null, bName: string): void {
  if ((a === null) === (b === null)) throw new BadUserInputError(`Give exactly one of "${aName}" and "${bName}".`, a === null ? aName : bName);
}
