import { Migration } from '@mikro-orm/migrations';

/** Product stock, its audit trail, and checkout reservations. */
export class Migration20261122120100_stock extends Migration {
  override async up(): Promise<void> {
    // product_id is products' Product id: no foreign key across subgraphs. The checks are the
    // last line against overselling; the services never rely on hitting them.
    this.addSql(`
      create table stock (
        product_id uuid primary key,
        on_hand integer not null default 0 check (on_hand >= 0),
        reserved integer not null default 0 check (reserved >= 0),
        updated_at timestamptz not null default now(),
        constraint stock_reserved_within_on_hand check (reserved <= on_hand)
      )`);
    this.addSql(`
      create table stock_adjustment (
        id uuid primary key default gen_random_uuid(),
        product_id uuid not null references stock (product_id),
        delta integer not null check (delta <> 0),
        reason text not null check (length(reason) between 1 and 200),
        actor_id uuid,
        on_hand_after integer not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql(
      'create index stock_adjustment_product_idx on stock_adjustment (product_id, created_at desc)',
    );

    this.addSql(`
      create table reservation (
        order_id uuid primary key,
        status text not null check (status in ('RESERVED', 'RELEASED', 'COMMITTED')),
        service text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table reservation_item (
        id uuid primary key default gen_random_uuid(),
        order_id uuid not null references reservation (order_id) on delete cascade,
        product_id uuid,
        animal_id uuid references animal (id),
        quantity integer not null check (quantity > 0),
        constraint reservation_item_one_target check ((product_id is null) <> (animal_id is null)),
        constraint reservation_item_one_animal check (animal_id is null or quantity = 1)
      )`);
    this.addSql('create index reservation_item_order_idx on reservation_item (order_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists reservation_item');
    this.addSql('drop table if exists reservation');
    this.addSql('drop table if exists stock_adjustment');
    this.addSql('drop table if exists stock');
  }
}
