import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** The idempotency record of a checkout: (user, key) -> the order it placed and the cart it priced. */
export const CheckoutRequest = defineEntity({
  name: 'CheckoutRequest',
  tableName: 'checkout_request',
  properties: {
    userId: p.uuid().primary(),
    idempotencyKey: p.string().primary(),
    /** SHA-256 of the cart's lines and coupon (see cart-hash.ts). */
    cartHash: p.string(),
    orderId: p.uuid(),
    createdAt: p.datetime(),
  },
});
export type CheckoutRequestEntity = InferEntity<typeof CheckoutRequest>;
