import { Migration } from '@mikro-orm/migrations';

/**
 * Two-factor sign-in (a TOTP secret per account, sealed; ten hashed single-use recovery codes) and
 * log-out that sticks (revoked token ids until their expiry; a per-account "not before" time that
 * revokes every older token at once).
 */
export class Migration20261210120000_two_factor_sessions extends Migration {
  override async up(): Promise<void> {
    // enabled_at is null between startTwoFactor and confirmTwoFactor; last_used_step is the TOTP
    // time step of the last accepted code (a code is accepted once).
    this.addSql(`
      create table two_factor (
        user_id uuid primary key references user_account (id) on delete cascade,
        secret text not null,
        enabled_at timestamptz(3),
        last_used_step bigint,
        created_at timestamptz(3) not null default now()
      )`);
    this.addSql(`
      create table recovery_code (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references user_account (id) on delete cascade,
        code_hash text not null check (code_hash ~ '^[0-9a-f]{64}$'),
        used_at timestamptz(3),
        unique (user_id, code_hash)
      )`);
    // No foreign key: a revocation must hold even while its account is being deleted.
    this.addSql(`
      create table revoked_token (
        jti uuid primary key,
        user_id uuid not null,
        expires_at timestamptz(3) not null,
        revoked_at timestamptz(3) not null default now()
      )`);
    this.addSql('create index revoked_token_revoked_at_idx on revoked_token (revoked_at)');
    this.addSql('create index revoked_token_expires_at_idx on revoked_token (expires_at)');
    this.addSql('alter table user_account add column tokens_not_before timestamptz(3)');
    this.addSql(
      'create index user_account_tokens_not_before_idx on user_account (tokens_not_before) where tokens_not_before is not null',
    );
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists user_account_tokens_not_before_idx');
    this.addSql('alter table user_account drop column if exists tokens_not_before');
    this.addSql('drop table if exists revoked_token');
    this.addSql('drop table if exists recovery_code');
    this.addSql('drop table if exists two_factor');
  }
}
