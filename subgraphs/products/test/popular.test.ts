/**
 * popularSearches: productSearch counts each search that found something (once, not per page),
 * in Redis when it is configured and in Postgres otherwise, and older searches weigh less.
 */
import { execute as run, expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl, startProducts, type ProductsSubgraph } from './support.js';

const SEARCH =
  'query ($text: String!, $first: Int, $after: String) { productSearch(text: $text, first: $first, after: $after) { pageInfo { endCursor } } }';
const POPULAR = 'query ($first: Int) { popularSearches(first: $first) }';

let withRedis: ProductsSubgraph;
let withPostgres: ProductsSubgraph;
beforeAll(async () => {
  withRedis = await startProducts('products_popular_redis_test');
  withPostgres = await startProducts('products_popular_pg_test', { REDIS_URL: '', PRODUCTS_REDIS_URL: '' });
});
afterAll(async () => {
  await withRedis?.stop();
  await withPostgres?.stop();
});

async function searchTimes(subgraph: ProductsSubgraph, text: string, times: number) {
  for (let i = 0; i < times; i += 1) await expectData(subgraph, SEARCH, { text });
}
const popular = async (subgraph: ProductsSubgraph, first = 10) =>
  (await expectData<{ popularSearches: string[] }>(subgraph, POPULAR, { first })).popularSearches;

// The Redis case needs REDIS_URL (the suite's usual setting); without it both would be Postgres.
describe.each([
  ...(redisUrl ? [['Redis', () => withRedis] as const] : []),
  ['Postgres', () => withPostgres] as const,
])('popularSearches (%s)', (_, subgraph) => {
  it('ranks what was searched most; case and spacing are one query; empty results and later pages do not count', async () => {
    await searchTimes(subgraph(), 'Thermostat', 2);
    await searchTimes(subgraph(), '  thermostat ', 1);
    await searchTimes(subgraph(), 'cork', 2);
    await searchTimes(subgraph(), 'hygrometer', 1);
    await searchTimes(subgraph(), 'aquarium', 5);
    const first = await expectData<{ productSearch: { pageInfo: { endCursor: string } } }>(
      subgraph(),
      SEARCH,
      { text: 'digital', first: 1 },
    );
    const before = await popular(subgraph());
    await run(subgraph(), SEARCH, {
      text: 'digital',
      first: 1,
      after: first.productSearch.pageInfo.endCursor,
    });
    expect(await popular(subgraph())).toEqual(before);
    expect(await popular(subgraph(), 3)).toEqual([
      'thermostat',
      'cork',
      expect.stringMatching(/^(hygrometer|digital)$/),
    ]);
    expect(await popular(subgraph())).not.toContain('aquarium');
    expect(await popular(subgraph(), 0)).toEqual([]);
  });

  it('counts a typo under its correction', async () => {
    await searchTimes(subgraph(), 'thermostatt', 1);
    const ranked = await popular(subgraph(), 50);
    expect(ranked[0]).toBe('thermostat');
    expect(ranked).not.toContain('thermostatt');
  });

  it('refuses first outside 0 to 50', async () => {
    await expectErrorCode(subgraph(), 'BAD_USER_INPUT', POPULAR, { first: 51 });
  });
});

describe('popularSearches decay (Postgres)', () => {
  it("weighs three-week-old searches an eighth of today's", async () => {
    const em = withPostgres.orm.em.fork();
    // 10 searches three weeks ago weigh 1.25 today: less than 3 today, more than 1.
    await em
      .getConnection()
      .execute(`insert into search_count (query, day, count) values ('mice', current_date - 21, 10)`);
    await searchTimes(withPostgres, 'tongs', 3);
    const ranked = await popular(withPostgres, 50);
    expect(ranked.indexOf('tongs')).toBeLessThan(ranked.indexOf('mice'));
    expect(ranked.indexOf('mice')).toBeLessThan(ranked.indexOf('hygrometer'));
  });
});

describe('relatedSearches', () => {
  const RELATED = 'query ($query: String!, $first: Int) { relatedSearches(query: $query, first: $first) }';
  const related = async (query: string, first = 5) =>
    (await expectData<{ relatedSearches: string[] }>(withPostgres, RELATED, { query, first }))
      .relatedSearches;

  it('relates searches whose first results share products, the most shared first', async () => {
    // "heat" finds the emitter and the thermostat (heat mats), as "thermostat" did above;
    // "digital", searched above a page of 1, kept its one result, the thermostat; "cork" shares
    // nothing with them.
    await searchTimes(withPostgres, 'heat', 1);
    expect(await related('Heat')).toEqual(['thermostat', 'digital']);
    expect(await related('digital')).toEqual(['heat', 'thermostat']);
    expect(await related('cork')).toEqual([]);
    expect(await related('never searched')).toEqual([]);
  });

  it('refuses first outside 0 to 20', async () => {
    await expectErrorCode(withPostgres, 'BAD_USER_INPUT', RELATED, { query: 'heat', first: 21 });
  });
});

describe('searchSuggestions ranked by popularity as well as prefix', () => {
  const SUGGEST =
    'query ($prefix: String!, $first: Int) { searchSuggestions(prefix: $prefix, first: $first) }';
  const suggest = async (subgraph: ProductsSubgraph, prefix: string, first = 8) =>
    (await expectData<{ searchSuggestions: string[] }>(subgraph, SUGGEST, { prefix, first }))
      .searchSuggestions;

  it.each([
    ...(redisUrl ? [['Redis', () => withRedis] as const] : []),
    ['Postgres', () => withPostgres] as const,
  ])('puts the most searched completions before product names (%s)', async (_, subgraph) => {
    // Nothing searched starts with "fe" yet: product names only, as before.
    expect(await suggest(subgraph(), 'fe')).toEqual(['Feeding Tongs 30cm', 'Frozen Feeder Mice 10-pack']);
    await searchTimes(subgraph(), 'frozen feeder', 3);
    await searchTimes(subgraph(), 'feeding tongs', 1);
    await searchTimes(subgraph(), 'Digital Thermostat', 1);
    // Queries that start with the prefix before those with a later word that does, whatever their
    // weight; then names. Letter case does not matter.
    const completions = [
      'feeding tongs',
      'frozen feeder',
      'Feeding Tongs 30cm',
      'Frozen Feeder Mice 10-pack',
    ];
    expect(await suggest(subgraph(), 'fe')).toEqual(completions);
    expect(await suggest(subgraph(), 'FE')).toEqual(completions);
    // Among queries that start with it, the most searched first; popular queries take at most half the places.
    expect(await suggest(subgraph(), 'f', 2)).toEqual(['frozen feeder', 'Feeding Tongs 30cm']);
    // A query and a name that read the same are one suggestion.
    expect(await suggest(subgraph(), 'digital t')).toEqual(['digital thermostat']);
  });
});
