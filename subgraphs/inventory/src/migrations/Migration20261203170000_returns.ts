import { Migration } from '@mikro-orm/migrations';

/** A paid reservation can be returned (returnForOrder): an order cancelled or refunded before shipping. */
export class Migration20261203170000_returns extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table reservation drop constraint reservation_status_check');
    this.addSql(
      `alter table reservation add constraint reservation_status_check check (status in ('RESERVED', 'RELEASED', 'COMMITTED', 'RETURNED'))`,
    );
  }

  override async down(): Promise<void> {
    this.addSql('alter table reservation drop constraint reservation_status_check');
    this.addSql(
      `alter table reservation add constraint reservation_status_check check (status in ('RESERVED', 'RELEASED', 'COMMITTED'))`,
    );
  }
}
