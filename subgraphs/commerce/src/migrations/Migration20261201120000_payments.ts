import { Migration } from '@mikro-orm/migrations';

/**
 * The money side of an order: a payment deadline, asynchronous payments with a chosen payment
 * method, refunds, goods returned to inventory after a paid order is undone, and the development
 * provider's simulated ledger.
 */
export class Migration20261201120000_payments extends Migration {
  override async up(): Promise<void> {
    // Null only for orders placed before this migration: they never expire.
    this.addSql('alter table orders add column payment_due_by timestamptz');
    // The expiry job's scan: unpaid orders by deadline.
    this.addSql(`create index orders_payment_due on orders (payment_due_by) where status = 'PENDING'`);
    // RETURNING: a paid order was cancelled or refunded before shipping; `returnForOrder` is owed.
    this.addSql('alter table orders drop constraint orders_reservation_state_check');
    this.addSql(`alter table orders add constraint orders_reservation_state_check
      check (reservation_state in ('PENDING', 'VOIDING', 'RESERVED', 'RELEASING', 'RELEASED', 'COMMITTING', 'COMMITTED', 'RETURNING', 'RETURNED'))`);
    this.addSql('drop index orders_owed');
    this.addSql(
      `create index orders_owed on orders (reservation_state, updated_at) where reservation_state in ('PENDING', 'VOIDING', 'RELEASING', 'COMMITTING', 'RETURNING')`,
    );

    this.addSql('alter table payment drop constraint payment_status_check');
    this.addSql(
      `alter table payment add constraint payment_status_check check (status in ('PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED'))`,
    );
    // The buyer's payment method token for the current attempt (null: the provider's default).
    this.addSql('alter table payment add column payment_method text');
    // Refunds asked for (pending or settled): never more than was paid, whoever asks and however often.
    this.addSql('alter table payment add column refund_requested_amount integer not null default 0');
    this.addSql(
      'alter table payment add constraint payment_refunds_within_amount check (refund_requested_amount between 0 and amount)',
    );
    this.addSql('alter table payment add constraint payment_amount_not_negative check (amount >= 0)');

    this.addSql(`
      create table refund (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null references orders (id) on delete cascade,
        payment_id uuid not null references payment (id) on delete cascade,
        amount integer not null check (amount > 0),
        currency char(3) not null,
        reason text not null,
        -- Null when the system asked (an order that could no longer be paid).
        requested_by uuid,
        status text not null default 'PENDING' check (status in ('PENDING', 'SUCCEEDED', 'FAILED')),
        provider_refund_id text,
        failure_reason text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        settled_at timestamptz
      )`);
    this.addSql('create index refund_order on refund (order_id)');
    this.addSql(`create index refund_pending on refund (updated_at) where status = 'PENDING'`);

    // The development provider's books (src/payments/development.provider.ts): a SIMULATED payment
    // provider, kept in commerce's schema so that demos and tests can see every charge and refund.
    // No money moves. A real provider keeps its own books.
    this.addSql(`
      create table simulated_payment_intent (
        id text primary key,
        -- The caller's idempotency key: the same reference is the same intent.
        reference text not null unique,
        order_id uuid not null,
        amount integer not null check (amount >= 0),
        currency char(3) not null,
        payment_method text,
        status text not null default 'CREATED' check (status in ('CREATED', 'SUCCEEDED', 'DECLINED')),
        decline_reason text,
        charged_amount integer not null default 0,
        refunded_amount integer not null default 0,
        created_at timestamptz not null default now(),
        -- An intent is charged once, in full; refunds never exceed the charge.
        check (charged_amount = 0 or charged_amount = amount),
        check (refunded_amount between 0 and charged_amount)
      )`);
    this.addSql(`
      create table simulated_ledger_entry (
        id uuid primary key default gen_random_uuid(),
        intent_id text not null references simulated_payment_intent (id),
        kind text not null check (kind in ('CHARGE', 'REFUND')),
        amount integer not null check (amount >= 0),
        currency char(3) not null,
        -- A charge's key is its intent; a refund's is the caller's reference (commerce's refund id).
        idempotency_key text not null unique,
        created_at timestamptz not null default now()
      )`);
    this.addSql(
      `create unique index simulated_ledger_one_charge on simulated_ledger_entry (intent_id) where kind = 'CHARGE'`,
    );
  }
}
