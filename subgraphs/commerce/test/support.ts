import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ANONYMOUS, type Caller } from '@terrarium/platform/caller';
import { loadSubgraphConfig } from '@terrarium/subgraph-kit/config';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { demoCallers } from '@terrarium/subgraph-kit/testing';
import type { PaymentProviderDeps } from '../src/payments/development.provider.js';
import type { PaymentProvider } from '../src/payments/provider.js';
import type { CommerceSettings } from '../src/settings.js';
import { createCommerceSubgraph, type CommerceSubgraph } from '../src/subgraph.js';

export type { CommerceSubgraph };

/**
 * The commerce subgraph on its own Postgres schema of the run's fresh database (and the run's
 * Redis, when REDIS_URL is set), seeded, with the sweeper off (tests run it by hand) and orders
 * due to be paid within 30 minutes. `urls` point it at real sibling subgraphs (INVENTORY_URL,
 * PRODUCTS_URL); unset, at a dead port, as ops always is here (audit and mail jobs wait in the
 * queue, where tests read them: mailRequests).
 */
export async function startCommerce(
  schema: string,
  options: {
    urls?: { inventory?: string; products?: string };
    payments?: (deps: PaymentProviderDeps) => PaymentProvider;
    settings?: Partial<CommerceSettings>;
  } = {},
): Promise<CommerceSubgraph> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    COMMERCE_DATABASE_SCHEMA: schema,
    COMMERCE_PORT: '0',
    SEED_DEMO: 'true',
    INVENTORY_URL: options.urls?.inventory ?? (await deadUrl()),
    PRODUCTS_URL: options.urls?.products ?? (await deadUrl()),
    OPS_URL: await deadUrl(),
  };
  return createCommerceSubgraph(loadSubgraphConfig('commerce', env), {
    settings: {
      staleAfterSeconds: 60,
      sweepIntervalMs: 0,
      anonymousCartTtlDays: 30,
      paymentTimeoutMs: 30 * 60_000,
      paymentProvider: 'development',
      deliveryConfirmDays: 14,
      ...options.settings,
    },
    ...(options.payments ? { payments: options.payments } : {}),
  });
}

/** Polls `read` until `done` holds for its value (every 50 ms, up to `timeoutMs`); the last value otherwise, for the assertion to show. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface MailRequestData {
  userId: string;
  template: string;
  data: Record<string, string>;
  key: string;
}

/** The mails commerce asked ops for (its `mail.request` jobs, waiting or done), optionally only those about `orderId`. */
export async function mailRequests(subgraph: CommerceSubgraph, orderId?: string): Promise<MailRequestData[]> {
  const schema = subgraph.jobs.schema;
  const rows = await sql<{ data: MailRequestData }>(
    subgraph,
    `select data, created_on from "${schema}".job where name = 'mail.request'
      union all select data, created_on from "${schema}".archive where name = 'mail.request' order by created_on`,
  );
  return rows
    .map((row) => row.data)
    .filter((mail) => orderId === undefined || mail.data['orderId'] === orderId);
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

export const { staff: STAFF, breeder: BEA, keeper: KEEPER } = demoCallers;

/** A signed-in keeper of their own, so that tests do not share carts. */
export function newKeeper(): Caller {
  return { ...ANONYMOUS, userId: randomUUID(), roles: ['KEEPER'] };
}

export const animalId = (n: number): string => seedId(`animal:${n}`);
export const productId = (sku: string): string => seedId(`product:${sku}`);
export const animalListing = (n: number): string => seedId(`listing:animal:${n}`);
export const productListing = (sku: string): string => seedId(`listing:product:${sku}`);
export const KEEPER_ORDER = seedId('order:keeper:1');

/** A valid shipping address for checkout (every order ships). */
export const ADDRESS = {
  name: 'Kai Keeper',
  line1: 'Terrarienweg 12',
  line2: null,
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
} as const;

export function sql<T extends object>(
  subgraph: CommerceSubgraph,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return subgraph.orm.em.fork().getConnection().execute<T[]>(text, params);
}

export const ADD_LISTING = /* GraphQL */ `
  mutation Add($listingId: ID, $productId: ID, $quantity: Int! = 1, $cartToken: String) {
    addToCart(listingId: $listingId, productId: $productId, quantity: $quantity, cartToken: $cartToken) {
      id
      token
      coupon
      lines {
        id
        quantity
        listing {
          id
        }
        product {
          id
        }
        unitPrice {
          amount
          currency
        }
      }
      subtotal {
        amount
        currency
      }
      discount {
        amount
        currency
      }
      total {
        amount
        currency
      }
    }
  }
`;

export interface CartData {
  id: string;
  token: string | null;
  coupon: string | null;
  lines: {
    id: string;
    quantity: number;
    listing: { id: string } | null;
    product: { id: string } | null;
    unitPrice: { amount: number; currency: string };
  }[];
  subtotal: { amount: number; currency: string };
  discount: { amount: number; currency: string } | null;
  total: { amount: number; currency: string };
}
