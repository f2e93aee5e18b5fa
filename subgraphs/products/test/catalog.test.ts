import { encodeCursor } from '@terrarium/subgraph-kit/pagination';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import { names, PRODUCTS_PAGE, startProducts, type Page, type ProductsSubgraph } from './support.js';

/** The seeded catalog by name, the order of a list without a search. */
const ALL_BY_NAME = [
  'Automatic Misting System',
  'Calcium + D3 Supplement',
  'Ceramic Heat Emitter 100W',
  'Coconut Fiber Substrate 8L',
  'Cork Bark Hide Medium',
  'Digital Hygrometer',
  'Digital Thermostat',
  'Feeding Tongs 30cm',
  'Frozen Feeder Mice 10-pack',
  'Glass Terrarium 120x60x60',
  'T5 HO UVB Tube 12%',
  'Water Bowl Large',
];

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProducts('products_catalog_test');
});
afterAll(async () => {
  await subgraph?.stop();
});

/** Follows endCursor until the last page; returns every page. */
async function allPages(variables: Record<string, unknown>): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  do {
    const page: Page = await expectData<Page>(subgraph, PRODUCTS_PAGE, { ...variables, after });
    pages.push(page);
    after = page.products.pageInfo.hasNextPage ? page.products.pageInfo.endCursor : null;
  } while (after && pages.length < 50);
  return pages;
}

describe('products: cursor pagination', () => {
  it('walks the catalog by name in pages, without duplicates or gaps', async () => {
    const pages = await allPages({ first: 5 });
    expect(pages.map((p) => p.products.edges.length)).toEqual([5, 5, 2]);
    expect(pages.map((p) => p.products.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.every((p) => p.products.totalCount === 12)).toBe(true);
    expect(pages.flatMap(names)).toEqual(ALL_BY_NAME);
    for (const page of pages)
      expect(page.products.pageInfo.endCursor).toBe(page.products.edges.at(-1)!.cursor);
  });

  it('answers an empty page after the last one, still with the total', async () => {
    const last = await expectData<Page>(subgraph, PRODUCTS_PAGE, { first: 100 });
    const after = last.products.pageInfo.endCursor;
    const beyond = await expectData<Page>(subgraph, PRODUCTS_PAGE, { first: 5, after });
    expect(beyond.products).toEqual({
      totalCount: 12,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [],
    });
  });

  it('pages through ranked search results in the same order as one big page', async () => {
    const whole = names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'geckos', first: 100 }));
    expect(whole.length).toBeGreaterThan(3);
    const pages = await allPages({ search: 'geckos', first: 2 });
    expect(pages.flatMap(names)).toEqual(whole);
    expect(pages.at(-1)!.products.pageInfo.hasNextPage).toBe(false);
  });

  it('gives first: 0 the total and whether anything exists', async () => {
    const page = await expectData<Page>(subgraph, PRODUCTS_PAGE, { first: 0 });
    expect(page.products).toEqual({
      totalCount: 12,
      pageInfo: { hasNextPage: true, endCursor: null },
      edges: [],
    });
  });
});

describe('products: full-text search', () => {
  it('ranks a name match above a description match', async () => {
    // "heat" is in one name (weight A) and in the thermostat's description (weight B).
    const page = await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'heat' });
    expect(names(page)).toEqual(['Ceramic Heat Emitter 100W', 'Digital Thermostat']);
    expect(page.products.totalCount).toBe(2);
  });

  it('stems words and searches descriptions', async () => {
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'mist' }))).toEqual([
      'Automatic Misting System',
    ]);
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'snakes' }))).toContain(
      'Feeding Tongs 30cm',
    );
  });

  it('understands web search syntax: phrases and exclusions', async () => {
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: '"heat emitter"' }))).toEqual([
      'Ceramic Heat Emitter 100W',
    ]);
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'digital -hygrometer' }))).toEqual(
      ['Digital Thermostat'],
    );
  });

  it('finds nothing for words not in the catalog, and treats a blank search as none', async () => {
    expect(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'aquarium' })).toMatchObject({
      products: { totalCount: 0, edges: [] },
    });
    expect((await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: '   ' })).products.totalCount).toBe(12);
  });
});

describe('products: category filter', () => {
  it('includes the descendants of the category', async () => {
    const supplies = await expectData<Page>(subgraph, PRODUCTS_PAGE, { category: 'supplies', first: 100 });
    expect(names(supplies)).toEqual(ALL_BY_NAME);
    const habitat = await expectData<Page>(subgraph, PRODUCTS_PAGE, { category: 'habitat' });
    expect(names(habitat)).toEqual([
      'Automatic Misting System',
      'Coconut Fiber Substrate 8L',
      'Cork Bark Hide Medium',
      'Glass Terrarium 120x60x60',
      'Water Bowl Large',
    ]);
  });

  it('combines with search', async () => {
    const page = await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'heat', category: 'monitoring' });
    expect(names(page)).toEqual(['Digital Thermostat']);
  });

  it('answers an unknown category with an empty connection, not an error', async () => {
    for (const category of ['no-such-category', 'Not A Slug!', 'x'.repeat(300), 'a\u0000b']) {
      const page = await expectData<Page>(subgraph, PRODUCTS_PAGE, { category });
      expect(page.products).toEqual({
        totalCount: 0,
        pageInfo: { hasNextPage: false, endCursor: null },
        edges: [],
      });
    }
  });

  it('serves the category tree', async () => {
    const data = await expectData<{ categories: unknown; category: unknown }>(
      subgraph,
      `{ categories { slug parent { id } children { slug parent { slug } } }
         category(slug: "feeding") { name parent { slug } products(first: 2) { totalCount edges { node { name } } } } }`,
    );
    expect(data.categories).toEqual([
      {
        slug: 'supplies',
        parent: null,
        children: ['feeding', 'habitat', 'heating-lighting', 'monitoring'].map((slug) => ({
          slug,
          parent: { slug: 'supplies' },
        })),
      },
    ]);
    expect(data.category).toEqual({
      name: 'Feeding',
      parent: { slug: 'supplies' },
      products: {
        totalCount: 3,
        edges: [{ node: { name: 'Calcium + D3 Supplement' } }, { node: { name: 'Feeding Tongs 30cm' } }],
      },
    });
  });
});

