import { BadUserInputError } from '@terrarium/platform/errors';
import { decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { CursorKeys, Page, PageKey } from '../loaders/page.loader.js';

/** Cursor tags: a cursor from one connection is refused by another. */
export const CursorTag = {
  REVIEWS: 'reviews',
  POSTS: 'posts',
  COMMENTS: 'comments',
  REPORTS: 'reports',
} as const;
export type CursorTag = (typeof CursorTag)[keyof typeof CursorTag];

interface Row {
  id: string;
  createdAt: Date;
}

/** Decodes a cursor made by encodeRowCursor: the last row's [createdAt ISO, id]. */
export function decodeRowCursor(tag: CursorTag, cursor: string | null | undefined): CursorKeys | null {
  const keys = decodeCursor(tag, cursor);
  if (keys === null) return null;
  const [createdAt, id] = keys;
  if (keys.length !== 2 || typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt)) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError(`Unknown cursor "${cursor}".`, 'after');
  }
  return [createdAt, id];
}

export function encodeRowCursor(tag: CursorTag, row: Row): string {
  return encodeCursor(tag, [row.createdAt.toISOString(), row.id]);
}

/** A page loader's key: validated size (0..100, BAD_USER_INPUT otherwise) and decoded cursor. */
export function pageKey(tag: CursorTag, parentId: string, first: number | null | undefined, after: string | null | undefined, fallback: number): PageKey {
  return { parentId, size: pageSize(first, fallback), after: decodeRowCursor(tag, after) };
}

export function toPageConnection<T extends Row>(tag: CursorTag, page: Page<T>, size: number): Connection<T> {
  return toConnection(page.rows, size, page.totalCount, (row) => encodeRowCursor(tag, row));
}
