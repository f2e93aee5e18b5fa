import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const WishlistItem = defineEntity({
  name: 'WishlistItem',
  tableName: 'wishlist_item',
  properties: {
    id: p.uuid().primary(),
    userId: p.uuid(),
    productId: p.uuid().nullable(),
    listingId: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
});
export type WishlistItemEntity = InferEntity<typeof WishlistItem>;
