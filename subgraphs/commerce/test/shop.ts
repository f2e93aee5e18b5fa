import { randomUUID } from 'node:crypto';
import type { Caller } from '@terrarium/platform/caller';
import { expectData } from '@terrarium/subgraph-kit/testing';
import {
  createDevelopmentPaymentProvider,
  type PaymentProviderDeps,
} from '../src/payments/development.provider.js';
import type { PaymentProvider } from '../src/payments/provider.js';
import type { CommerceSettings } from '../src/settings.js';
import { startSibling, type RunningSibling } from './siblings.js';
import {
  ADD_LISTING,
  ADDRESS,
  animalListing,
  productId,
  sql,
  startCommerce,
  waitFor,
  type CommerceSubgraph,
} from './support.js';

/**
 * A provider outage for the payment tests, around the real development provider (its ledger is
 * the one the tests read): `down` fails the next calls before they reach the provider, as an
 * unreachable provider would; `answerLost` lets the next calls through and then throws, as when
 * the provider made the charge or refund but its answer never came back. Shared by every
 * commerce instance of a test file, so whichever worker takes a job meets the same outage.
 */
export interface Outage {
  down: { confirm: number; refund: number };
  answerLost: { confirm: number; refund: number };
  calls: { confirm: number; refund: number };
}

export function createOutage(): Outage {
  return {
    down: { confirm: 0, refund: 0 },
    answerLost: { confirm: 0, refund: 0 },
    calls: { confirm: 0, refund: 0 },
  };
}

async function through<T>(outage: Outage, method: 'confirm' | 'refund', call: () => Promise<T>): Promise<T> {
  outage.calls[method] += 1;
  if (outage.down[method] > 0) {
    outage.down[method] -= 1;
    throw new Error('payment provider unreachable (test outage)');
  }
  const result = await call();
  if (outage.answerLost[method] > 0) {
    outage.answerLost[method] -= 1;
    throw new Error('payment provider answer lost (test outage)');
  }
  return result;
}

export function providerWith(outage: Outage): (deps: PaymentProviderDeps) => PaymentProvider {
  return (deps) => {
    const real = createDevelopmentPaymentProvider(deps);
    return {
      name: real.name,
      createIntent: (input) => real.createIntent(input),
      confirm: (intentId) => through(outage, 'confirm', () => real.confirm(intentId)),
      refund: (intentId, amount, reference) =>
        through(outage, 'refund', () => real.refund(intentId, amount, reference)),
    };
  };
}

/** Real products and inventory on their own schemas, and commerce (one or more instances) in front of them. */
export interface Shop {
  products: RunningSibling;
  inventory: RunningSibling;
  commerce: CommerceSubgraph;
  outage: Outage;
  /** Another commerce instance on the same schema and siblings, with settings of its own. */
  another(settings: Partial<CommerceSettings>): Promise<CommerceSubgraph>;
  stop(): Promise<void>;
}

export async function startShop(schema: string): Promise<Shop> {
  const products = await startSibling('products', `${schema}_products`);
  const inventory = await startSibling('inventory', `${schema}_inventory`);
  const outage = createOutage();
  const urls = { products: products.url, inventory: inventory.url };
  const commerce = await startCommerce(schema, { urls, payments: providerWith(outage) });
  return {
    products,
    inventory,
    commerce,
    outage,
    another: (settings) => startCommerce(schema, { urls, payments: providerWith(outage), settings }),
    async stop() {
      await commerce.stop();
      await Promise.all([inventory.subgraph.stop(), products.subgraph.stop()]);
    },
  };
}

export type Item = { sku: string; quantity: number } | { listing: number };

const CHECKOUT =
  'mutation($key: String!, $address: AddressInput) { checkout(idempotencyKey: $key, shippingAddress: $address) { id placedAt paymentDueBy total { amount currency } } }';

export interface Placed {
  id: string;
  placedAt: string;
  paymentDueBy: string;
  total: { amount: number; currency: string };
}

/** Fills the buyer's cart (and coupon) and checks out through `commerce`, shipping to ADDRESS. */
export async function placeOrder(
  commerce: CommerceSubgraph,
  buyer: Caller,
  items: Item[],
  coupon?: string,
): Promise<Placed> {
  for (const item of items) {
    const variables =
      'sku' in item
        ? { productId: productId(item.sku), quantity: item.quantity }
        : { listingId: animalListing(item.listing) };
    await expectData(commerce, ADD_LISTING, variables, buyer);
  }
  if (coupon)
    await expectData(
      commerce,
      'mutation($code: String!) { applyCoupon(code: $code) { coupon } }',
      { code: coupon },
      buyer,
    );
  return (
    await expectData<{ checkout: Placed }>(commerce, CHECKOUT, { key: randomUUID(), address: ADDRESS }, buyer)
  ).checkout;
}

export const PAY =
  'mutation($id: ID!, $method: String) { payOrder(orderId: $id, paymentMethod: $method) { id status payment { status } } }';

export interface OrderView {
  status: string;
  payment: { status: string; failureReason: string | null };
  refunded: { amount: number; currency: string };
  statusHistory: { from: string | null; to: string; changedBy: { id: string } | null }[];
}

const ORDER_VIEW =
  'query($id: ID!) { order(id: $id) { status payment { status failureReason } refunded { amount currency } statusHistory { from to changedBy { id } } } }';

export async function orderView(
  commerce: CommerceSubgraph,
  caller: Caller,
  orderId: string,
): Promise<OrderView> {
  return (await expectData<{ order: OrderView }>(commerce, ORDER_VIEW, { id: orderId }, caller)).order;
}

/** Pays and waits until the order is PAID and its reservation committed in inventory. */
export async function payAndSettle(
  commerce: CommerceSubgraph,
  buyer: Caller,
  orderId: string,
): Promise<void> {
  await expectData(commerce, PAY, { id: orderId }, buyer);
  await waitFor(
    () => reservationState(commerce, orderId),
    (state) => state === 'COMMITTED',
  );
}

export async function reservationState(commerce: CommerceSubgraph, orderId: string): Promise<string> {
  const [row] = await sql<{ state: string }>(
    commerce,
    'select reservation_state as state from orders where id = ?',
    [orderId],
  );
  return row!.state;
}

export async function listingStatus(commerce: CommerceSubgraph, n: number): Promise<string> {
  const [row] = await sql<{ status: string }>(commerce, 'select status from listing where id = ?', [
    animalListing(n),
  ]);
  return row!.status;
}

/** The development provider's ledger for an order: every charge and refund, oldest first. */
export function ledgerOf(
  commerce: CommerceSubgraph,
  orderId: string,
): Promise<{ kind: string; amount: number }[]> {
  return sql(
    commerce,
    'select e.kind, e.amount from simulated_ledger_entry e join simulated_payment_intent i on i.id = e.intent_id where i.order_id = ? order by e.created_at',
    [orderId],
  );
}
