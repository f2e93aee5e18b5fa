import { ANONYMOUS, loadSubgraphConfig, seedId, type Caller, type Subgraph } from '@terrarium/kit';
import type { GraphQLFormattedError } from 'graphql';
import type { Loaders } from '../src/loaders/index.js';
import { createInventorySubgraph } from '../src/subgraph.js';

export type InventorySubgraph = Subgraph<Loaders>;

/**
 * The inventory subgraph on its own Postgres schema of the run's fresh database, seeded with the
 * demo data. `redis: false` uses the in-process event bus: a subscription is then registered the
 * moment it is first read, so a test can publish right after without waiting.
 */
export async function startInventory(schema: string, options: { redis?: boolean } = {}): Promise<InventorySubgraph> {
  const env: NodeJS.ProcessEnv = { ...process.env, INVENTORY_DATABASE_SCHEMA: schema, INVENTORY_PORT: '0', SEED_DEMO: 'true' };
  if (options.redis === false) {
    env['REDIS_URL'] = '';
    env['INVENTORY_REDIS_URL'] = '';
  }
  return createInventorySubgraph(loadSubgraphConfig('inventory', env));
}

export const ORG = {
  sunset: seedId('org:sunset-reptiles'),
  scales: seedId('org:scales-and-tails'),
  desert: seedId('org:desert-morphs'),
};

export const STAFF: Caller = { ...ANONYMOUS, userId: seedId('user:admin@terrarium.test'), roles: ['STAFF'] };
/** Bea Breeder, member of sunset-reptiles (animals 1, 4, 7, ...). */
export const BEA: Caller = { ...ANONYMOUS, userId: seedId('user:breeder@terrarium.test'), roles: ['BREEDER'], organizationIds: [ORG.sunset] };
export const KEEPER: Caller = { ...ANONYMOUS, userId: seedId('user:keeper@terrarium.test'), roles: ['KEEPER'] };
export const COMMERCE: Caller = { ...ANONYMOUS, service: 'commerce' };

export const animalId = (n: number): string => seedId(`animal:${n}`);
export const productId = (sku: string): string => seedId(`product:${sku}`);
export const speciesId = (slug: string): string => seedId(`species:${slug}`);

export interface Result<T> {
  data: T | null;
  errors: readonly GraphQLFormattedError[];
}

export async function gql<T>(subgraph: InventorySubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<Result<T>> {
  const response = await subgraph.execute({ query, variables }, caller);
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return { data: (response.body.singleResult.data ?? null) as T | null, errors: response.body.singleResult.errors ?? [] };
}

/** The data of an operation that must succeed. */
export async function ok<T>(subgraph: InventorySubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<T> {
  const result = await gql<T>(subgraph, query, variables, caller);
  if (result.errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

/** The error codes of an operation, in order. */
export async function codes(subgraph: InventorySubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<unknown[]> {
  const result = await gql(subgraph, query, variables, caller);
  return result.errors.map((error) => error.extensions?.['code']);
}

/** SQL statements one operation sends. */
export async function statementsOf(subgraph: InventorySubgraph, run: () => Promise<unknown>): Promise<number> {
  const before = subgraph.sqlStatementCount();
  await run();
  return subgraph.sqlStatementCount() - before;
}

export const STOCK_OF = /* GraphQL */ `
  query StockOf($id: ID!) {
    _entities(representations: [{ __typename: "Product", id: $id }]) { ... on Product { id stock { onHand reserved available } } }
  }`;

export interface StockLevel {
  onHand: number;
  reserved: number;
  available: number;
}

export async function stockOf(subgraph: InventorySubgraph, id: string): Promise<StockLevel> {
  const data = await ok<{ _entities: [{ stock: StockLevel }] }>(subgraph, STOCK_OF, { id });
  return data._entities[0].stock;
}

export const ADJUST_STOCK = /* GraphQL */ `
  mutation AdjustStock($productId: ID!, $delta: Int!, $reason: String!) {
    adjustStock(productId: $productId, delta: $delta, reason: $reason) { id stock { onHand reserved available } }
  }`;

export const RESERVE = /* GraphQL */ `
  mutation Reserve($orderId: ID!, $items: [ReservationItemInput!]!) {
    reserveForOrder(orderId: $orderId, items: $items) { orderId status }
  }`;
export const RELEASE = /* GraphQL */ `
  mutation Release($orderId: ID!) { releaseForOrder(orderId: $orderId) { orderId status } }`;
export const COMMIT = /* GraphQL */ `
  mutation Commit($orderId: ID!) { commitForOrder(orderId: $orderId) { orderId status } }`;
