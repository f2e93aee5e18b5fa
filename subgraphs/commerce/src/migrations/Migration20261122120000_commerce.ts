import { Migration } from '@mikro-orm/migrations';

/**
 * Commerce's tables. Ids of other subgraphs' entities (users, organizations, animals, products)
 * are plain uuids: they live in other schemas and are never joined. Timestamps used in cursors
 * are kept to milliseconds, the precision a JavaScript Date round-trips.
 */
export class Migration20261122120000_commerce extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table listing (
        id uuid primary key default gen_random_uuid(),
        organization_id uuid not null,
        animal_id uuid,
        product_id uuid,
        status text not null check (status in ('DRAFT', 'ACTIVE', 'RESERVED', 'SOLD', 'WITHDRAWN')),
        price_amount integer not null check (price_amount >= 0),
        currency char(3) not null,
        created_at timestamptz not null default date_trunc('milliseconds', now()),
        updated_at timestamptz not null default now(),
        check ((animal_id is null) <> (product_id is null))
      )`);
    // An animal is on offer at most once at a time.
    this.addSql(
      `create unique index listing_open_animal on listing (animal_id) where animal_id is not null and status in ('ACTIVE', 'RESERVED')`,
    );
    this.addSql(
      'create index listing_organization_page on listing (organization_id, created_at desc, id desc)',
    );

    this.addSql(`
      create table coupon (
        id uuid primary key default gen_random_uuid(),
        code text not null unique check (code = upper(code)),
        percent_off integer check (percent_off between 1 and 100),
        amount_off integer check (amount_off > 0),
        currency char(3),
        valid_from timestamptz not null default now(),
        valid_until timestamptz,
        usage_limit integer check (usage_limit >= 0),
        used_count integer not null default 0 check (used_count >= 0),
        created_at timestamptz not null default now(),
        check ((percent_off is null) <> (amount_off is null)),
        check (amount_off is null or currency is not null),
        check (usage_limit is null or used_count <= usage_limit)
      )`);

    this.addSql(`
      create table cart (
        id uuid primary key default gen_random_uuid(),
        user_id uuid unique,
        token_hash text unique,
        coupon_code text,
        version integer not null default 0,
        checkout_order_id uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check ((user_id is null) <> (token_hash is null))
      )`);
    this.addSql(`
      create table cart_line (
        id uuid primary key default gen_random_uuid(),
        cart_id uuid not null references cart (id) on delete cascade,
        product_id uuid,
        listing_id uuid references listing (id) on delete cascade,
        quantity integer not null check (quantity between 1 and 99),
        created_at timestamptz not null default now(),
        check ((product_id is null) <> (listing_id is null)),
        check (listing_id is null or quantity = 1),
        unique (cart_id, product_id),
        unique (cart_id, listing_id)
      )`);

    this.addSql(`
      create table orders (
        id uuid primary key default gen_random_uuid(),
        buyer_id uuid not null,
        status text not null check (status in ('PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED')),
        reservation_state text not null
          check (reservation_state in ('PENDING', 'VOIDING', 'RESERVED', 'RELEASING', 'RELEASED', 'COMMITTING', 'COMMITTED')),
        currency char(3) not null,
        subtotal_amount integer not null check (subtotal_amount >= 0),
        discount_amount integer check (discount_amount >= 0),
        total_amount integer not null check (total_amount >= 0),
        coupon_code text,
        placed_at timestamptz not null default date_trunc('milliseconds', now()),
        updated_at timestamptz not null default now()
      )`);
    this.addSql('create index orders_buyer_page on orders (buyer_id, placed_at desc, id desc)');
    // The sweeper's scans: only rows with work owed are indexed.
    this.addSql(
      `create index orders_owed on orders (reservation_state, updated_at) where reservation_state in ('PENDING', 'VOIDING', 'RELEASING', 'COMMITTING')`,
    );
    this.addSql(`
      create table order_line (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null references orders (id) on delete cascade,
        position integer not null,
        product_id uuid,
        listing_id uuid references listing (id),
        animal_id uuid,
        quantity integer not null check (quantity between 1 and 99),
        unit_amount integer not null check (unit_amount >= 0),
        currency char(3) not null,
        unique (order_id, position)
      )`);
    this.addSql(`
      create table order_status_change (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null references orders (id) on delete cascade,
        from_status text,
        to_status text not null,
        changed_by uuid,
        changed_at timestamptz not null default clock_timestamp()
      )`);
    this.addSql('create index order_status_change_order on order_status_change (order_id, changed_at)');

    // One row per (user, idempotency key) that produced an order; deleting a voided order deletes it.
    // The foreign key is checked at commit: checkout inserts this row first, as its concurrency guard.
    this.addSql(`
      create table checkout_request (
        user_id uuid not null,
        idempotency_key text not null,
        cart_hash text not null,
        order_id uuid not null references orders (id) on delete cascade deferrable initially deferred,
        created_at timestamptz not null default now(),
        primary key (user_id, idempotency_key)
      )`);

    // Releases owed to inventory for voided checkouts whose reserve call had no answer: the call
    // may still land after the immediate release, so the sweeper releases once more later.
    this.addSql(`
      create table release_owed (
        order_id uuid primary key,
        -- Set when owed and each time a sweeper claims it.
        updated_at timestamptz not null default now()
      )`);

    this.addSql(`
      create table payment (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null unique references orders (id) on delete cascade,
        provider text not null,
        -- A declined payment may be tried again: each attempt asks the provider for a new intent.
        attempt integer not null default 1,
        intent_id text,
        amount integer not null,
        currency char(3) not null,
        status text not null check (status in ('PROCESSING', 'SUCCEEDED', 'FAILED')),
        failure_reason text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);

    this.addSql(`
      create table wishlist_item (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null,
        product_id uuid,
        listing_id uuid references listing (id) on delete cascade,
        created_at timestamptz not null default now(),
        check ((product_id is null) <> (listing_id is null)),
        unique (user_id, product_id),
        unique (user_id, listing_id)
      )`);
    this.addSql('create index wishlist_item_user on wishlist_item (user_id, created_at desc)');
  }
}
