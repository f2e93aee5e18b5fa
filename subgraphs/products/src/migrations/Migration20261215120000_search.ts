import { Migration } from '@mikro-orm/migrations';

/**
 * Search: the read model of facts owned elsewhere (stock from inventory, ratings from community),
 * the wattage attribute, the search log behind popularSearches and relatedSearches, and an index for every filter
 * and sort of productSearch.
 *
 * pg_trgm (typo tolerance, similarity) was created by the catalog migration, in `public`.
 */
export class Migration20261215120000_search extends Migration {
  override async up(): Promise<void> {
    // Fed only by the owners' jobs (recordStockLevels, recordRatings); never joined across
    // schemas. No foreign key to product: inventory may count stock of an id products never had,
    // and a refused row would only make the owner's job retry forever. `*_as_of` is the owner's
    // read time: an older report that arrives late never overwrites a newer one.
    this.addSql(`
      create table product_signal (
        product_id uuid primary key,
        available integer,
        stock_as_of timestamptz,
        rating_average numeric(3, 2) check (rating_average between 1 and 5),
        rating_count integer not null default 0 check (rating_count >= 0),
        rating_as_of timestamptz
      )`);
    this.addSql('create index product_signal_available_idx on product_signal (available)');
    this.addSql('create index product_signal_rating_idx on product_signal (rating_average)');

    // Wattage, read from the name where the catalog writes it ("Ceramic Heat Emitter 100W"):
    // generated, so no write path can forget it.
    this.addSql(`
      alter table product add column wattage integer generated always as (
        ((regexp_match(name, '(?:^|[^0-9])([0-9]{1,4}) ?[Ww](?:att|atts)?(?:$|[^A-Za-z0-9])'))[1])::integer
      ) stored`);
    this.addSql('create index product_wattage_idx on product (wattage) where wattage is not null');
    this.addSql('create index product_price_id_idx on product (price_amount, id)');
    this.addSql('create index product_created_at_id_idx on product (created_at desc, id)');

    // One row per normalised query and day: counts age out by day (popularSearches weighs recent
    // days more) when no Redis is configured.
    this.addSql(`
      create table search_count (
        query text not null check (char_length(query) between 1 and 200),
        day date not null,
        count integer not null default 1 check (count > 0),
        primary key (query, day)
      )`);
    this.addSql('create index search_count_day_idx on search_count (day)');
    // The first results of each counted query: two queries that share results are related.
    this.addSql(`
      create table search_result (
        query text not null check (char_length(query) between 1 and 200),
        product_id uuid not null,
        seen_on date not null default current_date,
        primary key (query, product_id)
      )`);
    this.addSql('create index search_result_product_idx on search_result (product_id, query)');
    this.addSql('create index search_result_seen_on_idx on search_result (seen_on)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists search_result');
    this.addSql('drop table if exists search_count');
    this.addSql('drop index if exists product_created_at_id_idx');
    this.addSql('drop index if exists product_price_id_idx');
    this.addSql('alter table product drop column if exists wattage');
    this.addSql('drop table if exists product_signal');
  }
}
