import { Role, isStaff, requireOrganizationMember, type Caller } from '@terrarium/platform/caller';
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
