import { BadUserInputError } from '@terrarium/platform/errors';
import { decodeCursor, encodeCursor } from '@terrarium/subgraph-kit/pagination';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';

/** Connections here page newest first by (timestamp, id); a cursor carries both. */
export interface Keyset {
  at: Date;
  id: string;
}

export function decodeKeyset(tag: string, after: string | null | undefined): Keyset | null {
  const keys = decodeCursor(tag, after);
  if (!keys) return null;
  const [at, id] = keys;
  if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id) || Number.isNaN(Date.parse(at))) {
    throw new BadUserInputError(`Unknown cursor "${after}".`, 'after');
  }
  return { at: new Date(at), id };
}

export function encodeKeyset(tag: string, at: Date, id: string): string {
  return encodeCursor(tag, [at.toISOString(), id]);
}

/** The MikroORM condition "strictly after the cursor" for a (field desc, id desc) order. */
export function olderThan<F extends string>(field: F, keyset: Keyset) {
  return { $or: [{ [field]: { $lt: keyset.at } }, { [field]: keyset.at, id: { $lt: keyset.id } }] };
}
