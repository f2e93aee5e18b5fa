import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import type { Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { demoCallers, executeOperation, operationData, sqlStatementsDuring } from '@terrarium/subgraph-kit/testing';
import { expect } from 'vitest';
import type { Loaders } from '../src/loaders/index.js';
import { createProductsSubgraph } from '../src/subgraph.js';

export type ProductsSubgraph = Subgraph<Loaders>;

/** Redis is used when REDIS_URL is set; cache-hit assertions need a working cache. */
export const redisUrl = process.env['REDIS_URL'];

/** A seeded products subgraph in its own Postgres schema of the run's fresh database. */
export function startProducts(schema: string): Promise<ProductsSubgraph> {
  return createProductsSubgraph(
    loadSubgraphConfig('products', { ...process.env, PRODUCTS_DATABASE_SCHEMA: schema, PRODUCTS_PORT: '0', SEED_DEMO: 'true' }),
  );
}

export const { staff: STAFF, keeper: KEEPER, breeder: BREEDER } = demoCallers;

export interface Result<T> {
  data: T | null | undefined;
  errors: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined;
}

export async function run<T>(subgraph: ProductsSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<Result<T>> {
  const { data, errors } = await executeOperation<T>(subgraph, query, variables, caller);
  return { data, errors: errors.length > 0 ? errors : undefined };
}

/** The data of an operation that must succeed. */
export const ok = <T>(subgraph: ProductsSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<T> =>
  operationData<T>(subgraph, query, variables, caller);

/** Asserts that the operation fails with `code` and returns the first error. */
export async function fails(subgraph: ProductsSubgraph, code: string, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS) {
  const result = await run(subgraph, query, variables, caller);
  expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual([code]);
  return result.errors![0]!;
}

/** SQL statements `action` sent. */
export const countStatements = sqlStatementsDuring;

export const PRODUCTS_PAGE = /* GraphQL */ `
  query Page($search: String, $category: String, $first: Int, $after: String) {
    products(search: $search, categorySlug: $category, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id name slug sku price { amount currency } } }
    }
  }
`;

export interface Page {
  products: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: { id: string; name: string; slug: string; sku: string; price: { amount: number; currency: string } } }[];
  };
}

export const names = (page: Page) => page.products.edges.map((edge) => edge.node.name);
