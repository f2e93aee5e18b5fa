import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;

/**
 * Money going back to the buyer through the provider. PENDING until the `payment.refund` job has
 * the provider's answer; the row's id is the provider call's idempotency key, so it is paid once.
 */
export const Refund = defineEntity({
  name: 'Refund',
  tableName: 'refund',
  properties: {
    id: p.uuid().primary(),
    orderId: p.uuid(),
    paymentId: p.uuid(),
    /** Minor units of `currency`. */
    amount: p.integer(),
    currency: p.string(),
    reason: p.string(),
    requestedBy: p.uuid().nullable(),
    status: p.enum([...REFUND_STATUSES]),
    providerRefundId: p.string().nullable(),
    failureReason: p.string().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
    settledAt: p.datetime().nullable(),
  },
});
export type RefundEntity = InferEntity<typeof Refund>;
