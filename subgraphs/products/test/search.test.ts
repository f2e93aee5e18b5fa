/**
 * productSearch on real Postgres: filters (category with descendants, price, stock, rating,
 * wattage), sorts, facets that respect the other filters, typo tolerance with didYouMean, filters
 * read out of the words, and the read model's reports (owners only, newest wins).
 */
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { execute, expectData, expectErrorCode, serviceCaller } from '@terrarium/subgraph-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF, startProducts, type ProductsSubgraph } from './support.js';

const SEARCH = /* GraphQL */ `
  query (
    $text: String!
    $first: Int
    $after: String
    $filters: ProductSearchFilters
    $sort: ProductSearchSort
    $interpret: Boolean
  ) {
    productSearch(
      text: $text
      first: $first
      after: $after
      filters: $filters
      sort: $sort
      interpret: $interpret
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      interpretedAs {
        text
        filters {
          field
          value
        }
      }
      didYouMean
      facets {
        field
        buckets {
          value
          count
        }
      }
      edges {
        node {
          name
          price {
            amount
          }
        }
      }
    }
  }
`;
const STOCK = 'mutation ($levels: [StockLevelInput!]!) { recordStockLevels(levels: $levels) }';
const RATINGS = 'mutation ($ratings: [RatingInput!]!) { recordRatings(ratings: $ratings) }';
const CREATE = 'mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }';

interface Result {
  productSearch: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    interpretedAs: { text: string; filters: { field: string; value: string }[] };
    didYouMean: string | null;
    facets: { field: string; buckets: { value: string; count: number }[] }[];
    edges: { node: { name: string; price: { amount: number } } }[];
  };
}

const id = (sku: string) => seedId(`product:${sku}`);
const at = (iso: string) => new Date(iso).toISOString();
let subgraph: ProductsSubgraph;
const search = (variables: Record<string, unknown>) =>
  expectData<Result>(subgraph, SEARCH, { first: 50, ...variables }).then((r) => r.productSearch);
const namesOf = (r: Result['productSearch']) => r.edges.map((e) => e.node.name);
const facet = (r: Result['productSearch'], field: string) =>
  Object.fromEntries(r.facets.find((f) => f.field === field)!.buckets.map((b) => [b.value, b.count]));

beforeAll(async () => {
  subgraph = await startProducts('products_search_test');
  const heating = seedId('category:heating-lighting');
  for (const [sku, name, amount] of [
    ['TR-MAT-50', 'Heat Mat 50W', 2999],
    ['TR-MAT-25', 'Heat Mat 25W', 1999],
  ] as const) {
    await expectData(
      subgraph,
      CREATE,
      {
        input: {
          sku,
          name,
          description: 'Adhesive heat mat for under the tank.',
          price: { amount, currency: 'EUR' },
          categoryId: heating,
        },
      },
      STAFF,
    );
  }
  // In stock: the thermostat, the tongs and the tank; everything else unreported (none available).
  const levels = [
    ['TR-THERM-DIG', 4],
    ['TR-TONGS', 12],
    ['TR-TANK-120', 1],
    ['TR-HYGRO', 0],
  ].map(([sku, available]) => ({
    productId: id(sku as string),
    available,
    asOf: at('2026-03-01T10:00:00Z'),
  }));
  await expectData(subgraph, STOCK, { levels }, serviceCaller('inventory'));
  const ratings = [
    ['TR-THERM-DIG', 4.5, 2],
    ['TR-HYGRO', 3, 1],
    ['TR-TONGS', 5, 1],
  ].map(([sku, average, count]) => ({
    productId: id(sku as string),
    average,
    count,
    asOf: at('2026-03-01T10:00:00Z'),
  }));
  await expectData(subgraph, RATINGS, { ratings }, serviceCaller('community'));
});
afterAll(async () => {
  await subgraph?.stop();
});

