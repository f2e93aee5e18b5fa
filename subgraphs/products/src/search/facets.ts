import type { EntityManager } from '@mikro-orm/postgresql';
import { query, type ReadOptions, type SqlParam } from '@terrarium/subgraph-kit/sql';
import { flagsExcept } from './search-sql.js';

export interface FacetBucket {
  value: string;
  count: number;
}

export interface Facet {
  field: string;
  buckets: FacetBucket[];
}

/**
 * Price bands' lower bounds, in minor units (EUR cents): 0-1000, 1000-2500, ..., 10000-. A bucket
 * is named after its bounds so that a client can turn it into minPrice/maxPrice.
 */
export const PRICE_BANDS = [0, 1_000, 2_500, 5_000, 10_000] as const;

const bandName = (i: number) => `${PRICE_BANDS[i]}-${PRICE_BANDS[i + 1] ?? ''}`;
const BAND_SQL = `case ${PRICE_BANDS.slice(1)
  .map((upper, i) => `when "priceAmount" < ${upper} then '${bandName(i)}'`)
  .join(' ')} else '${bandName(PRICE_BANDS.length - 1)}' end`;
const BAND_ORDER = new Map(PRICE_BANDS.map((_, i) => [bandName(i), i]));

/**
 * The facets of a search in one statement over its candidates (see candidatesSql): each facet
 * counts the rows that pass every other active filter, so that choosing a bucket shows what it
 * would yield. Empty buckets are left out. Categories are the products' own (leaf) categories.
 */
export async function searchFacets(
  em: EntityManager,
  ctes: string,
  params: SqlParam[],
  reads: ReadOptions = {},
): Promise<Facet[]> {
  const rows = await query<{ field: string; value: string; count: number }>(
    em,
    `${ctes}
     select 'category' as field, c.slug as value, count(*)::int as count
       from candidates m join category c on c.id = m."categoryId"
      where ${flagsExcept('category')} group by c.slug
     union all
     select 'price', ${BAND_SQL}, count(*)::int from candidates where ${flagsExcept('price')} group by 2
     union all
     select 'availability', case when coalesce(available, 0) > 0 then 'IN_STOCK' else 'OUT_OF_STOCK' end, count(*)::int
       from candidates where ${flagsExcept('stock')} group by 2`,
    params,
    reads,
  );
  const of = (field: string) =>
    rows.filter((row) => row.field === field).map(({ value, count }) => ({ value, count }));
  return [
    {
      field: 'category',
      buckets: of('category').sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    },
    {
      field: 'price',
      buckets: of('price').sort((a, b) => BAND_ORDER.get(a.value)! - BAND_ORDER.get(b.value)!),
    },
    { field: 'availability', buckets: of('availability').sort((a) => (a.value === 'IN_STOCK' ? -1 : 1)) },
  ];
}
