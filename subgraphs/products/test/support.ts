import { ANONYMOUS, loadSubgraphConfig, seedId, type Caller, type Subgraph } from '@terrarium/kit';
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

export const STAFF: Caller = { ...ANONYMOUS, userId: seedId('user:admin@terrarium.test'), roles: ['STAFF'] };
export const KEEPER: Caller = { ...ANONYMOUS, userId: seedId('user:keeper@terrarium.test'), roles: ['KEEPER'] };
export const BREEDER: Caller = {
  ...ANONYMOUS,
  userId: seedId('user:breeder@terrarium.test'),
  roles: ['BREEDER'],
  organizationIds: [seedId('org:sunset-reptiles')],
};

export interface Result<T> {
  data: T | null | undefined;
  errors: readonly { message: string; extensions?: Record<string, unknown> }[] | undefined;
}

export async function run<T>(subgraph: ProductsSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<Result<T>> {
  const response = await subgraph.execute({ query, variables }, caller);
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const { data, errors } = response.body.singleResult;
  return { data: data as T | null | undefined, errors };
}

/** The data of an operation that must succeed. */
export async function ok<T>(subgraph: ProductsSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<T> {
  const result = await run<T>(subgraph, query, variables, caller);
  expect(result.errors).toBeUndefined();
  return result.data as T;
}

/** Asserts that the operation fails with `code` and returns the first error. */
export async function fails(subgraph: ProductsSubgraph, code: string, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS) {
  const result = await run(subgraph, query, variables, caller);
  expect(result.errors?.map((e) => e.extensions?.['code'])).toEqual([code]);
  return result.errors![0]!;
}

/** SQL statements `action` sent. */
export async function countStatements(subgraph: ProductsSubgraph, action: () => Promise<unknown>): Promise<number> {
  const before = subgraph.sqlStatementCount();
  await action();
  return subgraph.sqlStatementCount() - before;
}

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
