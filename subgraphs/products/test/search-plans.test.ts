/**
 * productSearch's page statement on a catalog enlarged to 100,000 products (the seed plus generated
 * ones, with stock and ratings in the read model): each selective filter and the text are served
 * by an index, never by a sequential scan of the product table. Unselective conditions (a word in
 * a fifth of the names, a whole category, in stock) are rightly read by a scan and are not listed.
 * The size the issue names (100,000): plans chosen on a small table can differ from a big one's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { candidatesSql } from '../src/search/search-sql.js';
import { matchMode, pageStatement } from '../src/search/product-search.js';
import { readSearchArgs, type SearchArgs } from '../src/search/search-input.js';
import { startProducts, type ProductsSubgraph } from './support.js';

const EXTRA = 100_000;
let subgraph: ProductsSubgraph;

beforeAll(async () => {
  subgraph = await startProducts('products_search_plans_test');
  const connection = subgraph.orm.em.fork().getConnection();
  // Names from a small vocabulary, prices spread over 1 to 500 euros, one product in 50 with a
  // wattage, every seeded category; a stock and a rating report for one product in 100.
  await connection.execute(`
    insert into product (sku, slug, name, description, price_amount, price_currency, category_id, created_at)
    select 'GEN-' || n, 'gen-' || n,
           (array['Basking Lamp', 'Reptile Carpet', 'Hide Cave', 'Feeding Dish', 'Rock Background'])[1 + n % 5]
             || case when n % 50 = 0 then ' ' || (n % 7 + 1) * 10 || 'W' else ' Model ' || n end,
           'Generated product number ' || n || ' for the search plans test.',
           100 + (n * 7919) % 50000, 'EUR',
           (select id from category order by slug offset n % 5 limit 1),
           timestamptz '2025-01-01' + n * interval '1 minute'
      from generate_series(1, ${EXTRA}) as n`);
  await connection.execute(`
    insert into product_signal (product_id, available, stock_as_of, rating_average, rating_count, rating_as_of)
    select id, (hashtext(id::text) & 7), now(), 1 + (hashtext(id::text) & 3), 1, now()
      from product where sku like 'GEN-%' and hashtext(sku) % 100 = 0`);
  // As autovacuum would: GIN's pending list flushed (the planner prices a long one high) and statistics.
  await connection.execute('vacuum analyze product');
  await connection.execute('vacuum analyze product_signal');
}, 180_000);
afterAll(async () => {
  await subgraph?.stop();
});

async function plan(args: SearchArgs): Promise<string> {
  const em = subgraph.orm.em.fork();
  const request = readSearchArgs(args);
  const mode = await matchMode(em, request.text);
  const { ctes, params } = candidatesSql(request.text, mode, request.filters, request.sort);
  const { sql, params: all } = pageStatement(request, mode, ctes, params);
  const rows = await em.getConnection().execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, all);
  return rows.map((row) => row['QUERY PLAN']).join('\n');
}

describe('productSearch plans on an enlarged catalog', () => {
  it.each([
    ['selective full text', { text: 'hygrometer' }],
    ['a typo (trigram similarity)', { text: 'thermostatt' }],
    ['a narrow price band', { text: '', filters: { minPrice: 1_000, maxPrice: 1_200 } }],
    ['a wattage', { text: '', filters: { wattage: 40 } }],
    ['a wattage read from the words', { text: 'lamp 40w' }],
    ['a minimum rating', { text: '', filters: { minRating: 4 } }],
    [
      'full text with price sort and filters',
      { text: 'hide cave', sort: 'PRICE_ASC', filters: { maxPrice: 2_000 } },
    ],
  ] as const)('%s: no sequential scan of product', async (_, args) => {
    const text = await plan(args as SearchArgs);
    expect(text, text).not.toMatch(/Seq Scan on product\b/);
    expect(text).toMatch(/Index|Bitmap/);
  });
});
