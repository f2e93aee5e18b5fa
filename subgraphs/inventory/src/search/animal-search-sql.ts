import { decodeKeyset, keysetPageSql } from '@terrarium/subgraph-kit/cursors';
import { escapeLike, type SqlParam } from '@terrarium/subgraph-kit/sql';
import type { AnimalSearchSort } from '../generated/resolvers.js';
import type { AnimalFilters, AnimalSearchRequest } from './animal-search-input.js';

/**
 * The species a search names, resolved to ids before its statements run (animal-search.ts): the
 * statements then compare `species_id` with constants, which the planner estimates from the
 * column's statistics (a rare species is read through its index, a common one by a scan), where a
 * subquery over species would be priced as a guess and hide the text's index behind an OR.
 */
export interface SpeciesMatches {
  /** The species filter's ids (by id or common name); undefined without a species filter. */
  filter?: string[];
  /** Per word, in order: the species whose lower-case common name contains it. */
  words: string[][];
}

/** Each word as a LIKE pattern: anywhere, its metacharacters literal. */
export const wordPatterns = (words: string[]): string[] => words.map((word) => `%${escapeLike(word)}%`);

/** A piece of SQL with the parameters of its `?`, in order. */
interface Fragment {
  sql: string;
  params: SqlParam[];
}

type Filter = 'species' | 'sex' | 'morph' | 'genes' | 'age' | 'price' | 'breeder' | 'status';
/** Counted per value: a facet's rows pass every filter but its own. */
const FACETS = ['species', 'morph', 'sex'] as const satisfies readonly Filter[];
type Facet = (typeof FACETS)[number];
const isFacet = (filter: Filter): filter is Facet => (FACETS as readonly Filter[]).includes(filter);

/** Sort key (SQL), its type for the cursor, and its direction; a missing value sorts last. */
const SORTS: Record<AnimalSearchSort, { key: string; cast: string; dir: 'asc' | 'desc' }> = {
  NEWEST: { key: 'a.created_at', cast: 'timestamptz', dir: 'desc' },
  PRICE_ASC: { key: 'coalesce(lp.amount, 2147483647)', cast: 'int', dir: 'asc' },
  PRICE_DESC: { key: 'coalesce(lp.amount, -1)', cast: 'int', dir: 'desc' },
  HATCH_DATE: { key: "coalesce(a.hatch_date, '0001-01-01')", cast: 'date', dir: 'desc' },
};

/**
 * Each active filter as a condition on `a` (animal) and `lp` (listing_price), written so that an
 * index serves it when it is selective (migration 20261218120000 lists them). The listing price
 * comes from commerce's reports (listing_price), never from commerce's tables.
 */
function filterConditions(f: AnimalFilters, species: SpeciesMatches): Map<Filter, Fragment> {
  const conditions = new Map<Filter, Fragment>();
  const add = (filter: Filter, sql: string, ...params: SqlParam[]) => conditions.set(filter, { sql, params });
  // No species of that id or name: nothing matches (and an empty `in ()` is not SQL).
  if (species.filter?.length === 0) add('species', 'false');
  else if (species.filter !== undefined) add('species', 'a.species_id in (?)', species.filter);
  if (f.sex !== undefined) add('sex', 'a.sex = ?', f.sex);
  if (f.morph !== undefined) add('morph', "lower(coalesce(a.morph, '')) like ?", `%${escapeLike(f.morph)}%`);
  if (f.genes !== undefined)
    add(
      'genes',
      'animal_genes_lower(a.genes) && array(select jsonb_array_elements_text(?::jsonb))',
      JSON.stringify(f.genes),
    );
  if (f.minAgeMonths !== undefined || f.maxAgeMonths !== undefined)
    add(
      'age',
      'a.hatch_date between current_date - make_interval(months => ?::int) and current_date - make_interval(months => ?::int)',
      f.maxAgeMonths ?? 1_200,
      f.minAgeMonths ?? 0,
    );
  if (f.minPrice !== undefined || f.maxPrice !== undefined)
    add('price', 'lp.amount between ?::int and ?::int', f.minPrice ?? 0, f.maxPrice ?? 2_147_483_647);
  if (f.breederId !== undefined) add('breeder', 'a.organization_id = ?::uuid', f.breederId);
  if (f.status !== undefined) add('status', 'a.status = ?', f.status);
  return conditions;
}

