import type { EntityManager } from '@mikro-orm/postgresql';
import { decodeKeyset, encodeKeyset } from '@terrarium/subgraph-kit/cursors';
import type { Interpretation } from '@terrarium/subgraph-kit/phrases';
import { toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { escapeLike, query, type ReadOptions, type SqlParam } from '@terrarium/subgraph-kit/sql';
import type { AnimalEntity } from '../entities/animal.entity.js';
import type { AnimalSearchSort } from '../generated/resolvers.js';
import type { Loaders } from '../loaders/index.js';
import { readAnimalSearchArgs, type AnimalFilters, type AnimalSearchArgs } from './animal-search-input.js';

export interface FacetBucket {
  value: string;
  count: number;
}
export interface AnimalSearchResult extends Connection<AnimalEntity> {
  interpretedAs: Interpretation;
  facets: { field: string; buckets: FacetBucket[] }[];
}

const FLAGS = ['species', 'sex', 'morph', 'genes', 'age', 'price', 'breeder', 'status'] as const;
type Flag = (typeof FLAGS)[number];
const flagsExcept = (skip: Flag | null) =>
  FLAGS.filter((f) => f !== skip)
    .map((f) => `f_${f}`)
    .join(' and ');

/** Sort key (SQL), its type for the cursor, and its direction; a missing value sorts last. */
const SORTS: Record<AnimalSearchSort, { key: string; cast: string; dir: 'asc' | 'desc' }> = {
  NEWEST: { key: 'a.created_at', cast: 'timestamptz', dir: 'desc' },
  PRICE_ASC: { key: 'coalesce(lp.amount, 2147483647)', cast: 'int', dir: 'asc' },
  PRICE_DESC: { key: 'coalesce(lp.amount, -1)', cast: 'int', dir: 'desc' },
  HATCH_DATE: { key: "coalesce(a.hatch_date, '0001-01-01')", cast: 'date', dir: 'desc' },
};

/**
 * The candidates of a search (one CTE): animals whose text (name, morph, genes, species) contains
 * every word, with one boolean column per filter (true when absent); the page takes every flag,
 * each facet every flag but its own. The listing price comes from commerce's reports
 * (listing_price), never from commerce's tables.
 */
function candidatesSql(
  words: string[],
  f: AnimalFilters,
  sort: AnimalSearchSort,
): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [];
  const flag = (on: boolean, condition: string, ...values: SqlParam[]) => {
    if (!on) return 'true';
    params.push(...values);
    return condition;
  };
  const columns = [
    `${flag(f.speciesId !== undefined || f.species !== undefined, '(a.species_id = ?::uuid or lower(sp.common_name) = ?)', f.speciesId ?? '00000000-0000-0000-0000-000000000000', f.species ?? '')} as f_species`,
    `${flag(f.sex !== undefined, 'a.sex = ?', f.sex ?? '')} as f_sex`,
    `${flag(f.morph !== undefined, "lower(coalesce(a.morph, '')) like ?", `%${escapeLike(f.morph ?? '')}%`)} as f_morph`,
    `${flag(f.genes !== undefined, 'animal_genes_lower(a.genes) && array(select jsonb_array_elements_text(?::jsonb))', JSON.stringify(f.genes ?? []))} as f_genes`,
    `${flag(f.minAgeMonths !== undefined || f.maxAgeMonths !== undefined, 'a.hatch_date between current_date - make_interval(months => ?::int) and current_date - make_interval(months => ?::int)', f.maxAgeMonths ?? 1_200, f.minAgeMonths ?? 0)} as f_age`,
    `${flag(f.minPrice !== undefined || f.maxPrice !== undefined, 'lp.amount between ?::int and ?::int', f.minPrice ?? 0, f.maxPrice ?? 2_147_483_647)} as f_price`,
    `${flag(f.breederId !== undefined, 'a.organization_id = ?::uuid', f.breederId ?? '')} as f_breeder`,
    `${flag(f.status !== undefined, 'a.status = ?', f.status ?? '')} as f_status`,
  ];
  // Each word somewhere in the animal's text: `like all` over the patterns (true without words).
  params.push(JSON.stringify(words.map((word) => `%${escapeLike(word)}%`)));
  const sql = `with candidates as (
    select a.id, a.sex, a.morph, sp.common_name as species, ${SORTS[sort].key} as sort_key, ${columns.join(', ')}
      from animal a join species sp on sp.id = a.species_id left join listing_price lp on lp.animal_id = a.id
     where lower(a.name || ' ' || coalesce(a.morph, '') || ' ' || array_to_string(a.genes, ' ') || ' ' || sp.common_name)
           like all (select jsonb_array_elements_text(?::jsonb)))`;
  return { sql, params };
}

/**
 * animalSearch: one statement for the page and total, one for the facets; the animals load by id.
 * All of it tolerates lag: `reads` is the operation's ReadRoute.
 */
export async function searchAnimals(
  em: EntityManager,
  loaders: Loaders,
  args: AnimalSearchArgs,
  reads: ReadOptions = {},
): Promise<AnimalSearchResult> {
  const request = await readAnimalSearchArgs(em, args, reads);
  const { sql, params } = candidatesSql(request.words, request.filters, request.sort);
  const { cast, dir } = SORTS[request.sort];
  const tag = `animalSearch:${request.sort}`;
  const after = decodeKeyset(tag, request.after, 'text');
  const pageParams = [...params];
  let keyset = 'true';
  if (after) {
    keyset = `(m.sort_key ${dir === 'asc' ? '>' : '<'} ?::${cast} or (m.sort_key = ?::${cast} and m.id > ?::uuid))`;
    pageParams.push(after.key, after.key, after.id);
  }
  pageParams.push(request.size + 1);
  const orderBy = `m.sort_key ${dir}, m.id`;
  const [rows, facetRows] = await Promise.all([
    query<{ total: number; id: string | null; sortText: string | null }>(
      em,
      `${sql}, matched as (select * from candidates where ${flagsExcept(null)})
       select t.total, m.id, m.sort_key::text as "sortText"
         from (select count(*)::int as total from matched) t
         left join lateral (select * from matched m where ${keyset} order by ${orderBy} limit ?) m on true
        order by ${orderBy}`,
      pageParams,
      reads,
    ),
    query<{ field: string; value: string; count: number }>(
      em,
      `${sql}
       select 'species' as field, species as value, count(*)::int as count from candidates where ${flagsExcept('species')} group by 2
       union all
       select 'morph', morph, count(*)::int from candidates where morph is not null and ${flagsExcept('morph')} group by 2
       union all
       select 'sex', sex, count(*)::int from candidates where ${flagsExcept('sex')} group by 2`,
      params,
      reads,
    ),
  ]);
  const page = rows.filter((row): row is { total: number; id: string; sortText: string } => row.id !== null);
  const animals = await loaders.animal.loadMany(page.map((row) => row.id));
  const nodes = page.flatMap((row, i) => {
    const animal = animals[i];
    return animal && !(animal instanceof Error) ? [{ animal, sortText: row.sortText }] : [];
  });
  const connection = toConnection(nodes, request.size, rows[0]?.total ?? 0, (node) =>
    encodeKeyset(tag, node.sortText, node.animal.id),
  );
  const facet = (field: string) => ({
    field,
    buckets: facetRows
      .filter((r) => r.field === field)
      .map(({ value, count }) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
  });
  return {
    ...connection,
    edges: connection.edges.map(({ cursor, node }) => ({ cursor, node: node.animal })),
    interpretedAs: request.interpretation,
    facets: [facet('species'), facet('morph'), facet('sex')],
  };
}
