import type { Money } from '../money.js';

export interface PaymentIntent {
  /** The provider's id for the intent; confirm() takes it. */
  id: string;
}

export type PaymentResult = { status: 'succeeded' } | { status: 'failed'; reason: string };

/**
 * A payment provider, as commerce drives it: create an intent to take `amount` for an order,
 * then confirm it. Both must be idempotent for the same `reference` / intent id (as real
 * providers are with idempotency keys), because commerce retries them after a crash or timeout.
 * A method that cannot reach the provider throws; a declined payment is a `failed` result.
 */
export interface PaymentProvider {
  readonly name: string;
  createIntent(input: { reference: string; orderId: string; amount: Money }): Promise<PaymentIntent>;
  confirm(intentId: string): Promise<PaymentResult>;
}
