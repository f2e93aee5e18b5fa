import type { Role } from '@terrarium/platform/caller';

/** Roles are stored, returned and put in tokens in this order, without duplicates. */
const ROLE_ORDER: readonly Role[] = ['STAFF', 'BREEDER', 'KEEPER'];

export function canonicalRoles(roles: readonly Role[]): Role[] {
  return ROLE_ORDER.filter((role) => roles.includes(role));
}
