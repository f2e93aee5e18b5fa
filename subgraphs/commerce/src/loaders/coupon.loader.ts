import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Coupon, type CouponEntity } from '../entities/coupon.entity.js';
import { oneByKey } from './by-key.js';

/** Coupons by upper-case code. */
export function createCouponLoader(em: EntityManager): DataLoader<string, CouponEntity | null> {
  return new DataLoader(async (codes) => {
    const rows = await em.find(Coupon, { code: { $in: [...codes] } }, { disableIdentityMap: true });
    return oneByKey(codes, rows, (row) => row.code);
  });
}
