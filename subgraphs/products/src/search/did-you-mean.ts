import type { EntityManager } from '@mikro-orm/postgresql';
import { query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** Below this trigram similarity a catalog word is no correction of a query word. @default 0.4 */
const MIN_SIMILARITY = 0.4;
/** Product names whose words are candidate corrections: the most similar ones. @default 5 */
const VOCABULARY_NAMES = 5;

/**
 * "Did you mean": each word of `words` replaced by the most similar word of the product names
 * most similar to them (thermostatt -> thermostat), applied to the shopper's own `raw` text so
 * that the phrases read as filters stay. Null when nothing would change.
 */
export async function didYouMean(
  em: EntityManager,
  words: string,
  raw: string,
  reads: ReadOptions = {},
): Promise<string | null> {
  if (words.trim() === '') return null;
  const rows = await query<{ word: string; suggestion: string; sim: number }>(
    em,
    `with words as (
       select w as word, n from regexp_split_to_table(lower(?), '\\s+') with ordinality as t(w, n) where w <> ''),
     top as (
       select p.name from product p where p.name %> lower(?) order by word_similarity(lower(?), p.name) desc, p.id limit ?),
     vocab as (
       select distinct v from top, regexp_split_to_table(lower(top.name), '[^a-z0-9]+') as v where length(v) > 1)
     select distinct on (w.n) w.word, v.v as suggestion, similarity(w.word, v.v) as sim
       from words w cross join vocab v
      order by w.n, sim desc, v.v`,
    [words, words, words, VOCABULARY_NAMES],
    reads,
  );
  const corrections = new Map(
    rows
      .filter((row) => row.sim >= MIN_SIMILARITY && row.suggestion !== row.word)
      .map((row) => [row.word, row.suggestion]),
  );
  if (corrections.size === 0) return null;
  return raw
    .trim()
    .split(/\s+/)
    .map((token) => corrections.get(token.toLowerCase()) ?? token)
    .join(' ');
}
