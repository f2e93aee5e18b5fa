import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** REFUNDED: settled refunds add up to the amount (a partial refund keeps SUCCEEDED). */
export const PAYMENT_STATUSES = ['PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED'] as const;

/** An order's payment, driven through the PaymentProvider interface; a declined one is tried again as a new attempt. */
export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    provider: p.string(),
    /** Counts tries after declines; the provider reference is `<id>:<attempt>`. */
    attempt: p.integer(),
    intentId: p.string().nullable(),
    /** The buyer's payment method token for this attempt; null: the provider's default. */
    paymentMethod: p.string().nullable(),
    /** Minor units of `currency`. */
    amount: p.integer(),
    currency: p.string(),
    status: p.enum([...PAYMENT_STATUSES]),
    failureReason: p.string().nullable(),
    /** Refunds asked for so far, pending or settled; never more than `amount` (a check constraint). */
    refundRequestedAmount: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type PaymentEntity = InferEntity<typeof Payment>;
