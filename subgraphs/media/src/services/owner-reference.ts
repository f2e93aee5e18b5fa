import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';

/** A Product, Animal, Organization or Post as media knows it: only its id. */
export interface OwnerReference {
  id: string;
}

/** Validates a representation's id, so that a malformed one is BAD_USER_INPUT, not a SQL error. */
export function ownerReference(representation: { id: string }): OwnerReference {
  if (!isUuid(representation.id))
    throw new BadUserInputError(`"${representation.id}" is not a valid id.`, 'id');
  return { id: representation.id };
}
