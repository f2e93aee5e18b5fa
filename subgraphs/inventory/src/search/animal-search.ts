import type { EntityManager } from '@mikro-orm/postgresql';
import { encodeKeyset } from '@terrarium/subgraph-kit/cursors';
import type { Interpretation } from '@terrarium/subgraph-kit/phrases';
import { toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { query, type ReadOptions } from '@terrarium/subgraph-kit/sql';
import type { AnimalEntity } from '../entities/animal.entity.js';
import type { Loaders } from '../loaders/index.js';
import {
  readAnimalSearchArgs,
  type AnimalSearchArgs,
  type AnimalSearchRequest,
} from './animal-search-input.js';
import { facetStatement, pageStatement, wordPatterns, type SpeciesMatches } from './animal-search-sql.js';

export interface FacetBucket {
  value: string;
  count: number;
}
export interface AnimalSearchResult extends Connection<AnimalEntity> {
  interpretedAs: Interpretation;
  facets: { field: string; buckets: FacetBucket[] }[];
}

/**
 * The species the search names, by id: the species filter (its id or common name, either
 * matching) and, per word, the species whose lower-case common name contains it (the word then
 * also matches their animals). One small statement over the species table, run before the
 * search's statements so that they carry the ids as constants (see SpeciesMatches).
 */
export async function resolveSpecies(
  em: EntityManager,
  request: AnimalSearchRequest,
  reads: ReadOptions = {},
): Promise<SpeciesMatches> {
  const { words, filters } = request;
  const bySpecies = filters.speciesId !== undefined || filters.species !== undefined;
  if (!bySpecies && words.length === 0) return { words: [] };
  // Row 0 is the filter; rows 1..n the words, in order (ordinality counts from 1).
  const rows = await query<{ ord: number; id: string }>(
    em,
    `select 0 as ord, id from species where ? and (id = ?::uuid or lower(common_name) = ?)
     union all
     select p.ord::int, s.id from jsonb_array_elements_text(?::jsonb) with ordinality as p(pattern, ord)
       join species s on lower(s.common_name) like p.pattern`,
    [
      bySpecies,
      filters.speciesId ?? '00000000-0000-0000-0000-000000000000',
      filters.species ?? '',
      JSON.stringify(wordPatterns(words)),
    ],
    reads,
  );
  const ids = (ord: number) => rows.filter((row) => row.ord === ord).map((row) => row.id);
  return {
    ...(bySpecies ? { filter: ids(0) } : {}),
    words: words.map((_, i) => ids(i + 1)),
  };
}

/**
 * animalSearch: the species it names resolved, then one statement for the page and total and one
 * for the facets (animal-search-sql.ts); the animals load by id. All of it tolerates lag: `reads`
 * is the operation's ReadRoute.
 */
export async function searchAnimals(
  em: EntityManager,
  loaders: Loaders,
  args: AnimalSearchArgs,
  reads: ReadOptions = {},
): Promise<AnimalSearchResult> {
  const request = await readAnimalSearchArgs(em, args, reads);
  const species = await resolveSpecies(em, request, reads);
  const page = pageStatement(request, species);
  const facets = facetStatement(request, species);
  const [rows, facetRows] = await Promise.all([
    query<{ total: number; id: string | null; sortText: string | null }>(em, page.sql, page.params, reads),
    query<{ field: string; value: string; count: number }>(em, facets.sql, facets.params, reads),
  ]);
  // With an empty page the lateral join still yields the total, on one row of nulls.
  const found = rows.filter((row): row is { total: number; id: string; sortText: string } => row.id !== null);
  const animals = await loaders.animal.loadMany(found.map((row) => row.id));
  const nodes = found.flatMap((row, i) => {
    const animal = animals[i];
    return animal && !(animal instanceof Error) ? [{ animal, sortText: row.sortText }] : [];
  });
  const connection = toConnection(nodes, request.size, rows[0]?.total ?? 0, (node) =>
    encodeKeyset(page.tag, node.sortText, node.animal.id),
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
