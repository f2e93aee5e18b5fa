import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { demoCallers } from '@terrarium/subgraph-kit/testing';
import type { Loaders } from '../src/loaders/index.js';
import { createProductsSubgraph } from '../src/subgraph.js';

export type ProductsSubgraph = Subgraph<Loaders>;

/** Redis is used when REDIS_URL is set; cache-hit assertions need a working cache. */
export const redisUrl = process.env['REDIS_URL'];

/** A seeded products subgraph in its own Postgres schema of the run's fresh database. */
export function startProducts(schema: string, env: NodeJS.ProcessEnv = {}): Promise<ProductsSubgraph> {
  return createProductsSubgraph(
    loadSubgraphConfig('products', {
      ...process.env,
      PRODUCTS_DATABASE_SCHEMA: schema,
      PRODUCTS_PORT: '0',
      SEED_DEMO: 'true',
      ...env,
    }),
  );
}

export const { staff: STAFF, keeper: KEEPER, breeder: BREEDER } = demoCallers;

export const PRODUCTS_PAGE = /* GraphQL */ `
  query Page($search: String, $category: String, $first: Int, $after: String) {
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
          sku
          price {
            amount
            currency
          }
        }
      }
    }
  }
`;

export interface Page {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: {
      cursor: string;
      node: {
        id: string;
        name: string;
        slug: string;
        sku: string;
        price: { amount: number; currency: string };
      };
    }[];
  };
}

export const names = (page: Page) => page.products.edges.map((edge) => edge.node.name);
