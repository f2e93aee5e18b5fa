import type { EntityManager } from '@mikro-orm/postgresql';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { queryOne } from '@terrarium/subgraph-kit/sql';
import { money, type Money } from '../money.js';
import { enqueueRefund } from './refund.job.js';

/** A refund asked for: PENDING until the `payment.refund` job has the provider's answer. */
export interface RequestedRefund {
  id: string;
  amount: Money;
}

/**
 * Asks for everything the order's payment took that is not refunded or being refunded yet, in
 * `tx` (the transaction that cancels or refunds the order, under its row lock): one refund row
 * and its job (the outbox). `refund_requested_amount` grows in the same statement and may never
 * pass the amount (a check constraint), so however often and however concurrently it is asked,
 * no more than was paid is ever owed back. Null when nothing was paid or all of it is on its way.
 */
export async function requestFullRefund(
  tx: EntityManager,
  jobs: JobQueue,
  request: { orderId: string; reason: string; requestedBy: string | null },
): Promise<RequestedRefund | null> {
  const row = await queryOne<{ id: string; amount: number; currency: string }>(
    tx,
    `with paid as (
       select id, amount - refund_requested_amount as remaining, currency from payment
        where order_id = ? and status = 'SUCCEEDED' and refund_requested_amount < amount for update
     ), claimed as (
       update payment set refund_requested_amount = payment.amount, updated_at = now() from paid where payment.id = paid.id
     )
     insert into refund (order_id, payment_id, amount, currency, reason, requested_by)
     select ?, paid.id, paid.remaining, paid.currency, ?, ? from paid
     returning id, amount, currency`,
    [request.orderId, request.orderId, request.reason, request.requestedBy],
  );
  if (!row) return null;
  await enqueueRefund(jobs, tx, row.id);
  return { id: row.id, amount: money(row.amount, row.currency) };
}
