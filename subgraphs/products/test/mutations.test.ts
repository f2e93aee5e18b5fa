import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION_KEY } from '../src/services/list-cache.js';
import { countStatements, expectData, expectErrorCode } from '@terrarium/subgraph-kit/testing';
import {
  BREEDER,
  KEEPER,
  names,
  PRODUCTS_PAGE,
  redisUrl,
  STAFF,
  startProducts,
  type Page,
  type ProductsSubgraph,
} from './support.js';

const CREATE = /* GraphQL */ `
  mutation ($input: CreateProductInput!) {
    createProduct(input: $input) {
      id
      sku
      slug
      name
      description
      price {
        amount
        currency
      }
      category {
        slug
      }
      createdBy {
        id
      }
    }
  }
`;
const UPDATE = /* GraphQL */ `
  mutation ($id: ID!, $input: UpdateProductInput!) {
    updateProduct(id: $id, input: $input) {
      id
      sku
      slug
      name
      price {
        amount
        currency
      }
      category {
        slug
      }
    }
  }
`;
const SUGGEST = 'query ($prefix: String!) { searchSuggestions(prefix: $prefix) }';

const habitat = seedId('category:habitat');
const tongs = seedId('product:TR-TONGS');
const valid = {
  sku: 'TR-HIDE-L',
  name: 'Cork Bark Hide Large',
  description: 'A larger cork tube for adult ball pythons.',
  price: { amount: 2299, currency: 'EUR' },
  categoryId: habitat,
};

let subgraph: ProductsSubgraph;
beforeAll(async () => {
  subgraph = await startProducts('products_mutations_test');
});
afterAll(async () => {
  await subgraph?.stop();
});

describe('createProduct', () => {
  it('is staff only', async () => {
    await expectErrorCode(subgraph, 'UNAUTHENTICATED', CREATE, { input: valid });
    await expectErrorCode(subgraph, 'FORBIDDEN', CREATE, { input: valid }, KEEPER);
    await expectErrorCode(subgraph, 'FORBIDDEN', CREATE, { input: valid }, BREEDER);
  });

  it('creates a product with a slug derived from its name, made unique', async () => {
    const { createProduct } = await expectData<{ createProduct: Record<string, unknown> }>(
      subgraph,
      CREATE,
      { input: valid },
      STAFF,
    );
    expect(createProduct).toMatchObject({
      sku: 'TR-HIDE-L',
      slug: 'cork-bark-hide-large',
      name: 'Cork Bark Hide Large',
      price: { amount: 2299, currency: 'EUR' },
      category: { slug: 'habitat' },
      createdBy: { id: STAFF.userId },
    });
    // Same name, other letter case: the slug gets a suffix; autocomplete lists the name once.
    const twin = await expectData<{ createProduct: { slug: string } }>(
      subgraph,
      CREATE,
      { input: { ...valid, sku: 'TR-HIDE-L2', name: 'CORK BARK HIDE LARGE' } },
      STAFF,
    );
    expect(twin.createProduct.slug).toBe('cork-bark-hide-large-2');
    const { searchSuggestions } = await expectData<{ searchSuggestions: string[] }>(subgraph, SUGGEST, {
      prefix: 'cork bark hide l',
    });
    expect(searchSuggestions).toHaveLength(1);
  });

  it('refuses a taken SKU with CONFLICT', async () => {
    await expectErrorCode(
      subgraph,
      'CONFLICT',
      CREATE,
      { input: { ...valid, sku: 'TR-HEAT-100', name: 'Another Emitter' } },
      STAFF,
    );
  });

  it.each([
    ['a lower-case SKU', { sku: 'tr-heat-200' }],
    ['a SKU with spaces', { sku: 'TR HEAT' }],
    ['a negative price', { price: { amount: -1, currency: 'EUR' } }],
    ['a lower-case currency', { price: { amount: 100, currency: 'eur' } }],
    ['a four-letter currency', { price: { amount: 100, currency: 'EURO' } }],
    ['a name without letters or digits', { name: '!!!' }],
    ['a blank name', { name: '   ' }],
    ['a name over 120 characters', { name: 'x'.repeat(121) }],
    ['a malformed category id', { categoryId: 'habitat' }],
    ['an unknown category', { categoryId: seedId('category:aquatics') }],
  ])('refuses %s with BAD_USER_INPUT', async (_, change) => {
    await expectErrorCode(
      subgraph,
      'BAD_USER_INPUT',
      CREATE,
      { input: { ...valid, sku: 'TR-NEW-1', ...change } },
      STAFF,
    );
  });

  it('refuses a fractional price before it reaches the resolver', async () => {
    await expectErrorCode(
      subgraph,
      'BAD_USER_INPUT',
      CREATE,
      { input: { ...valid, sku: 'TR-NEW-1', price: { amount: 10.5, currency: 'EUR' } } },
      STAFF,
    );
  });
});

