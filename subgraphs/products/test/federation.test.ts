import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements, expectData } from '@terrarium/subgraph-kit/testing';
import { redisUrl, startProducts, type ProductsSubgraph } from './support.js';

const ENTITIES = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Product {
        id
        sku
        slug
        name
        price {
          amount
          currency
        }
      }
      ... on Category {
        id
        slug
      }
    }
  }
`;
type SearchPage = {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { id: string } }[];
  };
};
type Entities = { _entities: ({ id: string; sku?: string; slug: string; name?: string } | null)[] };

/** The SearchProducts contract query, as far as this subgraph answers it. */
const SEARCH_PRODUCTS = /* GraphQL */ `
  query SearchProducts($search: String, $category: String, $first: Int = 20, $after: String) {
    products(search: $search, categorySlug: $category, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          name
          slug
          price {
            amount
            currency
          }
        }
      }
    }
  }
`;

const EMITTER = {
  id: seedId('product:TR-HEAT-100'),
  sku: 'TR-HEAT-100',
  slug: 'ceramic-heat-emitter-100w',
  name: 'Ceramic Heat Emitter 100W',
  price: { amount: 2499, currency: 'EUR' },
};
/** Bulk products added beside the 12 seeded ones, so that a batch of 50 finds 50 rows. */
const EXTRA = 60;

let subgraph: ProductsSubgraph;
let extraIds: string[];
beforeAll(async () => {
  subgraph = await startProducts('products_federation_test');
  const rows = await subgraph.orm.em.getConnection().execute<{ id: string }[]>(
    `insert into products_federation_test.product (sku, slug, name, description, price_amount, price_currency)
     select 'TR-BULK-' || n, 'bulk-lamp-' || n, 'Bulk Lamp ' || lpad(n::text, 3, '0'), 'A lamp for batching tests.', 500 + n, 'EUR'
       from generate_series(1, ${EXTRA}) as n
     returning id`,
  );
  extraIds = rows.map((row) => row.id);
});
afterAll(async () => {
  await subgraph?.stop();
});

describe('_entities', () => {
  it.each([
    ['id', { id: EMITTER.id }],
    ['id in upper case', { id: EMITTER.id.toUpperCase() }],
    ['sku', { sku: EMITTER.sku }],
    ['slug', { slug: EMITTER.slug }],
  ])('resolves a Product by %s', async (_, key) => {
    const data = await expectData<Entities>(subgraph, ENTITIES, {
      representations: [{ __typename: 'Product', ...key }],
    });
    expect(data._entities).toEqual([EMITTER]);
  });

  it('answers null for unknown or malformed keys, without failing the batch', async () => {
    const data = await expectData<Entities>(subgraph, ENTITIES, {
      representations: [
        { __typename: 'Product', id: seedId('product:missing') },
        { __typename: 'Product', id: 'not-a-uuid' },
        { __typename: 'Product', sku: 'TR-NOPE' },
        { __typename: 'Product', slug: EMITTER.slug },
      ],
    });
    expect(data._entities).toEqual([null, null, null, EMITTER]);
  });

  it('resolves a Category by id', async () => {
    const data = await expectData<Entities>(subgraph, ENTITIES, {
      representations: [{ __typename: 'Category', id: seedId('category:habitat') }],
    });
    expect(data._entities).toEqual([{ id: seedId('category:habitat'), slug: 'habitat' }]);
  });
});

describe('SQL statements per operation', () => {
  it('resolves 50 Product references by id in 1 statement', async () => {
    const ids = extraIds.slice(0, 50);
    let data: Entities | undefined;
    const statements = await countStatements(subgraph, async () => {
      data = await expectData<Entities>(subgraph, ENTITIES, {
        representations: ids.map((id) => ({ __typename: 'Product', id })),
      });
    });
    expect(data!._entities.map((e) => e?.id)).toEqual(ids);
    expect(statements).toBe(1);
  });

  it('resolves references by all three keys in 1 statement per key', async () => {
    const representations = [
      ...extraIds.slice(0, 20).map((id) => ({ __typename: 'Product', id })),
      ...Array.from({ length: 20 }, (_, i) => ({ __typename: 'Product', sku: `TR-BULK-${i + 21}` })),
      ...Array.from({ length: 10 }, (_, i) => ({ __typename: 'Product', slug: `bulk-lamp-${i + 41}` })),
    ];
    let data: Entities | undefined;
    const statements = await countStatements(subgraph, async () => {
      data = await expectData<Entities>(subgraph, ENTITIES, { representations });
    });
    expect(data!._entities.every((e) => e !== null)).toBe(true);
    expect(statements).toBe(3);
  });

  it('answers SearchProducts with products(first: 50) in 1 statement, page and totalCount together', async () => {
    // A search nobody has cached yet, so the count is the cold cost.
    const variables = { search: 'lamp', first: 50 };
    let page: SearchPage | undefined;
    const cold = await countStatements(subgraph, async () => {
      page = await expectData(subgraph, SEARCH_PRODUCTS, variables);
    });
    expect(page!.products.totalCount).toBe(EXTRA);
    expect(page!.products.edges).toHaveLength(50);
    expect(page!.products.pageInfo.hasNextPage).toBe(true);
    expect(cold).toBe(1);

    // The 60 bulk lamps tie on rank: the keyset on (rank, id) still splits them without overlap.
    const next = await expectData<SearchPage>(subgraph, SEARCH_PRODUCTS, {
      ...variables,
      after: page!.products.pageInfo.endCursor,
    });
    const ids = [...page!.products.edges, ...next.products.edges].map((edge) => edge.node.id);
    expect(next.products.edges).toHaveLength(EXTRA - 50);
    expect(next.products.pageInfo.hasNextPage).toBe(false);
    expect(new Set(ids)).toEqual(new Set(extraIds));

    const browse = await countStatements(subgraph, () =>
      expectData(subgraph, SEARCH_PRODUCTS, { first: 50 }),
    );
    expect(browse).toBe(1);
    if (redisUrl) {
      // Served from the cache until a product write.
      expect(await countStatements(subgraph, () => expectData(subgraph, SEARCH_PRODUCTS, variables))).toBe(0);
    }
  });
});
