import type { EntityManager } from '@mikro-orm/postgresql';
import {
  defineJob,
  enqueueMailRequest,
  type EnqueueOptions,
  type JobQueue,
} from '@terrarium/subgraph-kit/jobs';
import { execute, queryOne } from '@terrarium/subgraph-kit/sql';
import { formatMoney, money } from '../money.js';
import type { CommerceJobDeps } from '../services/deps.js';

/**
 * `payment.refund`: asks the provider for one refund row's money. Retried with exponential
 * backoff (5 s, 10 s, 20 s, ... with jitter; 16 retries: 4 to 8 days) while the provider does not
 * answer; the sweeper also enqueues it again, at most once an hour (redrive.ts), so a refund still
 * PENDING when the retries run out is made once the provider is back.
 */
const refundJob = defineJob<{ refundId: string }>('payment.refund', {
  retryLimit: 16,
  retryDelay: 5,
  retryBackoff: true,
  expireInSeconds: 60,
});

export async function enqueueRefund(
  jobs: JobQueue,
  em: EntityManager,
  refundId: string,
  options?: EnqueueOptions,
): Promise<void> {
  await jobs.enqueue(em, refundJob, { refundId }, options);
}

interface PendingRefund {
  orderId: string;
  amount: number;
  currency: string;
  status: string;
  intentId: string | null;
  buyerId: string;
}

/**
 * One refund, once. The provider call is keyed by the refund's id, so a job run again (a worker
 * killed after the provider answered, two runs at once) gets the same refund back, never a
 * second one; the row then moves PENDING -> SUCCEEDED conditionally, so the buyer's mail and the
 * payment's REFUNDED status happen once too. A provider that does not answer throws: retried.
 */
async function makeRefund(deps: CommerceJobDeps, refundId: string): Promise<void> {
  const em = deps.orm.em.fork() as EntityManager;
  const refund = await queryOne<PendingRefund>(
    em,
    `select r.order_id as "orderId", r.amount, r.currency, r.status, p.intent_id as "intentId", o.buyer_id as "buyerId"
       from refund r join payment p on p.id = r.payment_id join orders o on o.id = r.order_id where r.id = ?`,
    [refundId],
  );
  if (!refund || refund.status !== 'PENDING') return;
  const amount = money(refund.amount, refund.currency);
  const result = refund.intentId
    ? await deps.payments.refund(refund.intentId, amount, refundId)
    : ({ status: 'failed', reason: 'the payment has no provider intent' } as const);
  await em.transactional(async (tx) => {
    if (result.status === 'failed') {
      const failed = await execute(
        tx,
        `update refund set status = 'FAILED', failure_reason = ?, settled_at = now(), updated_at = now() where id = ? and status = 'PENDING'`,
        [result.reason, refundId],
      );
      if (failed === 0) return;
      // refund_requested_amount counts pending and settled refunds: a refused one no longer does.
      await execute(
        tx,
        'update payment set refund_requested_amount = refund_requested_amount - ? where id = (select payment_id from refund where id = ?)',
        [refund.amount, refundId],
      );
      deps.logger.error(
        { refundId, orderId: refund.orderId, reason: result.reason },
        'the payment provider refused a refund; it needs a person',
      );
      return;
    }
    const settled = await execute(
      tx,
      `update refund set status = 'SUCCEEDED', provider_refund_id = ?, settled_at = now(), updated_at = now() where id = ? and status = 'PENDING'`,
      [result.refundId, refundId],
    );
    if (settled === 0) return;
    await execute(
      tx,
      `update payment set status = 'REFUNDED', updated_at = now()
        where id = (select payment_id from refund where id = ?) and status = 'SUCCEEDED'
          and amount <= (select coalesce(sum(r.amount), 0) from refund r where r.payment_id = payment.id and r.status = 'SUCCEEDED')`,
      [refundId],
    );
    await enqueueMailRequest(deps.jobs, tx, {
      userId: refund.buyerId,
      template: 'refunded',
      data: { orderId: refund.orderId, amount: formatMoney(amount) },
      key: `refunded:${refundId}`,
    });
  });
}

export async function workRefunds(deps: CommerceJobDeps): Promise<void> {
  await deps.jobs.work(refundJob, ({ refundId }) => makeRefund(deps, refundId));
}
