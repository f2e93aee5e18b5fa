import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeKeyset, encodeKeyset } from '@terrarium/subgraph-kit/cursors';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Cache } from '@terrarium/subgraph-kit/cache';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { ProductRecord } from '../entities/product.entity.js';
import { checkText } from './input.js';
import { cachedList } from './list-cache.js';
import { PRODUCT_COLUMNS } from './columns.js';
import { query, type SqlParam } from '@terrarium/subgraph-kit/sql';

/** Longest accepted search text. @default 200 characters */
export const MAX_SEARCH_LENGTH = 200;

export interface ProductListArgs {
  search?: string | null;
  /** Restricts to a category and its descendants, by slug (Query.products) or id (Category.products). */
  category?: { slug: string } | { id: string } | null;
  first?: number | null;
  after?: string | null;
}

/** The two orders a list can have; each has its own cursor shape and tag. */
type Order = 'rank' | 'name';
const CURSOR_TAG: Record<Order, string> = { rank: 'products:rank', name: 'products:name' };

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type ListRow = ProductRecord & { totalCount: number; rank?: number };

/**
 * A page of products, cached per list version (see list-cache.ts). On a miss this costs exactly
 * one SQL statement: the page and the total come from one query, so that a page past the end
 * still reports totalCount. Each row carries the rating of products' search read model
 * (product_signal), which the list fields provide as Product.averageRating (schema.graphql), so
 * that a list page is not one more fetch to community; recordRatings bumps the list version.
 */
export async function listProducts(
  em: EntityManager,
  cache: Cache,
  args: ProductListArgs,
): Promise<Connection<ProductRecord>> {
  const size = pageSize(args.first);
  const search =
    args.search == null ? null : checkText(args.search, 'search', MAX_SEARCH_LENGTH).trim() || null;
  const order: Order = search ? 'rank' : 'name';
  const after = parseCursor(order, args.after);
  const category = args.category ?? null;
  if (category && 'id' in category && !isUuid(category.id))
    throw new BadUserInputError('Invalid category id.', 'id');
  // The table's check constraint admits only such slugs: any other names no category.
  if (category && 'slug' in category && !SLUG.test(category.slug))
    return { edges: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: 0 };
  return cachedList(cache, 'list', { search, category, size, after }, () =>
    fetchPage(em, { search, category, size, after, order }),
  );
}

/** Decodes `after` for this order: [rank, id] or [name, id]; anything else is BAD_USER_INPUT. */
function parseCursor(order: Order, after: string | null | undefined): [number | string, string] | null {
  const keyset =
    order === 'rank'
      ? decodeKeyset(CURSOR_TAG.rank, after, 'number')
      : decodeKeyset(CURSOR_TAG.name, after, 'text');
  return keyset && [keyset.key, keyset.id];
}

interface PageQuery {
  search: string | null;
  category: ProductListArgs['category'];
  size: number;
  after: [number | string, string] | null;
  order: Order;
}

async function fetchPage(em: EntityManager, q: PageQuery): Promise<Connection<ProductRecord>> {
  const params: SqlParam[] = [];
  const ctes: string[] = [];
  const filters: string[] = [];

  if (q.category) {
    // The category and all its descendants; `union` (not `union all`) stops on a cycle.
    const [column, value, cast] =
      'id' in q.category ? ['id', q.category.id, '::uuid'] : ['slug', q.category.slug, ''];
    ctes.push(`scope as (
      select c.id from category c where c.${column} = ?${cast}
      union
      select c.id from category c join scope s on c.parent_id = s.id)`);
    params.push(value);
    filters.push('p.category_id in (select id from scope)');
  }

  if (q.search) {
    ctes.push(`matched as (
      select ${PRODUCT_COLUMNS}, ts_rank(p.search_vector, q.query) as rank
        from product p cross join websearch_to_tsquery('english', ?) as q(query)
       where p.search_vector @@ q.query ${filters.map((f) => `and ${f}`).join(' ')})`);
    params.push(q.search);
  } else {
    ctes.push(
      `matched as (select ${PRODUCT_COLUMNS} from product p ${filters.length ? `where ${filters.join(' and ')}` : ''})`,
    );
  }

  // Keyset: rows strictly after the cursor's sort keys, in the same order as the page.
  // ts_rank is a float4; the cursor carries its shortest decimal form, which casts back to the
  // same float4 only as ::real (as float8 it would differ, and ties would repeat or vanish).
  let keyset = 'true';
  if (q.after && q.order === 'rank') {
    keyset = '(m.rank < ?::real or (m.rank = ?::real and m.id > ?::uuid))';
    params.push(q.after[0], q.after[0], q.after[1]);
  } else if (q.after) {
    keyset = '(m.name, m.id) > (?, ?::uuid)';
    params.push(q.after[0], q.after[1]);
  }
  const orderBy = q.order === 'rank' ? 'm.rank desc, m.id' : 'm.name, m.id';
  params.push(q.size + 1);

  const rows = await query<ListRow>(
    em,
    `with recursive ${ctes.join(',\n')}
     select t.total as "totalCount", m.*, s.rating_average::float8 as "averageRating"
       from (select count(*)::int as total from matched) t
       left join lateral (select * from matched m where ${keyset} order by ${orderBy} limit ?) m on true
       left join product_signal s on s.product_id = m.id
      order by ${orderBy}`,
    params,
  );

  const totalCount = rows[0]?.totalCount ?? 0;
  // With an empty page the lateral join still yields the total, on one row of nulls.
  const page = rows.filter((row) => row.id !== null);
  const cursorOf = (row: ListRow) =>
    encodeKeyset(CURSOR_TAG[q.order], q.order === 'rank' ? (row.rank ?? 0) : row.name, row.id);
  const connection = toConnection(page, q.size, totalCount, cursorOf);
  return {
    ...connection,
    edges: connection.edges.map(({ cursor, node }) => ({ cursor, node: toRecord(node) })),
  };
}

/** Drops the list's bookkeeping columns so that only the product is cached and served. */
function toRecord({ totalCount: _total, rank: _rank, ...product }: ListRow): ProductRecord {
  return product;
}
