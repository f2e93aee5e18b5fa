import type { EntityManager } from '@mikro-orm/postgresql';
import { createRedisClient } from '@terrarium/platform/redis';
import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { escapeLike, execute, query } from '@terrarium/subgraph-kit/sql';
import type { Logger } from 'pino';

/** A count's weight halves every this many days: last week's searches weigh half today's. @default 7 days */
const HALF_LIFE_DAYS = 7;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Forward decay's origin: weights grow from here (2^52 after a year, far from a double's limit). */
const EPOCH_MS = Date.UTC(2026, 0, 1);
/** Queries kept in the Redis set; the least counted fall off. @default 10_000 */
const MAX_QUERIES = 10_000;
/** Postgres counts older than this no longer weigh and are deleted. @default 28 days */
export const KEEP_DAYS = 28;
/** A count waits at most this for Redis, then is dropped (a search never waits on it). @default 150 ms */
const REDIS_BUDGET_MS = 150;

/**
 * The searches behind popularSearches: a Redis sorted set when Redis is configured (shared by
 * every instance), a Postgres table of daily counts otherwise. Both decay: a search counts
 * 2^(age / 7 days) less as it ages, so last month's fad gives way to this week's.
 */
export interface SearchCounts {
  /** Counts one search of a normalised query (lower case, single spaces). Never throws. */
  count(em: EntityManager, text: string): Promise<void>;
  /** The `first` most searched queries, heaviest first; none while Redis is unreachable. */
  top(em: EntityManager, first: number): Promise<string[]>;
  /**
   * For autocomplete: the `first` most searched queries with a word starting with `prefix`
   * (normalised), those that start with it first, heaviest first within each.
   */
  startingWith(em: EntityManager, prefix: string, first: number): Promise<string[]>;
  close(): Promise<void>;
}

/** How a query is counted: case and spacing do not make two queries. */
export const normaliseQuery = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * Autocomplete looks among this many of the heaviest queries: enough for any prefix a shopper
 * types to find its popular completions, few enough to filter on every keystroke. @default 1_000
 */
const SUGGEST_FROM_TOP = 1_000;

/** Queries that start with `prefix` first, then those with a later word starting with it; order kept within each. */
function completions(queries: readonly string[], prefix: string, first: number): string[] {
  const starting = queries.filter((query) => query.startsWith(prefix));
  const inside = queries.filter((query) => !query.startsWith(prefix) && query.includes(` ${prefix}`));
  return [...starting, ...inside].slice(0, first);
}

export function createSearchCounts(
  config: Pick<SubgraphConfig, 'redisUrl' | 'databaseUrl' | 'databaseSchema'>,
  logger: Logger,
): SearchCounts {
  if (!config.redisUrl) return postgresCounts(logger);
  const client = createRedisClient(config.redisUrl, {
    enableOfflineQueue: false,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_BUDGET_MS,
  });
  client.on('error', (err: unknown) => logger.warn({ err }, 'search counts Redis error'));
  // One set per database and schema, as the catalog it counts searches of.
  const database = new URL(config.databaseUrl).pathname.replace(/^\//, '') || 'postgres';
  const key = `products:popular-searches:${database}.${config.databaseSchema}`;
  return {
    async count(_em, text) {
      // Forward decay: a newer search adds a bigger weight, which is the same as every older
      // one shrinking, without ever rewriting them.
      const weight = 2 ** ((Date.now() - EPOCH_MS) / (HALF_LIFE_DAYS * DAY_MS));
      await client
        .multi()
        .zincrby(key, weight, normaliseQuery(text))
        .zremrangebyrank(key, 0, -(MAX_QUERIES + 1))
        .exec()
        .catch((err: unknown) => logger.warn({ err }, 'search not counted'));
    },
    async top(_em, first) {
      if (first === 0) return [];
      // Redis down: no popular searches rather than a failed request (the cache's rule).
      return client.zrevrange(key, 0, first - 1).catch((err: unknown) => {
        logger.warn({ err }, 'popular searches unavailable');
        return [];
      });
    },
    async startingWith(_em, prefix, first) {
      if (first === 0) return [];
      const top = await client.zrevrange(key, 0, SUGGEST_FROM_TOP - 1).catch((err: unknown) => {
        logger.warn({ err }, 'popular searches unavailable for autocomplete');
        return [];
      });
      return completions(top, normaliseQuery(prefix), first);
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

function postgresCounts(logger: Logger): SearchCounts {
  return {
    async count(em, text) {
      await execute(
        em,
        `insert into search_count as c (query, day) values (?, current_date)
         on conflict (query, day) do update set count = c.count + 1`,
        [normaliseQuery(text)],
      ).catch((err: unknown) => logger.warn({ err }, 'search not counted'));
    },
    async top(em, first) {
      const rows = await query<{ query: string }>(
        em,
        `select query from search_count where day > current_date - ?::int
          group by query order by sum(count * power(0.5, (current_date - day) / ?::float8)) desc, query limit ?`,
        [KEEP_DAYS, HALF_LIFE_DAYS, first],
      );
      return rows.map((row) => row.query);
    },
    async startingWith(em, prefix, first) {
      if (first === 0) return [];
      const text = normaliseQuery(prefix);
      const escaped = escapeLike(text);
      const rows = await query<{ query: string }>(
        em,
        `select query from search_count
          where day > current_date - ?::int and (query like ? or query like ?)
          group by query order by sum(count * power(0.5, (current_date - day) / ?::float8)) desc, query limit ?`,
        [KEEP_DAYS, `${escaped}%`, `% ${escaped}%`, HALF_LIFE_DAYS, SUGGEST_FROM_TOP],
      );
      return completions(
        rows.map((row) => row.query),
        text,
        first,
      );
    },
    async close() {},
  };
}