describe('productSearch: typo tolerance and filters read from the words', () => {
  it('finds the thermostat for "thermostatt" and suggests "thermostat"', async () => {
    const found = await search({ text: 'thermostatt' });
    expect(namesOf(found)[0]).toBe('Digital Thermostat');
    expect(found.didYouMean).toBe('thermostat');
    // Spelled right, full text finds it and there is nothing to correct.
    const exact = await search({ text: 'thermostat' });
    expect(namesOf(exact)).toContain('Digital Thermostat');
    expect(exact.didYouMean).toBeNull();
  });

  it('reads "heat mat 50w" as text "heat mat" and wattage 50', async () => {
    const found = await search({ text: 'heat mat 50w' });
    expect(found.interpretedAs).toEqual({ text: 'heat mat', filters: [{ field: 'wattage', value: '50' }] });
    expect(namesOf(found)).toEqual(['Heat Mat 50W']);
    // interpret: false undoes it: both mats (and nothing read).
    const literal = await search({ text: 'heat mat', interpret: false });
    expect(literal.interpretedAs.filters).toEqual([]);
    expect(namesOf(literal).sort()).toEqual(expect.arrayContaining(['Heat Mat 25W', 'Heat Mat 50W']));
  });

  it('reads a price bound in euros as minor units, and an explicit filter overrides it', async () => {
    const found = await search({ text: 'heat mat under 25' });
    expect(found.interpretedAs).toEqual({
      text: 'heat mat',
      filters: [{ field: 'maxPrice', value: '2500' }],
    });
    expect(namesOf(found)).toEqual(['Heat Mat 25W']);
    const overridden = await search({ text: 'heat mat under 25', filters: { maxPrice: 5000 } });
    expect(overridden.interpretedAs.filters).toEqual([]);
    // The thermostat's description names heat mats, and it costs 44.99.
    expect(namesOf(overridden).sort()).toEqual(['Digital Thermostat', 'Heat Mat 25W', 'Heat Mat 50W']);
  });
});

describe('productSearch: filters', () => {
  it('filters by a category with its descendants', async () => {
    expect((await search({ text: '', filters: { categorySlug: 'supplies' } })).totalCount).toBe(14);
    expect(namesOf(await search({ text: '', filters: { categorySlug: 'monitoring' } }))).toEqual([
      'Digital Hygrometer',
      'Digital Thermostat',
    ]);
    expect((await search({ text: '', filters: { categorySlug: 'no-such-category' } })).totalCount).toBe(0);
  });

  it('filters by price range (inclusive), stock and minimum rating', async () => {
    expect(namesOf(await search({ text: '', filters: { minPrice: 999, maxPrice: 1199 } }))).toEqual([
      'Calcium + D3 Supplement',
      'Feeding Tongs 30cm',
      'Water Bowl Large',
    ]);
    expect(namesOf(await search({ text: '', filters: { inStock: true } }))).toEqual([
      'Digital Thermostat',
      'Feeding Tongs 30cm',
      'Glass Terrarium 120x60x60',
    ]);
    expect((await search({ text: '', filters: { inStock: false } })).totalCount).toBe(11);
    expect(namesOf(await search({ text: '', filters: { minRating: 4 } }))).toEqual([
      'Digital Thermostat',
      'Feeding Tongs 30cm',
    ]);
    expect(namesOf(await search({ text: 'digital', filters: { inStock: true, minRating: 4 } }))).toEqual([
      'Digital Thermostat',
    ]);
  });

  it('refuses bad filters with BAD_USER_INPUT', async () => {
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', SEARCH, {
      text: '',
      filters: { minPrice: 500, maxPrice: 100 },
    });
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', SEARCH, { text: '', filters: { minRating: 6 } });
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', SEARCH, { text: 'x'.repeat(201) });
  });
});

