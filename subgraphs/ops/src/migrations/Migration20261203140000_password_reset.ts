import { Migration } from '@mikro-orm/migrations';

/** Password reset tokens (hashed, single-use, 30 minutes). */
export class Migration20261203140000_password_reset extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table password_reset_token (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references user_account (id) on delete cascade,
        token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
        expires_at timestamptz(3) not null,
        used_at timestamptz(3),
        created_at timestamptz(3) not null default now()
      )`);
    this.addSql('create index password_reset_token_user_idx on password_reset_token (user_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists password_reset_token');
  }
}
