import { Migration } from '@mikro-orm/migrations';

/** Assets and the uploads that create them. */
export class Migration20261122120000_media extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table media_asset (
        id uuid primary key default gen_random_uuid(),
        owner_type text not null check (owner_type in ('PRODUCT', 'ANIMAL', 'ORGANIZATION', 'POST')),
        owner_id uuid not null,
        position integer not null check (position >= 0),
        kind text not null check (kind in ('IMAGE', 'DOCUMENT')),
        content_type text not null,
        byte_size integer not null check (byte_size > 0),
        width integer check (width > 0),
        height integer check (height > 0),
        alt text,
        checksum char(64) not null,
        storage_key text not null,
        created_by uuid,
        created_at timestamptz not null default now()
      )`);
    // Serves every per-owner list (images, photos, attachments, logo) in display order.
    this.addSql(
      'create index media_asset_owner_idx on media_asset (owner_type, owner_id, kind, position, created_at, id)',
    );
    this.addSql(`
      create table upload (
        id uuid primary key default gen_random_uuid(),
        owner_type text not null check (owner_type in ('PRODUCT', 'ANIMAL', 'ORGANIZATION', 'POST')),
        owner_id uuid not null,
        content_type text not null,
        max_bytes integer not null check (max_bytes > 0),
        alt text,
        created_by uuid not null,
        expires_at timestamptz not null,
        status text not null default 'PENDING' check (status in ('PENDING', 'RECEIVED', 'COMPLETED')),
        staged_key text,
        byte_size integer,
        width integer,
        height integer,
        checksum char(64),
        asset_id uuid references media_asset (id) on delete set null,
        created_at timestamptz not null default now()
      )`);
    // Finds abandoned uploads (and their staged bytes) to sweep.
    this.addSql("create index upload_expiry_idx on upload (expires_at) where status <> 'COMPLETED'");
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists upload');
    this.addSql('drop table if exists media_asset');
  }
}
