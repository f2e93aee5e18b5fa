import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Cache } from '@terrarium/subgraph-kit/cache';
import { pageSize } from '@terrarium/subgraph-kit/pagination';
import type { SearchCounts } from '../search/search-counts.js';
import { checkText } from './input.js';
import { cachedList } from './list-cache.js';
import { escapeLike, query } from '@terrarium/subgraph-kit/sql';

/** Longest accepted autocomplete prefix. @default 64 characters */
export const MAX_PREFIX_LENGTH = 64;

/**
 * Autocomplete, ranked by popularity as well as by prefix: first what shoppers search most that
 * completes the prefix (popularSearches' counts, which only hold searches that found something,
 * under their corrections), in up to half of the slots; then product names. Popular queries are
 * what shoppers mean; names fill the rest and cover what nobody has searched yet. One entry per
 * text, whatever its letter case.
 */
export async function suggestSearches(
  em: EntityManager,
  cache: Cache,
  searchCounts: SearchCounts,
  prefix: string,
  first: number | null | undefined,
): Promise<string[]> {
  const text = checkText(prefix, 'prefix', MAX_PREFIX_LENGTH).trim();
  const size = pageSize(first, 8);
  if (text.length === 0 || size === 0) return suggestProductNames(em, cache, prefix, first);
  const [popular, names] = await Promise.all([
    searchCounts.startingWith(em, text, Math.ceil(size / 2)),
    suggestProductNames(em, cache, prefix, size),
  ]);
  const seen = new Set<string>();
  const suggestions: string[] = [];
  for (const suggestion of [...popular, ...names]) {
    const key = suggestion.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    suggestions.push(suggestion);
  }
  return suggestions.slice(0, size);
}

/**
 * Product names (distinct case-insensitively) with a word starting with `prefix`, names that
 * start with it first, then alphabetically. ILIKE with a leading wildcard is served by the
 * trigram index on name (product_name_trgm_idx). Cached per list version.
 */
async function suggestProductNames(
  em: EntityManager,
  cache: Cache,
  prefix: string,
  first: number | null | undefined,
): Promise<string[]> {
  const text = checkText(prefix, 'prefix', MAX_PREFIX_LENGTH).trim();
  if (text.length === 0)
    throw new BadUserInputError(`"prefix" must be 1 to ${MAX_PREFIX_LENGTH} characters.`, 'prefix');
  const size = pageSize(first, 8);
  if (size === 0) return [];
  const key = text.toLowerCase();
  return cachedList(cache, 'suggestions', { prefix: key, size }, async () => {
    const escaped = escapeLike(text);
    const rows = await query<{ name: string }>(
      em,
      `select s.name from (
         select distinct on (lower(p.name)) p.name, p.name ilike ? as starts
           from product p
          where p.name ilike ? or p.name ilike ?
          order by lower(p.name), p.name
       ) s
       order by s.starts desc, lower(s.name), s.name
       limit ?`,
      [`${escaped}%`, `${escaped}%`, `% ${escaped}%`, size],
    );
    return rows.map((row) => row.name);
  });
}