/**
 * Every word somewhere in the animal's text (name, morph, genes) or in its species' common name.
 * A word has no whitespace, so it is inside one of those parts exactly when it is inside the
 * parts joined by spaces (the text the search has always matched): per part is the same answer,
 * and lets the trigram index on search_text (a stored column) serve the words, OR'd with the
 * species index.
 */
function textConditions(words: string[], species: SpeciesMatches): Fragment[] {
  return wordPatterns(words).map((pattern, i) => {
    const ids = species.words[i] ?? [];
    return ids.length > 0
      ? {
          sql: '(a.search_text like ? or a.species_id in (?))',
          params: [pattern, ids],
        }
      : { sql: 'a.search_text like ?', params: [pattern] };
  });
}

/** `a and b and ...` with the parameters in the same order; `true` for none. */
function and(fragments: Fragment[]): Fragment {
  if (fragments.length === 0) return { sql: 'true', params: [] };
  return { sql: fragments.map((f) => f.sql).join(' and '), params: fragments.flatMap((f) => f.params) };
}

/**
 * The page (rows after the cursor) and the total, in one statement. Every active filter and the
 * text go into one WHERE, where the planner can serve the selective ones by their indexes; the
 * EXPLAIN test (test/animal-search-plans.test.ts) reads this statement.
 */
export function pageStatement(
  request: AnimalSearchRequest,
  species: SpeciesMatches,
): { sql: string; params: SqlParam[]; tag: string } {
  const where = and([
    ...textConditions(request.words, species),
    ...filterConditions(request.filters, species).values(),
  ]);
  const { key, cast, dir } = SORTS[request.sort];
  // One cursor shape per sort: a cursor of another order is refused, not misread.
  const tag = `animalSearch:${request.sort}`;
  const after = decodeKeyset(tag, request.after, 'text');
  const page = keysetPageSql({ after, cast, direction: dir, size: request.size });
  const sql = `with matched as (
      select a.id, ${key} as sort_key
        from animal a left join listing_price lp on lp.animal_id = a.id
       where ${where.sql})
    ${page.sql}`;
  const params = [...where.params, ...page.params];
  return { sql, params, tag };
}

/**
 * The facet counts: species, morph and sex, each over the rows that pass every filter but its
 * own. So only the other filters (genes, age, price, breeder, status) and the text go into the
 * WHERE of the candidates; the facets' own filters stay columns (`f_species`, ...; true when
 * absent) that each count reads but its own. One pass over the candidates for the three counts:
 * a WHERE per count would let two of them use a facet filter's index, but reads the table three
 * times when nothing is selective, and measured slower on 50,000 animals.
 */
export function facetStatement(
  request: AnimalSearchRequest,
  species: SpeciesMatches,
): { sql: string; params: SqlParam[] } {
  const conditions = filterConditions(request.filters, species);
  const flags = FACETS.map((facet) => conditions.get(facet) ?? { sql: 'true', params: [] });
  const where = and([
    ...textConditions(request.words, species),
    ...[...conditions].filter(([filter]) => !isFacet(filter)).map(([, condition]) => condition),
  ]);
  const others = (skip: Facet) =>
    FACETS.filter((facet) => facet !== skip)
      .map((facet) => `f_${facet}`)
      .join(' and ');
  // The select list binds before the WHERE: the flags' parameters come first.
  const sql = `with candidates as (
      select a.sex, a.morph, sp.common_name as species, ${flags.map((flag, i) => `${flag.sql} as f_${FACETS[i]}`).join(', ')}
        from animal a join species sp on sp.id = a.species_id left join listing_price lp on lp.animal_id = a.id
       where ${where.sql})
    select 'species' as field, species as value, count(*)::int as count from candidates where ${others('species')} group by 2
    union all
    select 'morph', morph, count(*)::int from candidates where morph is not null and ${others('morph')} group by 2
    union all
    select 'sex', sex, count(*)::int from candidates where ${others('sex')} group by 2`;
  return { sql, params: [...flags.flatMap((flag) => flag.params), ...where.params] };
}
