import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError } from '@terrarium/platform/errors';
import { defineJob, enqueueMailRequest } from '@terrarium/subgraph-kit/jobs';
import { query } from '@terrarium/subgraph-kit/sql';
import { forkDeps, type CommerceJobDeps } from '../services/deps.js';
import { afterTransition, transitionOrder } from '../services/order-status.service.js';

/** Orders expired per run; the next run takes the rest. @default 100 */
const BATCH = 100;

/**
 * `commerce.expire-orders`, scheduled every minute (pg-boss's cron takes a database lock, so a
 * tick runs once in the cluster); `stately`: a tick that finds a run still going waits for it.
 */
export const expireOrdersJob = defineJob<Record<string, never>>('commerce.expire-orders', {
  retryLimit: 0,
  expireInSeconds: 300,
  concurrency: 1,
  policy: 'stately',
});

/**
 * Cancels the unpaid orders whose paymentDueBy has passed: status CANCELLED with the usual
 * effects of cancelling a PENDING order (listings back to ACTIVE, the coupon use back, a release
 * of the stock and animals owed to inventory, the order event, the audit entry) and the buyer's
 * 'order-expired' mail, all in one transaction per order. An order whose payment is under way is
 * skipped (the settlement decides; a declined one expires on a later run). Run twice, an order
 * expires once: the change happens only from PENDING, under the order's row lock.
 * Returns how many orders it expired.
 */
export async function expireOverdueOrders(deps: CommerceJobDeps): Promise<number> {
  const due = await query<{ id: string }>(
    deps.orm.em.fork() as EntityManager,
    `select o.id from orders o
      where o.status = 'PENDING' and o.reservation_state = 'RESERVED' and o.payment_due_by <= now()
        and not exists (select 1 from payment p where p.order_id = o.id and p.status in ('PROCESSING', 'SUCCEEDED'))
      order by o.payment_due_by limit ?`,
    [BATCH],
  );
  let expired = 0;
  for (const { id } of due) {
    const commerce = forkDeps(deps);
    try {
      const transition = await commerce.em.transactional(async (tx) => {
        const cancelled = await transitionOrder(tx, deps.jobs, id, 'CANCELLED', null, {
          onlyFrom: ['PENDING'],
          action: 'expireOrder',
          reason: 'not paid in time',
        });
        if (cancelled)
          await enqueueMailRequest(deps.jobs, tx, {
            userId: cancelled.buyerId,
            template: 'order-expired',
            data: { orderId: id },
            key: `order-expired:${id}`,
          });
        return cancelled;
      });
      if (transition) {
        await afterTransition(commerce, id, transition);
        expired += 1;
      }
    } catch (err) {
      // A ConflictError: the buyer started paying between the scan and the lock; the settlement decides.
      if (!(err instanceof ConflictError))
        deps.logger.warn({ err, orderId: id }, 'could not expire an order; the next run tries again');
    }
  }
  if (expired > 0) deps.logger.info({ expired }, 'expired unpaid orders');
  return expired;
}
