import type { Money } from '../money.js';

export interface PaymentIntent {
  /** The provider's id for the intent; confirm() and refund() take it. */
  id: string;
}

export type PaymentResult = { status: 'succeeded' } | { status: 'failed'; reason: string };

/** A refund the provider refused for good (e.g. more than was charged); a refund it could not answer throws. */
export type RefundResult = { status: 'succeeded'; refundId: string } | { status: 'failed'; reason: string };

/**
 * A payment provider, as commerce drives it from its jobs (never from a request): create an
 * intent to take `amount` for an order, confirm it (the charge), and refund some or all of a
 * charge. Every method must be idempotent for the same `reference` / intent id (as real providers
 * are with idempotency keys), because a job that crashed or timed out asks again. A method that
 * cannot reach the provider throws (the job retries with backoff); a declined payment or a
 * refused refund is a `failed` result.
 */
export interface PaymentProvider {
  readonly name: string;
  /** `paymentMethod`: the buyer's token for a card or wallet; null asks the provider's default. */
  createIntent(input: {
    reference: string;
    orderId: string;
    amount: Money;
    paymentMethod: string | null;
  }): Promise<PaymentIntent>;
  confirm(intentId: string): Promise<PaymentResult>;
  /** Gives `amount` of the intent's charge back; the same `reference` is the same refund, made once. */
  refund(intentId: string, amount: Money, reference: string): Promise<RefundResult>;
}
