import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUser } from '@terrarium/platform/caller';
import { BadUserInputError, ForbiddenError, NotFoundError, ServiceUnavailableError } from '@terrarium/platform/errors';
import { GraphQLError } from 'graphql';
import type { Context } from '../context.js';
import type { OrderEntity } from '../entities/order.entity.js';
import type { PaymentEntity } from '../entities/payment.entity.js';
import { money } from '../money.js';
import type { PaymentProvider } from '../payments/provider.js';
import type { CommerceDeps } from '../services/deps.js';
import { IllegalTransitionError, changeOrderStatus } from '../services/order-status.service.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';

type PaymentRow = Pick<PaymentEntity, 'id' | 'orderId' | 'attempt' | 'intentId' | 'status' | 'amount' | 'currency'>;

const PAYMENT_COLUMNS = 'id, order_id as "orderId", attempt, intent_id as "intentId", status, amount, currency';

export class PaymentDeclinedError extends BadUserInputError {
  constructor(reason: string) {
    super(`The payment was declined: ${reason}.`);
  }
}

/**
 * Claims the order's payment under the order's row lock (so a cancel cannot slip in): a new
 * payment, or a declined one tried again (a new attempt), or the one already under way, which
 * this call resumes. Null when the order is no longer PENDING.
 */
async function claimPayment(em: EntityManager, provider: string, orderId: string): Promise<PaymentRow | null> {
  return em.transactional(async (tx) => {
    const order = await queryOne<{ status: string; totalAmount: number; currency: string }>(
      tx,
      `select status, total_amount as "totalAmount", currency from orders where id = ? and reservation_state not in ('PENDING', 'VOIDING') for update`,
      [orderId],
    );
    if (!order || order.status !== 'PENDING') return null;
    const claimed = await queryOne<PaymentRow>(
      tx,
      `insert into payment (order_id, provider, amount, currency, status) values (?, ?, ?, ?, 'PROCESSING')
       on conflict (order_id) do update
         set status = 'PROCESSING', attempt = payment.attempt + 1, intent_id = null, failure_reason = null, updated_at = now()
         where payment.status = 'FAILED'
       returning ${PAYMENT_COLUMNS}`,
      [orderId, provider, order.totalAmount, order.currency],
    );
    return claimed ?? (await queryOne<PaymentRow>(tx, `select ${PAYMENT_COLUMNS} from payment where order_id = ?`, [orderId])) ?? null;
  });
}

/**
 * Drives a claimed payment to its end through the provider: intent (once), confirm, then the
 * order PENDING -> PAID, which commits the reservation in inventory. Resumable at every step:
 * the sweeper calls it for payments left PROCESSING by a crash.
 */
export async function settlePayment(deps: CommerceDeps, provider: PaymentProvider, payment: PaymentRow, actorId: string | null): Promise<void> {
  try {
    if (payment.status !== 'SUCCEEDED') {
      let intentId = payment.intentId;
      if (!intentId) {
        const intent = await provider.createIntent({ reference: `${payment.id}:${payment.attempt}`, orderId: payment.orderId, amount: money(payment.amount, payment.currency) });
        const stored = await queryOne<{ intentId: string }>(deps.em, 'update payment set intent_id = coalesce(intent_id, ?), updated_at = now() where id = ? returning intent_id as "intentId"', [
          intent.id,
          payment.id,
        ]);
        intentId = stored?.intentId ?? intent.id;
      }
      const result = await provider.confirm(intentId);
      if (result.status === 'failed') {
        await query(deps.em, `update payment set status = 'FAILED', failure_reason = ?, updated_at = now() where id = ? and status = 'PROCESSING'`, [result.reason, payment.id]);
        throw new PaymentDeclinedError(result.reason);
      }
      await query(deps.em, `update payment set status = 'SUCCEEDED', updated_at = now() where id = ?`, [payment.id]);
    }
  } catch (err) {
    if (err instanceof GraphQLError) throw err;
    deps.logger.warn({ err, paymentId: payment.id }, 'payment provider call failed');
    throw new ServiceUnavailableError('The payment provider did not answer; nothing was charged twice. Try again.');
  }
  try {
    await changeOrderStatus(deps, payment.orderId, 'PAID', actorId);
  } catch (err) {
    // A twin call (or the sweeper) marked it paid first: that is this call's outcome too.
    if (!(err instanceof IllegalTransitionError && err.extensions['status'] === 'PAID')) throw err;
  }
}

/** The buyer pays a PENDING order; paying an order that is already paid returns it unchanged. */
export async function payOrder(ctx: Context, provider: PaymentProvider, orderId: string): Promise<OrderEntity> {
  const userId = requireUser(ctx.caller);
  requireUuid(orderId, 'orderId');
  const order = await ctx.loaders.order.load(orderId);
  if (!order) throw new NotFoundError('Order');
  if (order.buyerId !== userId) throw new ForbiddenError('Only the buyer may pay for this order.');
  const payment = await claimPayment(ctx.em, provider.name, orderId);
  if (payment) await settlePayment(ctx, provider, payment, userId);
  const current = await ctx.loaders.order.clear(orderId).load(orderId);
  if (!current) throw new NotFoundError('Order');
  if (current.status === 'CANCELLED' || current.status === 'REFUNDED') throw new IllegalTransitionError(current.status, 'PAID');
  return current;
}

/**
 * Payments the sweeper should drive on: PROCESSING ones (a crash or a provider outage
 * mid-payment) and SUCCEEDED ones whose order is still PENDING (a crash before marking it PAID).
 * Claimed by touching updated_at.
 */
export async function claimStalePayments(em: EntityManager, ageSeconds: number, limit: number): Promise<PaymentRow[]> {
  return query<PaymentRow>(
    em,
    `update payment set updated_at = now()
      where id in (select p.id from payment p join orders o on o.id = p.order_id
                    where o.status = 'PENDING' and p.status in ('PROCESSING', 'SUCCEEDED')
                      and p.updated_at < now() - make_interval(secs => ?)
                    order by p.updated_at for update of p skip locked limit ?)
      returning ${PAYMENT_COLUMNS}`,
    [ageSeconds, limit],
  );
}
