import DataLoader from 'dataloader';
import type { EntitySchema } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Keyset } from '@terrarium/subgraph-kit/cursors';
import { plainRowMapper } from '@terrarium/subgraph-kit/loaders';
import { query, type ReadOptions, type SqlParam } from '@terrarium/subgraph-kit/sql';
import { loadGrouped } from './batch.js';

/** Position after which a page starts: the last row's (createdAt, id). */
export type CursorKeys = Keyset<Date>;

export interface PageKey {
  parentId: string;
  /** Rows wanted; the loader fetches one more to tell whether a next page exists. */
  size: number;
  after: CursorKeys | null;
}

export interface Page<T> {
  /** Up to size + 1 rows, in page order: plain data, not managed entities (pages are only read). */
  rows: T[];
  /** Visible rows under the parent, ignoring the cursor. */
  totalCount: number;
}

export interface PageSpec<T> {
  entity: EntitySchema<T, never>;
  /** Trusted identifiers (constants in this package), never client input. */
  table: string;
  parentColumn: string;
  /** newest first ('desc') or oldest first ('asc'), by (created_at, id). */
  direction: 'asc' | 'desc';
}

/**
 * A page of visible children (reviews of a product, comments of a post...) for many parents in
 * one SQL statement: a lateral LIMIT per parent rides the (parent, created_at, id) index, and a
 * lateral count gives each parent's totalCount. Keys with different sizes or cursors run as
 * separate statements (rare: a list of products asks for the same first page of each). `reads`:
 * the operation's ReadRoute for children that tolerate lag (reviews), read when a batch runs.
 */
export function createPageLoader<T extends object>(
  em: EntityManager,
  spec: PageSpec<T>,
  reads: ReadOptions = {},
): DataLoader<PageKey, Page<T>, string> {
  const { table, parentColumn: parent, direction } = spec;
  const after = direction === 'desc' ? '<' : '>';
  return new DataLoader<PageKey, Page<T>, string>(
    (keys) =>
      loadGrouped(
        keys,
        (key) => JSON.stringify([key.size, key.after]),
        async (group) => {
          const { size, after: cursor } = group[0]!;
          const ids = group.map((key) => key.parentId);
          const sql = `
          select p.page_parent, c.page_total, x.*
          from unnest(array[?]::uuid[]) as p(page_parent)
          cross join lateral (
            select count(*)::int as page_total from ${table} t where t.${parent} = p.page_parent and t.hidden_at is null
          ) c
          left join lateral (
            select t.* from ${table} t
            where t.${parent} = p.page_parent and t.hidden_at is null
              ${cursor ? `and (t.created_at, t.id) ${after} (?::timestamptz, ?::uuid)` : ''}
            order by t.created_at ${direction}, t.id ${direction}
            limit ?
          ) x on true`;
          const params: SqlParam[] = [ids, ...(cursor ? [cursor.key, cursor.id] : []), size + 1];
          const rows = await query<Record<string, unknown>>(em, sql, params, reads);
          const toData = plainRowMapper(em, spec.entity);
          const pages = new Map<string, Page<T>>(ids.map((id) => [id, { rows: [], totalCount: 0 }]));
          for (const { page_parent, page_total, ...row } of rows) {
            const page = pages.get(page_parent as string)!;
            page.totalCount = page_total as number;
            // A parent without (further) rows comes back once, with every x column null.
            if (row['id'] != null) page.rows.push(toData(row));
          }
          return ids.map((id) => pages.get(id)!);
        },
      ),
    { cacheKeyFn: (key) => JSON.stringify([key.parentId, key.size, key.after]) },
  );
}