describe('productSearch: sorts and pages', () => {
  it('sorts by price both ways, by rating (unrated last) and newest first', async () => {
    const asc = (await search({ text: '', sort: 'PRICE_ASC' })).edges.map((e) => e.node.price.amount);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(asc[0]).toBe(899);
    const desc = (await search({ text: '', sort: 'PRICE_DESC' })).edges.map((e) => e.node.price.amount);
    expect(desc).toEqual([...asc].reverse());
    expect(namesOf(await search({ text: '', sort: 'RATING', first: 3 }))).toEqual([
      'Feeding Tongs 30cm',
      'Digital Thermostat',
      'Digital Hygrometer',
    ]);
    // The mats were created by this test, after every seeded product.
    expect(namesOf(await search({ text: '', sort: 'NEWEST', first: 2 }))).toEqual([
      'Heat Mat 25W',
      'Heat Mat 50W',
    ]);
  });

  it('pages with cursors in every sort without repeating or skipping', async () => {
    for (const sort of ['PRICE_ASC', 'PRICE_DESC', 'NEWEST', 'RATING', 'RELEVANCE']) {
      const all = namesOf(await search({ text: '', sort }));
      const paged: string[] = [];
      let after: string | null = null;
      do {
        const page = await search({ text: '', sort, first: 4, after });
        paged.push(...namesOf(page));
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
      expect(paged).toEqual(all);
      expect(paged).toHaveLength(14);
    }
  });
});

describe('productSearch: facets', () => {
  it('counts category, price band and availability, each with the other filters applied', async () => {
    const cheap = await search({ text: '', filters: { maxPrice: 1500 } });
    expect(cheap.totalCount).toBe(6);
    // Categories count only the cheap products; price bands ignore the price filter itself.
    expect(facet(cheap, 'category')).toEqual({ feeding: 3, habitat: 2, monitoring: 1 });
    expect(facet(cheap, 'price')).toEqual({
      '0-1000': 2,
      '1000-2500': 7,
      '2500-5000': 3,
      '5000-10000': 1,
      '10000-': 1,
    });
    expect(facet(cheap, 'availability')).toEqual({ IN_STOCK: 1, OUT_OF_STOCK: 5 });
    // Choosing in-stock: availability still shows both buckets, the others only in-stock products.
    const inStock = await search({ text: '', filters: { maxPrice: 1500, inStock: true } });
    expect(facet(inStock, 'availability')).toEqual({ IN_STOCK: 1, OUT_OF_STOCK: 5 });
    expect(facet(inStock, 'category')).toEqual({ feeding: 1 });
  });
});

describe('the read model', () => {
  it('takes reports from their owners only', async () => {
    const level = { productId: id('TR-TONGS'), available: 0, asOf: at('2026-03-02T10:00:00Z') };
    await expectErrorCode(subgraph, 'FORBIDDEN', STOCK, { levels: [level] }, serviceCaller('community'));
    await expectErrorCode(
      subgraph,
      'FORBIDDEN',
      RATINGS,
      { ratings: [{ productId: id('TR-TONGS'), average: 1, count: 1, asOf: level.asOf }] },
      STAFF,
    );
    await expectErrorCode(
      subgraph,
      'BAD_USER_INPUT',
      STOCK,
      { levels: [level, level] },
      serviceCaller('inventory'),
    );
  });

  it('keeps the newest report whatever the order they arrive in', async () => {
    const report = (available: number, asOf: string) =>
      execute(
        subgraph,
        STOCK,
        { levels: [{ productId: id('TR-HIDE-M'), available, asOf: at(asOf) }] },
        serviceCaller('inventory'),
      );
    await report(3, '2026-03-05T10:00:00Z');
    await report(0, '2026-03-04T10:00:00Z');
    expect(namesOf(await search({ text: 'cork', filters: { inStock: true } }))).toEqual([
      'Cork Bark Hide Medium',
    ]);
    await report(0, '2026-03-06T10:00:00Z');
    expect((await search({ text: 'cork', filters: { inStock: true } })).totalCount).toBe(0);
  });

  it('shows the rating on lists, and a report that changes it drops cached lists and entities', async () => {
    const tongs = id('TR-TONGS');
    const LIST = '{ products(search: "tongs") { edges { node { id averageRating } } } }';
    const listed = async () => {
      const data = await expectData<{
        products: { edges: { node: { id: string; averageRating: number | null } }[] };
      }>(subgraph, LIST);
      return data.products.edges.find((edge) => edge.node.id === tongs)?.node.averageRating;
    };
    /** The report's answer: what it told the gateways' entity caches (extensions.entityChanges). */
    const report = async (average: number, count: number, asOf: string) => {
      const response = await subgraph.execute(
        { query: RATINGS, variables: { ratings: [{ productId: tongs, average, count, asOf: at(asOf) }] } },
        serviceCaller('community'),
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      expect(response.body.singleResult.errors).toBeUndefined();
      return response.body.singleResult.extensions?.['entityChanges'];
    };
    expect(await listed()).toBe(5); // from beforeAll's report; the list is cached from here on
    // The same values again (community's full sync at every start): nothing to drop.
    expect(await report(5, 1, '2026-03-02T10:00:00Z')).toBeUndefined();
    // A new review: the cached list is not served, and the gateways drop the product.
    expect(await report(4.25, 4, '2026-03-03T10:00:00Z')).toEqual([{ typename: 'Product', id: tongs }]);
    expect(await listed()).toBe(4.25);
    // A late report older than the one kept changes nothing.
    expect(await report(1, 1, '2026-03-02T12:00:00Z')).toBeUndefined();
    expect(await listed()).toBe(4.25);
  });
});
