import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import { query, queryOne } from '@terrarium/subgraph-kit/sql';
import type { Logger } from 'pino';
import type { PaymentIntent, PaymentProvider, PaymentResult, RefundResult } from './provider.js';

/** The test card token the development provider declines (README "Payments"); any other token, or none, is charged. */
const DECLINE_TOKEN = 'tok_decline';

const PREFIX = 'sim_pi_';

export interface PaymentProviderDeps {
  orm: Orm;
  logger: Logger;
}

interface IntentRow {
  status: 'CREATED' | 'SUCCEEDED' | 'DECLINED';
  amount: number;
  currency: string;
  paymentMethod: string | null;
  declineReason: string | null;
  chargedAmount: number;
  refundedAmount: number;
}

/** The intent under its row lock: charges and refunds of one intent happen one at a time. */
function lockIntent(tx: EntityManager, intentId: string): Promise<IntentRow | undefined> {
  return queryOne<IntentRow>(
    tx,
    `select status, amount, currency, payment_method as "paymentMethod", decline_reason as "declineReason",
            charged_amount as "chargedAmount", refunded_amount as "refundedAmount"
       from simulated_payment_intent where id = ? for update`,
    [intentId],
  );
}

/**
 * A SIMULATED payment provider for development and tests: no network and no money, but real
 * books. Intents, charges and refunds are rows in commerce's schema (`simulated_payment_intent`,
 * `simulated_ledger_entry`), written in transactions of their own as an outside provider would,
 * so a test can count exactly what was charged and refunded. Idempotent like a real provider: an
 * intent's id derives from its reference, an intent is charged once (a unique index), a refund's
 * reference is its idempotency key, and refunds never exceed the charge (a check constraint on
 * the intent, under its row lock). It declines the test token `tok_decline`.
 */
export function createDevelopmentPaymentProvider({ orm, logger }: PaymentProviderDeps): PaymentProvider {
  logger.info(
    { declineToken: DECLINE_TOKEN },
    'simulated payment provider "development": charges and refunds are rows in simulated_ledger_entry; no money moves',
  );
  const em = (): EntityManager => orm.em.fork() as EntityManager;

  return {
    name: 'development',

    async createIntent({ reference, orderId, amount, paymentMethod }): Promise<PaymentIntent> {
      const id = `${PREFIX}${createHash('sha256').update(reference).digest('hex').slice(0, 24)}`;
      await query(
        em(),
        `insert into simulated_payment_intent (id, reference, order_id, amount, currency, payment_method) values (?, ?, ?, ?, ?, ?)
         on conflict (reference) do nothing`,
        [id, reference, orderId, amount.amount, amount.currency, paymentMethod],
      );
      return { id };
    },

    async confirm(intentId): Promise<PaymentResult> {
      return em().transactional(async (tx) => {
        const intent = await lockIntent(tx, intentId);
        if (!intent) return { status: 'failed', reason: 'unknown payment intent' };
        if (intent.status === 'SUCCEEDED') return { status: 'succeeded' };
        if (intent.status === 'DECLINED')
          return { status: 'failed', reason: intent.declineReason ?? 'declined' };
        if (intent.paymentMethod === DECLINE_TOKEN) {
          const reason = `card declined (test token ${DECLINE_TOKEN})`;
          await query(
            tx,
            `update simulated_payment_intent set status = 'DECLINED', decline_reason = ? where id = ?`,
            [reason, intentId],
          );
          return { status: 'failed', reason };
        }
        await query(
          tx,
          `insert into simulated_ledger_entry (intent_id, kind, amount, currency, idempotency_key) values (?, 'CHARGE', ?, ?, ?)`,
          [intentId, intent.amount, intent.currency, intentId],
        );
        await query(
          tx,
          `update simulated_payment_intent set status = 'SUCCEEDED', charged_amount = amount where id = ?`,
          [intentId],
        );
        return { status: 'succeeded' };
      });
    },

    async refund(intentId, amount, reference): Promise<RefundResult> {
      return em().transactional(async (tx) => {
        const intent = await lockIntent(tx, intentId);
        if (!intent) return { status: 'failed', reason: 'unknown payment intent' };
        const earlier = await queryOne<{ id: string }>(
          tx,
          `select id from simulated_ledger_entry where idempotency_key = ? and kind = 'REFUND'`,
          [reference],
        );
        if (earlier) return { status: 'succeeded', refundId: earlier.id };
        if (intent.status !== 'SUCCEEDED')
          return { status: 'failed', reason: 'nothing was charged on this intent' };
        if (amount.currency !== intent.currency)
          return { status: 'failed', reason: `the charge was in ${intent.currency}` };
        if (
          !Number.isInteger(amount.amount) ||
          amount.amount <= 0 ||
          intent.refundedAmount + amount.amount > intent.chargedAmount
        ) {
          return {
            status: 'failed',
            reason: `a refund of ${amount.amount} exceeds what is left of the charge (${intent.chargedAmount - intent.refundedAmount})`,
          };
        }
        const entry = await queryOne<{ id: string }>(
          tx,
          `insert into simulated_ledger_entry (intent_id, kind, amount, currency, idempotency_key) values (?, 'REFUND', ?, ?, ?) returning id`,
          [intentId, amount.amount, amount.currency, reference],
        );
        await query(
          tx,
          'update simulated_payment_intent set refunded_amount = refunded_amount + ? where id = ?',
          [amount.amount, intentId],
        );
        return { status: 'succeeded', refundId: entry!.id };
      });
    },
  };
}
