import { Migration } from '@mikro-orm/migrations';

/**
 * The catalog: category tree, products, full-text search and autocomplete indexes.
 *
 * pg_trgm is database-wide but installed into one schema: it goes to `public` (on every
 * subgraph's search_path) rather than the first schema on ours, so that other subgraphs can use it
 * too. Subgraphs migrate concurrently on a fresh database, and two concurrent `create extension`
 * can collide, hence the cluster-wide advisory lock named after the extension.
 */
export class Migration20261122120000_catalog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`select pg_advisory_xact_lock(hashtext('terrarium-extension:pg_trgm'))`);
    this.addSql('create extension if not exists pg_trgm with schema public');

    this.addSql(`
      create table category (
        id uuid primary key default gen_random_uuid(),
        name text not null check (char_length(name) between 1 and 120),
        slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        parent_id uuid references category (id) on delete restrict,
        created_at timestamptz not null default now()
      )`);
    this.addSql('create index category_parent_id_idx on category (parent_id)');

    this.addSql(`
      create table product (
        id uuid primary key default gen_random_uuid(),
        sku text not null unique check (sku ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$'),
        slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name text not null check (char_length(name) between 1 and 120),
        description text not null default '',
        price_amount integer not null check (price_amount >= 0),
        price_currency text not null check (price_currency ~ '^[A-Z]{3}$'),
        category_id uuid references category (id) on delete set null,
        created_by_id uuid,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        -- The name outranks the description: weight A against B in ts_rank.
        search_vector tsvector generated always as (
          setweight(to_tsvector('english', name), 'A') || setweight(to_tsvector('english', description), 'B')
        ) stored
      )`);
    this.addSql('create index product_search_vector_idx on product using gin (search_vector)');
    // Autocomplete: ILIKE on names, case-insensitive and anywhere in the name, served by trigrams.
    this.addSql('create index product_name_trgm_idx on product using gin (name gin_trgm_ops)');
    // Keyset pagination when browsing without a search: order by (name, id).
    this.addSql('create index product_name_id_idx on product (name, id)');
    this.addSql('create index product_category_id_idx on product (category_id)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists product');
    this.addSql('drop table if exists category');
  }
}
