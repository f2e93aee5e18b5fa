import {
  Role,
  isStaff,
  requireOrganizationMember,
  requireUser,
  type Caller,
} from '@terrarium/platform/caller';
import { ForbiddenError } from '@terrarium/platform/errors';

/**
 * Staff, or a BREEDER member of the organization; anyone else gets FORBIDDEN (UNAUTHENTICATED
 * when signed out). Keepers are never members of a breeder organization, but the role is checked
 * too so that a membership alone does not grant editing.
 */
export function requireBreederOf(caller: Caller, organizationId: string): void {
  requireOrganizationMember(caller, organizationId);
  if (!isStaff(caller) && !caller.roles.includes(Role.BREEDER)) {
    throw new ForbiddenError('Only breeders of this organization may change its animals.');
  }
}

/** What decides who cares for an animal. */
interface CaredAnimal {
  organizationId: string;
  keeperId?: string | null;
}

/**
 * Who looks after an animal: its keeper once it was delivered to one, its breeder's members
 * while the breeder holds it, and staff. Anyone else gets FORBIDDEN (UNAUTHENTICATED when
 * signed out).
 */
export function requireCarerOf(caller: Caller, animal: CaredAnimal): void {
  if (isStaff(caller)) return;
  if (animal.keeperId == null) return requireBreederOf(caller, animal.organizationId);
  if (requireUser(caller) !== animal.keeperId)
    throw new ForbiddenError("Only the animal's keeper may look after it.");
}

/** Whether the caller may read an animal's care plan (requireCarerOf without throwing). */
export function isCarerOf(caller: Caller, animal: CaredAnimal): boolean {
  if (isStaff(caller)) return true;
  if (animal.keeperId != null) return caller.userId === animal.keeperId;
  return caller.organizationIds.includes(animal.organizationId) && caller.roles.includes(Role.BREEDER);
}
