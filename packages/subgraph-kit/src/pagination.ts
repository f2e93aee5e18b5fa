import { BadUserInputError } from '@terrarium/platform/errors';

/** Largest page a client may ask for. @default 100 */
export const MAX_PAGE_SIZE = 100;

/** Validates `first`: an integer from 0 to MAX_PAGE_SIZE (BAD_USER_INPUT otherwise). */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError(`"first" must be between 0 and ${MAX_PAGE_SIZE}, got ${size}.`, 'first');
  }
  return size;
}

/**
 * Opaque cursors: base64url of a JSON tuple of the sort keys of the edge's node, tagged so that
 * a cursor from another connection is refused rather than misread.
 */
export function encodeCursor(tag: string, keys: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([tag, ...keys])).toString('base64url');
}

export function decodeCursor(tag: string, cursor: string | null | undefined): (string | number)[] | null {
  if (cursor == null) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed[0] === tag &&
      parsed.slice(1).every((k) => typeof k === 'string' || typeof k === 'number')
    ) {
      return parsed.slice(1) as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw new BadUserInputError(`Unknown cursor "${cursor}".`, 'after');
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/**
 * Builds a Relay connection from `size + 1` fetched rows: the extra row only tells that a next
 * page exists.
 */
export function toConnection<T>(
  rows: T[],
  size: number,
  totalCount: number,
  cursorOf: (row: T) => string,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount,
  };
}
