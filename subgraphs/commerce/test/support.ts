import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, loadSubgraphConfig, seedId, type Caller } from '@terrarium/kit';
import type { GraphQLFormattedError } from 'graphql';
import type { PaymentProvider } from '../src/payments/provider.js';
import { createCommerceSubgraph, type CommerceSubgraph } from '../src/subgraph.js';

export type { CommerceSubgraph };

/**
 * The commerce subgraph on its own Postgres schema of the run's fresh database (and the run's
 * Redis, when REDIS_URL is set), seeded, with the sweeper off (tests run it by hand). `urls`
 * point it at real sibling subgraphs (INVENTORY_URL, PRODUCTS_URL); unset, at a dead port.
 */
export async function startCommerce(
  schema: string,
  options: { urls?: { inventory?: string; products?: string }; payments?: PaymentProvider } = {},
): Promise<CommerceSubgraph> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COMMERCE_DATABASE_SCHEMA: schema,
    COMMERCE_PORT: '0',
    SEED_DEMO: 'true',
    INVENTORY_URL: options.urls?.inventory ?? (await deadUrl()),
    PRODUCTS_URL: options.urls?.products ?? (await deadUrl()),
  };
  return createCommerceSubgraph(loadSubgraphConfig('commerce', env), {
    settings: { staleAfterSeconds: 60, sweepIntervalMs: 0, anonymousCartTtlDays: 30, paymentProvider: 'development' },
    ...(options.payments ? { payments: options.payments } : {}),
  });
}

/** A URL nothing listens on (a port the OS just handed out and took back): connections are refused. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
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

/** A signed-in keeper of their own, so that tests do not share carts. */
export function newKeeper(): Caller {
  return { ...ANONYMOUS, userId: randomUUID(), roles: ['KEEPER'] };
}

export const animalId = (n: number): string => seedId(`animal:${n}`);
export const productId = (sku: string): string => seedId(`product:${sku}`);
export const animalListing = (n: number): string => seedId(`listing:animal:${n}`);
export const productListing = (sku: string): string => seedId(`listing:product:${sku}`);
export const KEEPER_ORDER = seedId('order:keeper:1');

export interface Result<T> {
  data: T | null;
  errors: readonly GraphQLFormattedError[];
}

export async function gql<T>(subgraph: CommerceSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<Result<T>> {
  const response = await subgraph.execute({ query, variables }, caller);
  if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
  return { data: (response.body.singleResult.data ?? null) as T | null, errors: response.body.singleResult.errors ?? [] };
}

/** The data of an operation that must succeed. */
export async function ok<T>(subgraph: CommerceSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<T> {
  const result = await gql<T>(subgraph, query, variables, caller);
  if (result.errors.length > 0) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data!;
}

/** The error codes of an operation, in order. */
export async function codes(subgraph: CommerceSubgraph, query: string, variables: Record<string, unknown> = {}, caller: Caller = ANONYMOUS): Promise<unknown[]> {
  const result = await gql(subgraph, query, variables, caller);
  return result.errors.map((error) => error.extensions?.['code']);
}

/** Reads commerce's own tables directly, to check what operations left behind. */
export function sql<T extends object>(subgraph: CommerceSubgraph, text: string, params: unknown[] = []): Promise<T[]> {
  return subgraph.orm.em.fork().getConnection().execute<T[]>(text, params);
}

export const ADD_LISTING = /* GraphQL */ `
  mutation Add($listingId: ID, $productId: ID, $quantity: Int! = 1, $cartToken: String) {
    addToCart(listingId: $listingId, productId: $productId, quantity: $quantity, cartToken: $cartToken) {
      id token coupon
      lines { id quantity listing { id } product { id } unitPrice { amount currency } }
      subtotal { amount currency } discount { amount currency } total { amount currency }
    }
  }`;

export interface CartData {
  id: string;
  token: string | null;
  coupon: string | null;
  lines: { id: string; quantity: number; listing: { id: string } | null; product: { id: string } | null; unitPrice: { amount: number; currency: string } }[];
  subtotal: { amount: number; currency: string };
  discount: { amount: number; currency: string } | null;
  total: { amount: number; currency: string };
}