describe('product by slug', () => {
  it('returns the ProductPage fields this subgraph owns, or null', async () => {
    const data = await expectData<{ product: unknown; missing: unknown }>(
      subgraph,
      `{ product(slug: "ceramic-heat-emitter-100w") { sku name slug price { amount currency } category { slug } createdBy { id } }
         missing: product(slug: "no-such-product") { id } }`,
    );
    expect(data.product).toEqual({
      sku: 'TR-HEAT-100',
      name: 'Ceramic Heat Emitter 100W',
      slug: 'ceramic-heat-emitter-100w',
      price: { amount: 2499, currency: 'EUR' },
      category: { slug: 'heating-lighting' },
      createdBy: { id: '708b5f2a-4258-5c5f-9f98-8d1c57d3c019' },
    });
    expect(data.missing).toBeNull();
  });

  it('reads a product and its category in one SQL statement', async () => {
    const page = `{ product(slug: "ceramic-heat-emitter-100w") { name category { id name slug } } }`;
    const before = subgraph.sqlStatementCount();
    const data = await expectData<{ product: { category: unknown } }>(subgraph, page);
    expect(subgraph.sqlStatementCount() - before).toBe(1);
    // The joined category is the one the category loader reads on its own.
    const alone = await expectData<{ category: unknown }>(
      subgraph,
      `{ category(slug: "heating-lighting") { id name slug } }`,
    );
    expect(data.product.category).toEqual(alone.category);
  });

  it('answers null, not a 500, for a slug Postgres could not store', async () => {
    const data = await expectData<{ product: unknown; category: unknown }>(
      subgraph,
      'query ($s: String!) { product(slug: $s) { id } category(slug: $s) { id } }',
      { s: 'a\u0000b' },
    );
    expect(data).toEqual({ product: null, category: null });
  });
});

describe('searchSuggestions', () => {
  const suggest = async (prefix: string, first?: number) =>
    (
      await expectData<{ searchSuggestions: string[] }>(
        subgraph,
        'query ($prefix: String!, $first: Int) { searchSuggestions(prefix: $prefix, first: $first) }',
        {
          prefix,
          ...(first === undefined ? {} : { first }),
        },
      )
    ).searchSuggestions;

  it('completes names case-insensitively, names starting with the prefix first', async () => {
    expect(await suggest('c')).toEqual([
      'Calcium + D3 Supplement',
      'Ceramic Heat Emitter 100W',
      'Coconut Fiber Substrate 8L',
      'Cork Bark Hide Medium',
    ]);
    expect(await suggest('DIGITAL')).toEqual(['Digital Hygrometer', 'Digital Thermostat']);
    // "heat" starts a word inside a name; "fee" starts one name and a word of another.
    expect(await suggest('heat')).toEqual(['Ceramic Heat Emitter 100W']);
    expect(await suggest('fee')).toEqual(['Feeding Tongs 30cm', 'Frozen Feeder Mice 10-pack']);
  });

  it('limits to first and matches LIKE wildcards literally', async () => {
    expect(await suggest('c', 2)).toEqual(['Calcium + D3 Supplement', 'Ceramic Heat Emitter 100W']);
    expect(await suggest('%')).toEqual([]);
    expect(await suggest('12%')).toEqual(['T5 HO UVB Tube 12%']);
  });
});

describe('bad input is BAD_USER_INPUT', () => {
  it.each([
    ['first: -1', { first: -1 }],
    ['first: 100000', { first: 100_000 }],
    ['a garbage cursor', { after: 'garbage' }],
    [
      'a cursor of another order',
      {
        search: 'heat',
        after: encodeCursor('products:name', ['Digital Thermostat', '708b5f2a-4258-5c5f-9f98-8d1c57d3c019']),
      },
    ],
    [
      'a cursor with a malformed id',
      { after: encodeCursor('products:name', ['Digital Thermostat', 'not-a-uuid']) },
    ],
    [
      'a cursor with a non-finite rank',
      {
        search: 'heat',
        after: Buffer.from('["products:rank",1e999,"708b5f2a-4258-5c5f-9f98-8d1c57d3c019"]').toString(
          'base64url',
        ),
      },
    ],
    ['a search over 200 characters', { search: 'x'.repeat(201) }],
  ])('products with %s', async (_, variables) => {
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', PRODUCTS_PAGE, variables);
  });

  it.each([
    ['an empty prefix', ''],
    ['a blank prefix', '   '],
    ['a prefix over 64 characters', 'x'.repeat(65)],
  ])('searchSuggestions with %s', async (_, prefix) => {
    await expectErrorCode(
      subgraph,
      'BAD_USER_INPUT',
      'query ($prefix: String!) { searchSuggestions(prefix: $prefix) }',
      { prefix },
    );
  });

  it('searchSuggestions with first: -1', async () => {
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', '{ searchSuggestions(prefix: "c", first: -1) }');
  });
});
