import type { EntityManager } from '@mikro-orm/postgresql';
import {
  defineJob,
  enqueueMailRequest,
  type EnqueueOptions,
  type JobQueue,
} from '@terrarium/subgraph-kit/jobs';
import { execute, queryOne } from '@terrarium/subgraph-kit/sql';
import { money } from '../money.js';
import { forkDeps, type CommerceJobDeps } from '../services/deps.js';
import { afterTransition, transitionOrder } from '../services/order-status.service.js';
import { requestFullRefund } from './refund.service.js';

/** One attempt of one payment: a job for an older attempt (the buyer paid again after a decline) does nothing. */
interface SettleRequest {
  paymentId: string;
  attempt: number;
}

/**
 * `payment.settle`: asks the provider for the outcome of a payment payOrder started. Retried with
 * exponential backoff (5 s, 10 s, ... with jitter; 10 retries: 1.5 to 3 h) while the provider does
 * not answer; the sweeper also enqueues it again, at most once an hour (redrive.ts), so a payment
 * still PROCESSING when the retries run out settles once the provider is back.
 */
const settleJob = defineJob<SettleRequest>('payment.settle', {
  retryLimit: 10,
  retryDelay: 5,
  retryBackoff: true,
  expireInSeconds: 60,
});

export async function enqueueSettlement(
  jobs: JobQueue,
  em: EntityManager,
  request: SettleRequest,
  options?: EnqueueOptions,
): Promise<void> {
  await jobs.enqueue(em, settleJob, request, options);
}

interface ProcessingPayment {
  orderId: string;
  buyerId: string;
  attempt: number;
  status: string;
  intentId: string | null;
  paymentMethod: string | null;
  amount: number;
  currency: string;
}

/** The provider's intent for this attempt: created once (its reference is `<payment>:<attempt>`), then stored. */
async function intentOf(
  deps: CommerceJobDeps,
  em: EntityManager,
  paymentId: string,
  payment: ProcessingPayment,
): Promise<string> {
  if (payment.intentId) return payment.intentId;
  const intent = await deps.payments.createIntent({
    reference: `${paymentId}:${payment.attempt}`,
    orderId: payment.orderId,
    amount: money(payment.amount, payment.currency),
    paymentMethod: payment.paymentMethod,
  });
  const stored = await queryOne<{ intentId: string }>(
    em,
    'update payment set intent_id = coalesce(intent_id, ?), provider = ?, updated_at = now() where id = ? and attempt = ? returning intent_id as "intentId"',
    [intent.id, deps.payments.name, paymentId, payment.attempt],
  );
  return stored?.intentId ?? intent.id;
}

/** Charged: the payment SUCCEEDED and the order PAID in one transaction, then the order's effects (commit in inventory, event). */
async function recordSuccess(
  deps: CommerceJobDeps,
  paymentId: string,
  payment: ProcessingPayment,
): Promise<void> {
  const commerce = forkDeps(deps);
  const outcome = await commerce.em.transactional(async (tx) => {
    const marked = await execute(
      tx,
      `update payment set status = 'SUCCEEDED', updated_at = now() where id = ? and attempt = ? and status = 'PROCESSING'`,
      [paymentId, payment.attempt],
    );
    if (marked === 0) return null;
    const paid = await transitionOrder(tx, deps.jobs, payment.orderId, 'PAID', payment.buyerId, {
      onlyFrom: ['PENDING'],
    });
    // Unreachable through the API (a payment under way blocks cancelling and expiry), but money
    // must never stay on an order that is not paid: give it back.
    const refund = paid
      ? null
      : await requestFullRefund(tx, deps.jobs, {
          orderId: payment.orderId,
          reason: 'the order could no longer be paid when the charge succeeded',
          requestedBy: null,
        });
    return { paid, refund };
  });
  if (outcome?.paid) await afterTransition(commerce, payment.orderId, outcome.paid);
}

/** Declined: the payment FAILED (the buyer may pay again before paymentDueBy) and the buyer is told. */
async function recordDecline(
  deps: CommerceJobDeps,
  paymentId: string,
  payment: ProcessingPayment,
  reason: string,
): Promise<void> {
  await (deps.orm.em.fork() as EntityManager).transactional(async (tx) => {
    const marked = await execute(
      tx,
      `update payment set status = 'FAILED', failure_reason = ?, updated_at = now() where id = ? and attempt = ? and status = 'PROCESSING'`,
      [reason, paymentId, payment.attempt],
    );
    if (marked === 0) return;
    const key = `payment-failed:${paymentId}:${payment.attempt}`;
    await enqueueMailRequest(deps.jobs, tx, {
      userId: payment.buyerId,
      template: 'payment-failed',
      data: { orderId: payment.orderId, reason },
      key,
    });
  });
}

/**
 * Settles one attempt: intent (once), confirm (idempotent at the provider), then the outcome is
 * recorded conditionally on the attempt still being PROCESSING, so a job run twice, or beside
 * the sweeper's re-enqueued twin, has one effect. A provider that does not answer throws: retried.
 */
async function settle(deps: CommerceJobDeps, { paymentId, attempt }: SettleRequest): Promise<void> {
  const em = deps.orm.em.fork() as EntityManager;
  const payment = await queryOne<ProcessingPayment>(
    em,
    `select p.order_id as "orderId", o.buyer_id as "buyerId", p.attempt, p.status, p.intent_id as "intentId",
            p.payment_method as "paymentMethod", p.amount, p.currency
       from payment p join orders o on o.id = p.order_id where p.id = ?`,
    [paymentId],
  );
  if (!payment || payment.attempt !== attempt || payment.status !== 'PROCESSING') return;
  const result = await deps.payments.confirm(await intentOf(deps, em, paymentId, payment));
  if (result.status === 'succeeded') await recordSuccess(deps, paymentId, payment);
  else await recordDecline(deps, paymentId, payment, result.reason);
}

export async function workSettlement(deps: CommerceJobDeps): Promise<void> {
  await deps.jobs.work(settleJob, (request) => settle(deps, request));
}
