import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Cache } from '@terrarium/subgraph-kit/cache';
import { pageSize } from '@terrarium/subgraph-kit/pagination';
import { checkText } from './input.js';
import { cachedList } from './list-cache.js';
import { escapeLike, query } from '@terrarium/subgraph-kit/sql';

/** Longest accepted autocomplete prefix. @default 64 characters */
export const MAX_PREFIX_LENGTH = 64;

/**
 * Autocomplete: distinct product names (case-insensitively) with a word starting with `prefix`,
 * names that start with it first, then alphabetically. ILIKE with a leading wildcard is served
 * by the trigram index on name (product_name_trgm_idx). Cached per list version.
 */
export async function suggestProductNames(
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
