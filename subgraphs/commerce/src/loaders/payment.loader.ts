import type { EntityManager } from '@mikro-orm/postgresql';
import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import { query } from '@terrarium/subgraph-kit/sql';
import type DataLoader from 'dataloader';
import { Payment, type PaymentEntity } from '../entities/payment.entity.js';

/** An order's payment (one row per order, its latest attempt), by order id; null before payOrder. */
export function createPaymentLoader(em: EntityManager): DataLoader<string, PaymentEntity | null> {
  return createByKeyLoader(
    (orderIds) => em.find(Payment, { orderId: { $in: orderIds } }, { disableIdentityMap: true }),
    (row) => row.orderId,
  );
}

/** What went back to the buyer per order: the sum of its settled refunds, in minor units (null: none). */
export function createRefundedLoader(
  em: EntityManager,
): DataLoader<string, { orderId: string; amount: number } | null> {
  return createByKeyLoader(
    (orderIds) =>
      query<{ orderId: string; amount: number }>(
        em,
        `select order_id as "orderId", sum(amount)::int as amount from refund where order_id in (?) and status = 'SUCCEEDED' group by order_id`,
        [orderIds],
      ),
    (row) => row.orderId,
  );
}
