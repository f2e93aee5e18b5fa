import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { decodeKeyset, encodeKeyset } from '@terrarium/subgraph-kit/cursors';
import type { Page, PageKey } from '../loaders/page.loader.js';

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

export function encodeRowCursor(tag: CursorTag, row: Row): string {
  return encodeKeyset(tag, row.createdAt, row.id);
}

/** A page loader's key: validated size (0..100, BAD_USER_INPUT otherwise) and decoded cursor. */
export function pageKey(
  tag: CursorTag,
  parentId: string,
  first: number | null | undefined,
  after: string | null | undefined,
  fallback: number,
): PageKey {
  return { parentId, size: pageSize(first, fallback), after: decodeKeyset(tag, after, 'date') };
}

export function toPageConnection<T extends Row>(tag: CursorTag, page: Page<T>, size: number): Connection<T> {
  return toConnection(page.rows, size, page.totalCount, (row) => encodeRowCursor(tag, row));
}
