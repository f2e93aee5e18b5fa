import { Migration } from '@mikro-orm/migrations';

/**
 * Users, organizations and their members, the audit log, partner API clients and JWT signing
 * keys. Timestamps are timestamptz(3): cursors carry JS Dates (milliseconds), so a cursor must
 * compare equal to the row it came from.
 */
export class Migration20261122120000_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table user_account (
        id uuid primary key default gen_random_uuid(),
        email text not null check (char_length(email) between 3 and 254),
        display_name text not null check (char_length(display_name) between 1 and 80),
        password_hash text not null,
        roles text[] not null default '{KEEPER}'
          check (cardinality(roles) > 0 and roles <@ array['STAFF', 'BREEDER', 'KEEPER']::text[]),
        created_at timestamptz(3) not null default now()
      )`);
    // Case-insensitive uniqueness lives in the database, so two concurrent sign-ups cannot both win.
    this.addSql('create unique index user_account_email_key on user_account (lower(email))');

    this.addSql(`
      create table organization (
        id uuid primary key default gen_random_uuid(),
        name text not null check (char_length(name) between 1 and 120),
        slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(slug) between 2 and 60),
        description text check (char_length(description) <= 2000),
        created_at timestamptz(3) not null default now()
      )`);
    this.addSql('create unique index organization_slug_key on organization (slug)');

    this.addSql(`
      create table organization_member (
        organization_id uuid not null references organization (id) on delete cascade,
        user_id uuid not null references user_account (id) on delete cascade,
        role text not null check (role in ('OWNER', 'ADMIN', 'MEMBER')),
        created_at timestamptz(3) not null default now(),
        primary key (organization_id, user_id)
      )`);
    this.addSql('create index organization_member_user_idx on organization_member (user_id)');

    // actor_id has no foreign key on purpose: the record outlives the account.
    this.addSql(`
      create table audit_log (
        id uuid primary key default gen_random_uuid(),
        action text not null check (char_length(action) between 1 and 100),
        actor_id uuid,
        subject text check (char_length(subject) <= 500),
        source text not null,
        created_at timestamptz(3) not null default now()
      )`);
    this.addSql('create index audit_log_page_idx on audit_log (created_at desc, id desc)');

    this.addSql(`
      create table api_client (
        id uuid primary key default gen_random_uuid(),
        name text not null check (char_length(name) between 1 and 100),
        key_hash text not null,
        allowed_operations text[] not null,
        created_by uuid references user_account (id) on delete set null,
        created_at timestamptz(3) not null default now(),
        revoked_at timestamptz(3)
      )`);
    this.addSql('create unique index api_client_key_hash_key on api_client (key_hash)');

    this.addSql(`
      create table signing_key (
        id uuid primary key default gen_random_uuid(),
        kid text not null unique,
        algorithm text not null,
        public_jwk jsonb not null,
        private_key text not null,
        active boolean not null default true,
        created_at timestamptz(3) not null default now(),
        retired_at timestamptz(3),
        check (active = (retired_at is null))
      )`);
    // At most one active key: a concurrent second insert is a no-op (on conflict do nothing).
    this.addSql('create unique index signing_key_one_active on signing_key (active) where active');
  }
}
