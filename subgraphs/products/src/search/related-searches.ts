import type { EntityManager } from '@mikro-orm/postgresql';
import { BadUserInputError } from '@terrarium/platform/errors';
import { execute, jsonList, query, type ReadOptions } from '@terrarium/subgraph-kit/sql';
import type { Logger } from 'pino';
import { checkText } from '../services/input.js';
import { MAX_SEARCH_LENGTH } from '../services/product-list.js';
import { normaliseQuery } from './search-counts.js';

/** The first results of a search that relate it to others. @default 5 */
export const RELATED_BY_FIRST = 5;
/** @default 20 */
const MAX_RELATED = 20;

/**
 * Remembers the first results of a counted search (normalised), refreshed each time it is seen;
 * kept in Postgres whether or not Redis counts searches. Never throws: a search never fails for it.
 */
export async function recordResults(
  em: EntityManager,
  text: string,
  productIds: readonly string[],
  logger: Logger,
): Promise<void> {
  if (productIds.length === 0) return;
  await execute(
    em,
    `insert into search_result (query, product_id)
     select ?, r.id::uuid from jsonb_array_elements_text(?::jsonb) as r(id)
     on conflict (query, product_id) do update set seen_on = current_date`,
    [normaliseQuery(text), jsonList(productIds)],
  ).catch((err: unknown) => logger.warn({ err }, 'search results not recorded'));
}

/**
 * Queries related to `text`: other searches whose first results share products with its own,
 * the most shared first ("heat mat" and "thermostat" both found the thermostat).
 */
export async function relatedSearches(
  em: EntityManager,
  text: string,
  first: number | null | undefined,
  reads: ReadOptions = {},
): Promise<string[]> {
  const size = first ?? 5;
  if (!Number.isInteger(size) || size < 0 || size > MAX_RELATED)
    throw new BadUserInputError(`"first" must be 0 to ${MAX_RELATED}.`, 'first');
  const key = normaliseQuery(checkText(text, 'query', MAX_SEARCH_LENGTH));
  if (size === 0 || key === '') return [];
  const rows = await query<{ query: string }>(
    em,
    `select other.query from search_result mine
       join search_result other on other.product_id = mine.product_id and other.query <> mine.query
      where mine.query = ?
      group by other.query order by count(*) desc, max(other.seen_on) desc, other.query limit ?`,
    [key, size],
    reads,
  );
  return rows.map((row) => row.query);
}
