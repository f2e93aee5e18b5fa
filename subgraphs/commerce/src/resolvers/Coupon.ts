import type { CouponResolvers } from '../generated/resolvers.js';
import { money } from '../money.js';

export const Coupon: CouponResolvers = {
  percentOff: (coupon) => coupon.percentOff ?? null,
  amountOff: (coupon) =>
    coupon.amountOff == null ? null : money(coupon.amountOff, coupon.currency ?? 'EUR'),
  validUntil: (coupon) => coupon.validUntil ?? null,
  usageLimit: (coupon) => coupon.usageLimit ?? null,
};
