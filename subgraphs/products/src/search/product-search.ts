import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeKeyset, encodeKeyset, keysetPageSql } from '@terrarium/subgraph-kit/cursors';
import type { Interpretation } from '@terrarium/subgraph-kit/phrases';
import { toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { query, queryOne, type ReadOptions, type SqlParam } from '@terrarium/subgraph-kit/sql';
import type { ProductRecord } from '../entities/product.entity.js';
import { didYouMean } from './did-you-mean.js';
import { searchFacets, type Facet } from './facets.js';
import { readSearchArgs, type SearchArgs, type SearchRequest } from './search-input.js';
import { ALL_FLAGS, candidatesSql, isAscending, sortCast, type MatchMode } from './search-sql.js';

/**
 * Full text finding fewer products than this also matches by trigram similarity, and suggests a
 * correction. @default 3
 */
export const FUZZY_BELOW = 3;

export interface ProductSearchResult extends Connection<ProductRecord> {
  interpretedAs: Interpretation;
  didYouMean: string | null;
  facets: Facet[];
}

type Row = ProductRecord & {
  total: number;
  sortText: string | null;
  available: number | null;
  rank: number;
  sort_key: unknown;
} & Record<`f_${string}`, boolean>;

/**
 * productSearch: reads the text (search-input.ts), picks the match mode, then one statement for
 * the page and its total, one for the facets and, for a fuzzy match, one for "did you mean".
 * Not cached: the stock and rating filters change with every report of their owners. Every
 * statement tolerates lag (`reads`: the operation's ReadRoute), so a replica may answer them.
 */
export async function searchProducts(
  em: EntityManager,
  args: SearchArgs,
  reads: ReadOptions = {},
): Promise<ProductSearchResult> {
  const request = readSearchArgs(args);
  const mode = await matchMode(em, request.text, reads);
  const { ctes, params } = candidatesSql(request.text, mode, request.filters, request.sort);
  const forFacets = candidatesSql(request.text, mode, request.filters, request.sort, 'facets');
  const [page, facets, suggestion] = await Promise.all([
    fetchPage(em, request, mode, ctes, params, reads),
    searchFacets(em, forFacets.ctes, forFacets.params, reads),
    mode === 'fuzzy' ? didYouMean(em, request.text, args.text, reads) : null,
  ]);
  return { ...page, interpretedAs: request.interpretation, didYouMean: suggestion, facets };
}

export async function matchMode(
  em: EntityManager,
  text: string,
  reads: ReadOptions = {},
): Promise<MatchMode> {
  if (text === '') return 'all';
  const found = await queryOne<{ hits: number }>(
    em,
    `select count(*)::int as hits from (select 1 from product p where p.search_vector @@ websearch_to_tsquery('english', ?) limit ?) f`,
    [text, FUZZY_BELOW],
    reads,
  );
  return (found?.hits ?? 0) < FUZZY_BELOW ? 'fuzzy' : 'fulltext';
}

/** The page statement (rows after the cursor plus the total) and its parameters; the EXPLAIN test reads it too. */
export function pageStatement(
  request: SearchRequest,
  mode: MatchMode,
  ctes: string,
  candidateParams: readonly SqlParam[],
): { sql: string; params: SqlParam[]; tag: string } {
  // One cursor shape per sort and mode: a cursor of another order is refused, not misread.
  const tag = `productSearch:${request.sort}:${mode === 'all' ? 'all' : 'text'}`;
  const after = decodeKeyset(tag, request.after, 'text');
  const cast = sortCast(request.sort, mode);
  const direction = isAscending(request.sort, mode) ? 'asc' : 'desc';
  const page = keysetPageSql({ after, cast, direction, size: request.size });
  const sql = `${ctes}, matched as (select * from candidates where ${ALL_FLAGS})
     ${page.sql}`;
  const params = [...candidateParams, ...page.params];
  return { sql, params, tag };
}

async function fetchPage(
  em: EntityManager,
  request: SearchRequest,
  mode: MatchMode,
  ctes: string,
  candidateParams: SqlParam[],
  reads: ReadOptions,
): Promise<Connection<ProductRecord>> {
  const { sql, params, tag } = pageStatement(request, mode, ctes, candidateParams);
  const rows = await query<Row>(em, sql, params, reads);
  const totalCount = rows[0]?.total ?? 0;
  // With an empty page the lateral join still yields the total, on one row of nulls.
  const page = rows.filter((row) => row.id !== null);
  const connection = toConnection(page, request.size, totalCount, (row) =>
    encodeKeyset(tag, row.sortText ?? '', row.id),
  );
  return {
    ...connection,
    edges: connection.edges.map(({ cursor, node }) => ({ cursor, node: toRecord(node) })),
  };
}

/** Only the product travels on: the search's bookkeeping columns stay here. */
function toRecord(row: Row): ProductRecord {
  const {
    id,
    sku,
    slug,
    name,
    description,
    priceAmount,
    priceCurrency,
    categoryId,
    createdById,
    createdAt,
    updatedAt,
  } = row;
  return {
    id,
    sku,
    slug,
    name,
    description,
    priceAmount,
    priceCurrency,
    categoryId,
    createdById,
    createdAt,
    updatedAt,
  };
}