describe('updateProduct', () => {
  it('is staff only', async () => {
    await expectErrorCode(subgraph, 'UNAUTHENTICATED', UPDATE, { id: tongs, input: { name: 'x' } });
    await expectErrorCode(subgraph, 'FORBIDDEN', UPDATE, { id: tongs, input: { name: 'x' } }, KEEPER);
  });

  it('checks the id and the fields', async () => {
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', UPDATE, { id: 'tongs', input: { name: 'x' } }, STAFF);
    await expectErrorCode(
      subgraph,
      'NOT_FOUND',
      UPDATE,
      { id: seedId('product:nope'), input: { name: 'x' } },
      STAFF,
    );
    await expectErrorCode(subgraph, 'BAD_USER_INPUT', UPDATE, { id: tongs, input: { name: null } }, STAFF);
    await expectErrorCode(
      subgraph,
      'BAD_USER_INPUT',
      UPDATE,
      { id: tongs, input: { price: { amount: -5, currency: 'EUR' } } },
      STAFF,
    );
    await expectErrorCode(subgraph, 'CONFLICT', UPDATE, { id: tongs, input: { sku: 'TR-HEAT-100' } }, STAFF);
  });

  it('changes fields, keeps the slug and can unfile the product', async () => {
    const id = seedId('product:TR-BOWL-L');
    const { updateProduct } = await expectData<{ updateProduct: unknown }>(
      subgraph,
      UPDATE,
      { id, input: { price: { amount: 1299, currency: 'EUR' }, categoryId: null } },
      STAFF,
    );
    expect(updateProduct).toEqual({
      id,
      sku: 'TR-BOWL-L',
      slug: 'water-bowl-large',
      name: 'Water Bowl Large',
      price: { amount: 1299, currency: 'EUR' },
      category: null,
    });
  });

  it('invalidates cached searches and suggestions: a cached search shows the new name', async () => {
    const search = { search: 'tongs', first: 10 };
    // The mice mention tongs in their description: ranked below the name match.
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, search))).toEqual([
      'Feeding Tongs 30cm',
      'Frozen Feeder Mice 10-pack',
    ]);
    expect(
      (await expectData<{ searchSuggestions: string[] }>(subgraph, SUGGEST, { prefix: 'stainless' }))
        .searchSuggestions,
    ).toEqual([]);
    // Proves the search is cached, so that what follows tests invalidation. Only with Redis: the
    // kit's in-memory store (no REDIS_URL) drops every write, so nothing is ever cached there.
    const versionBefore = await subgraph.cache.get<string>(VERSION_KEY);
    if (redisUrl)
      expect(await countStatements(subgraph, () => expectData(subgraph, PRODUCTS_PAGE, search))).toBe(0);

    await expectData(subgraph, UPDATE, { id: tongs, input: { name: 'Stainless Feeding Tongs 30cm' } }, STAFF);

    if (redisUrl) expect(await subgraph.cache.get<string>(VERSION_KEY)).not.toBe(versionBefore);
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, search))).toEqual([
      'Stainless Feeding Tongs 30cm',
      'Frozen Feeder Mice 10-pack',
    ]);
    expect(
      (await expectData<{ searchSuggestions: string[] }>(subgraph, SUGGEST, { prefix: 'stainless' }))
        .searchSuggestions,
    ).toEqual(['Stainless Feeding Tongs 30cm']);
    // The generated search vector followed the rename.
    expect(names(await expectData<Page>(subgraph, PRODUCTS_PAGE, { search: 'stainless' }))).toEqual([
      'Stainless Feeding Tongs 30cm',
    ]);
  });

  it('invalidates cached lists on create too', async () => {
    const before = await expectData<Page>(subgraph, PRODUCTS_PAGE, { category: 'monitoring' });
    await expectData(
      subgraph,
      CREATE,
      {
        input: {
          sku: 'TR-PROBE',
          name: 'Infrared Thermometer',
          description: 'Point-and-read surface temperature.',
          price: { amount: 1999, currency: 'EUR' },
          categoryId: seedId('category:monitoring'),
        },
      },
      STAFF,
    );
    const after = await expectData<Page>(subgraph, PRODUCTS_PAGE, { category: 'monitoring' });
    expect(after.products.totalCount).toBe(before.products.totalCount + 1);
    expect(names(after)).toContain('Infrared Thermometer');
  });
});

describe('seed', () => {
  it('is idempotent: a restart adds nothing and keeps staff edits', async () => {
    const count = async (s: ProductsSubgraph) =>
      (await expectData<Page>(s, PRODUCTS_PAGE, { first: 0 })).products.totalCount;
    const before = await count(subgraph);
    const restarted = await startProducts('products_mutations_test');
    try {
      expect(await count(restarted)).toBe(before);
      const data = await expectData<{ product: { name: string } | null }>(
        restarted,
        '{ product(slug: "feeding-tongs-30cm") { name } }',
      );
      expect(data.product?.name).toBe('Stainless Feeding Tongs 30cm');
    } finally {
      await restarted.stop();
    }
  });
});
