import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUser } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import type { JobQueue } from '@terrarium/subgraph-kit/jobs';
import { queryOne } from '@terrarium/subgraph-kit/sql';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import type { Context } from '../context.js';
import type { OrderEntity, OrderStatus } from '../entities/order.entity.js';
import { IllegalTransitionError } from '../services/order-status.service.js';
import { enqueueSettlement } from './settle-payment.job.js';

/** A provider's token for a card or wallet (e.g. `tok_visa`); what it means is the provider's. */
const PAYMENT_METHOD = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * Starts a payment in `tx`, under the order's row lock (so a cancel or the expiry job cannot slip
 * in): a new one, or a declined one tried again as a new attempt, with its `payment.settle` job
 * (the outbox). A payment already under way is left to finish, and a paid order is left as it
 * is: either way the call is a no-op, so a retried payOrder charges nothing twice.
 */
async function startPayment(
  tx: EntityManager,
  jobs: JobQueue,
  provider: string,
  orderId: string,
  paymentMethod: string | null,
): Promise<void> {
  const order = await queryOne<{
    status: OrderStatus;
    totalAmount: number;
    currency: string;
    overdue: boolean;
  }>(
    tx,
    `select status, total_amount as "totalAmount", currency, coalesce(payment_due_by <= now(), false) as overdue
       from orders where id = ? and reservation_state not in ('PENDING', 'VOIDING') for update`,
    [orderId],
  );
  if (!order) throw new NotFoundError('Order');
  if (order.status === 'CANCELLED' || order.status === 'REFUNDED')
    throw new IllegalTransitionError(order.status, 'PAID');
  if (order.status !== 'PENDING') return;
  const current = await queryOne<{ status: string }>(tx, 'select status from payment where order_id = ?', [
    orderId,
  ]);
  if (current && current.status !== 'FAILED') return;
  if (order.overdue)
    throw new ConflictError(
      'The time to pay this order has run out (see paymentDueBy); it is being cancelled.',
    );
  const claimed = await queryOne<{ id: string; attempt: number }>(
    tx,
    `insert into payment (order_id, provider, amount, currency, status, payment_method) values (?, ?, ?, ?, 'PROCESSING', ?)
     on conflict (order_id) do update
       set status = 'PROCESSING', attempt = payment.attempt + 1, intent_id = null, failure_reason = null,
           payment_method = excluded.payment_method, updated_at = now()
       where payment.status = 'FAILED'
     returning id, attempt`,
    [orderId, provider, order.totalAmount, order.currency, paymentMethod],
  );
  if (!claimed) return;
  await enqueueSettlement(jobs, tx, { paymentId: claimed.id, attempt: claimed.attempt });
}

/**
 * The buyer starts paying a PENDING order and gets it back at once: the order stays PENDING with
 * `payment.status` PROCESSING until the `payment.settle` job has the provider's answer (PAID, or
 * FAILED and payable again until paymentDueBy). The request never waits for the provider, so a
 * provider outage only delays the settlement. Paying a paid order, or paying again while a payment
 * is under way, returns the order unchanged.
 */
export async function payOrder(
  ctx: Context,
  provider: string,
  orderId: string,
  paymentMethod: string | null | undefined,
): Promise<OrderEntity> {
  const userId = requireUser(ctx.caller);
  requireUuid(orderId, 'orderId');
  if (paymentMethod != null && !PAYMENT_METHOD.test(paymentMethod)) {
    throw new BadUserInputError(
      '"paymentMethod" must be a payment method token: 1 to 100 letters, digits, "_" or "-" (e.g. tok_visa).',
      'paymentMethod',
    );
  }
  const order = await ctx.loaders.order.load(orderId);
  if (!order) throw new NotFoundError('Order');
  if (order.buyerId !== userId) throw new ForbiddenError('Only the buyer may pay for this order.');
  await ctx.em.transactional((tx) => startPayment(tx, ctx.jobs, provider, orderId, paymentMethod ?? null));
  const current = await ctx.loaders.order.clear(orderId).load(orderId);
  if (!current) throw new NotFoundError('Order');
  ctx.loaders.payment.clear(orderId);
  return current;
}
