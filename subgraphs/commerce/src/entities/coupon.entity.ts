import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A discount code; `usedCount` only moves through conditional UPDATEs (see coupon.service.ts). */
export const Coupon = defineEntity({
  name: 'Coupon',
  tableName: 'coupon',
  properties: {
    id: p.uuid().primary(),
    /** Upper case; codes are matched case-insensitively by upper-casing the input. */
    code: p.string(),
    percentOff: p.integer().nullable(),
    /** Minor units of `currency`. */
    amountOff: p.integer().nullable(),
    currency: p.string().nullable(),
    validFrom: p.datetime(),
    validUntil: p.datetime().nullable(),
    usageLimit: p.integer().nullable(),
    usedCount: p.integer(),
    createdAt: p.datetime(),
  },
});
export type CouponEntity = InferEntity<typeof Coupon>;
