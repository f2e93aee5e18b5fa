import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';

/**
 * CONFLICT naming the product or animal at fault (`extensions.productId` / `extensions.animalId`),
 * so that checkout can tell the shopper which line failed. The kit's ConflictError takes only a
 * message, so the extra fields are added here.
 */
export class ItemConflictError extends ConflictError {
  constructor(message: string, target: { productId: string } | { animalId: string }) {
    super(message);
    Object.assign(this.extensions, target);
  }
}

/** Validates an id argument (ids are UUIDs; a malformed one is a client error, never a 500). */
export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new BadUserInputError(`"${field}" must be a UUID, got "${value}".`, field);
  return value.toLowerCase();
}
