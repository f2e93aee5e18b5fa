import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from './seed-id.js';

/**
 * An id argument: a uuid, returned in lower case (as Postgres prints it, so that comparisons in
 * code agree with SQL), or BAD_USER_INPUT naming the argument; a malformed id never reaches SQL.
 */
export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`"${field}" must be a UUID, got "${value}".`, field);
  return value.toLowerCase();
}

/** requireUuid for an optional argument: null when absent. */
export function optionalUuid(value: string | null | undefined, field: string): string | null {
  return value == null ? null : requireUuid(value, field);
}
