import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const PAYMENT_STATUSES = ['PROCESSING', 'SUCCEEDED', 'FAILED'] as const;

/** One payment attempt per order, driven through the PaymentProvider interface. */
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
    amount: p.integer(),
    currency: p.string(),
    status: p.enum([...PAYMENT_STATUSES]),
    failureReason: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type PaymentEntity = InferEntity<typeof Payment>;
