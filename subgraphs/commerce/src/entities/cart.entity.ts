import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A signed-in user's cart (userId) or an anonymous one (tokenHash: SHA-256 of the bearer token,
 * which is never stored). `version` grows with every change; checkout locks the cart it priced by
 * setting `checkoutOrderId` only if the version is unchanged.
 */
export const Cart = defineEntity({
  name: 'Cart',
  tableName: 'cart',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid().nullable(),
    tokenHash: p.string().nullable(),
    couponCode: p.string().nullable(),
    version: p.integer(),
    checkoutOrderId: p.uuid().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type CartEntity = InferEntity<typeof Cart>;

export const CartLine = defineEntity({
  name: 'CartLine',
  tableName: 'cart_line',
  properties: {
    id: p.uuid().primary(),
    cartId: p.uuid(),
    productId: p.uuid().nullable(),
    listingId: p.uuid().nullable(),
    quantity: p.integer(),
    createdAt: p.datetime(),
  },
});
export type CartLineEntity = InferEntity<typeof CartLine>;
