import { ConflictError } from '@terrarium/platform/errors';

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
