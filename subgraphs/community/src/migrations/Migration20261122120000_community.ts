import { Migration } from '@mikro-orm/migrations';

/**
 * Reviews with their per-subject rating aggregates, posts and comments, follows and moderation
 * reports. Timestamps are millisecond precision (timestamptz(3)) so that a cursor made from a JS
 * Date compares exactly with the stored value.
 */
export class Migration20261122120000_community extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table review (
        id uuid primary key default gen_random_uuid(),
        author_id uuid not null,
        product_id uuid,
        organization_id uuid,
        rating smallint not null check (rating between 1 and 5),
        body text not null check (char_length(body) between 1 and 5000),
        hidden_at timestamptz(3),
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        constraint review_one_subject check (num_nonnulls(product_id, organization_id) = 1)
      )`);
    // One review per author per subject; a second insert is a CONFLICT, not a duplicate.
    this.addSql(
      'create unique index review_author_product_uq on review (author_id, product_id) where product_id is not null',
    );
    this.addSql(
      'create unique index review_author_organization_uq on review (author_id, organization_id) where organization_id is not null',
    );
    this.addSql(
      'create index review_product_page_idx on review (product_id, created_at desc, id desc) where hidden_at is null and product_id is not null',
    );
    this.addSql(
      'create index review_organization_page_idx on review (organization_id, created_at desc, id desc) where hidden_at is null and organization_id is not null',
    );

    this.addSql(`
      create table rating_aggregate (
        subject_type text not null check (subject_type in ('PRODUCT', 'ORGANIZATION')),
        subject_id uuid not null,
        review_count integer not null default 0 check (review_count >= 0),
        rating_sum integer not null default 0 check (rating_sum >= 0),
        updated_at timestamptz not null default now(),
        primary key (subject_type, subject_id)
      )`);

    this.addSql(`
      create table post (
        id uuid primary key default gen_random_uuid(),
        author_id uuid not null,
        title text not null check (char_length(title) between 1 and 200),
        body text not null check (char_length(body) between 1 and 20000),
        hidden_at timestamptz(3),
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now()
      )`);
    this.addSql('create index post_feed_idx on post (created_at desc, id desc) where hidden_at is null');
    this.addSql(
      'create index post_author_page_idx on post (author_id, created_at desc, id desc) where hidden_at is null',
    );

    this.addSql(`
      create table comment (
        id uuid primary key default gen_random_uuid(),
        post_id uuid not null references post (id) on delete cascade,
        author_id uuid not null,
        body text not null check (char_length(body) between 1 and 5000),
        hidden_at timestamptz(3),
        created_at timestamptz(3) not null default now()
      )`);
    this.addSql(
      'create index comment_post_page_idx on comment (post_id, created_at, id) where hidden_at is null',
    );

    this.addSql(`
      create table follow (
        follower_id uuid not null,
        target_type text not null check (target_type in ('USER', 'ORGANIZATION')),
        target_id uuid not null,
        created_at timestamptz(3) not null default now(),
        primary key (follower_id, target_type, target_id),
        constraint follow_not_self check (target_type <> 'USER' or target_id <> follower_id)
      )`);
    this.addSql('create index follow_target_idx on follow (target_type, target_id, created_at desc)');

    this.addSql(`
      create table report (
        id uuid primary key default gen_random_uuid(),
        reporter_id uuid not null,
        subject_type text not null check (subject_type in ('REVIEW', 'POST', 'COMMENT')),
        subject_id uuid not null,
        reason text not null check (char_length(reason) between 1 and 1000),
        status text not null default 'OPEN' check (status in ('OPEN', 'DISMISSED', 'REMOVED')),
        resolved_by_id uuid,
        resolved_at timestamptz(3),
        created_at timestamptz(3) not null default now()
      )`);
    // A reporter has at most one open report per subject: reporting twice returns the first.
    this.addSql(
      `create unique index report_open_uq on report (reporter_id, subject_type, subject_id) where status = 'OPEN'`,
    );
    this.addSql('create index report_queue_idx on report (status, created_at, id)');
    this.addSql("create index report_subject_idx on report (subject_type, subject_id) where status = 'OPEN'");
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists report, follow, comment, post, rating_aggregate, review');
  }
}
