import type { EntityManager } from '@mikro-orm/postgresql';
import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { Coupon, type CouponEntity } from '../entities/coupon.entity.js';

/** Coupons by upper-case code. */
export function createCouponLoader(em: EntityManager): DataLoader<string, CouponEntity | null> {
  return createByKeyLoader(
    (codes) => em.find(Coupon, { code: { $in: codes } }, { disableIdentityMap: true }),
    (row) => row.code,
    'text',
  );
}
