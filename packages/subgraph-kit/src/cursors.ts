import { BadUserInputError } from '@terrarium/platform/errors';
import { decodeCursor, encodeCursor } from './pagination.js';
import { isUuid } from './seed-id.js';

/**
 * Keyset cursors: the last row's sort key and its id (the tie-break), so a page costs the same
 * however deep it is. Built on the kit's tagged opaque cursors (pagination.ts); every subgraph
 * decodes them here, so a malformed or foreign cursor is the same BAD_USER_INPUT everywhere.
 */

/** The sort key's type: a timestamp, a text column or a number (a search rank). */
export type KeysetKind = 'date' | 'text' | 'number';
type KeyOf<K extends KeysetKind> = K extends 'date' ? Date : K extends 'number' ? number : string;

export interface Keyset<T> {
  key: T;
  id: string;
}

export function encodeKeyset(tag: string, key: Date | string | number, id: string): string {
  return encodeCursor(tag, [key instanceof Date ? key.toISOString() : key, id]);
}

function decodeKey(kind: KeysetKind, raw: string | number | undefined): Date | string | number | undefined {
  if (kind === 'number') return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  // Postgres text cannot hold NUL, so such a key would fail in SQL rather than name a row.
  if (kind === 'text') return raw.includes('\u0000') ? undefined : raw;
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The position `cursor` names, null without one; BAD_USER_INPUT (on `after`) when malformed. */
export function decodeKeyset<K extends KeysetKind>(
  tag: string,
  cursor: string | null | undefined,
  kind: K,
): Keyset<KeyOf<K>> | null {
  const keys = decodeCursor(tag, cursor);
  if (keys === null) return null;
  const [raw, id] = keys;
  const key = decodeKey(kind, raw);
  if (keys.length !== 2 || key === undefined || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError(`Unknown cursor "${cursor}".`, 'after');
  }
  return { key: key as KeyOf<K>, id: id.toLowerCase() };
}

/** The MikroORM condition "strictly after `keyset`" for an `(field desc, id desc)` order. */
export function olderThan<F extends string>(field: F, keyset: Keyset<Date>) {
  return { $or: [{ [field]: { $lt: keyset.key } }, { [field]: keyset.key, id: { $lt: keyset.id } }] };
}

/** The MikroORM condition "strictly after `keyset`" for an `(field asc, id asc)` order. */
export function newerThan<F extends string>(field: F, keyset: Keyset<Date>) {
  return { $or: [{ [field]: { $gt: keyset.key } }, { [field]: keyset.key, id: { $gt: keyset.id } }] };
}

/**
 * One page of a `matched` relation (a CTE the caller defines, with columns `id` and `sort_key`)
 * after a keyset cursor, plus the total of every matched row, in one statement: the rows come back
 * as `m.*`, `total` and `"sortText"` (the sort key in Postgres' own text form, which casts back to
 * the same value: a real's shortest exact decimal, a timestamp's microseconds; the cursor carries
 * it). Rows strictly after `after` in the page's order, the id breaking ties; `size + 1` rows, so
 * that the caller can tell whether there is a next page. With an empty page the lateral join
 * still yields the total, on one row of nulls. Append `params` after the CTEs' own.
 */
export function keysetPageSql(options: {
  after: Keyset<string> | null;
  /** The SQL type of sort_key, which the cursor's text form is cast back to. */
  cast: string;
  direction: 'asc' | 'desc';
  size: number;
}): { sql: string; params: (string | number)[] } {
  const { after, cast, direction, size } = options;
  const params: (string | number)[] = [];
  let keyset = 'true';
  if (after) {
    keyset = `(m.sort_key ${direction === 'asc' ? '>' : '<'} ?::${cast} or (m.sort_key = ?::${cast} and m.id > ?::uuid))`;
    params.push(after.key, after.key, after.id);
  }
  const orderBy = `m.sort_key ${direction}, m.id`;
  params.push(size + 1);
  const sql = `select t.total, m.*, m.sort_key::text as "sortText"
      from (select count(*)::int as total from matched) t
      left join lateral (select * from matched m where ${keyset} order by ${orderBy} limit ?) m on true
     order by ${orderBy}`;
  return { sql, params };
}
