import { Migration } from '@mikro-orm/migrations';

/**
 * animalSearch served by indexes (test/animal-search-plans.test.ts checks the plans): the
 * animal's search text as a stored column with a trigram index for the words, and a trigram index
 * for the morph filter. Species, breeder, newest, hatch date, price, genes, sex and status have
 * theirs from earlier migrations.
 *
 * pg_trgm is created by products' catalog migration in `public` when the subgraphs share a
 * database, but inventory may have a database of its own, so it creates it too, the same way:
 * in `public` (on every subgraph's search_path), under the cluster-wide advisory lock that keeps
 * two subgraphs migrating at once from colliding. Where the extension already lives in another
 * schema, `create extension if not exists` leaves it there: the operator class is looked up in
 * whichever schema holds it.
 */
export class Migration20261218120000_search_plans extends Migration {
  override async up(): Promise<void> {
    this.addSql(`select pg_advisory_xact_lock(hashtext('terrarium-extension:pg_trgm'))`);
    this.addSql('create extension if not exists pg_trgm with schema public');
    // The animal's own text that a search word may be in (its species' name is matched through
    // species_id). array_to_string is only stable in general (element output can depend on
    // settings), but is fixed for text[]: immutable is true here, and lets a generated column use it.
    this.addSql(`
      create or replace function animal_search_text(name text, morph text, genes text[]) returns text
        language sql immutable parallel safe
        as $$ select lower(name || ' ' || coalesce(morph, '') || ' ' || array_to_string(genes, ' ')) $$`);
    // Stored, rather than an index on the function: a scan or an index's recheck then reads the
    // text instead of calling the function per row, which measured ten times slower (270 ms
    // against 27 ms for 50,000 animals). Generated, so no write path can forget it. Adding it
    // rewrites the table once.
    this.addSql(`
      alter table animal
        add column search_text text generated always as (animal_search_text(name, morph, genes)) stored`);
    this.addSql(`
      do $$
        declare trgm name := (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
                               where e.extname = 'pg_trgm');
        begin
          execute format('create index animal_search_text_trgm_idx on animal using gin (search_text %I.gin_trgm_ops)', trgm);
          execute format('create index animal_morph_trgm_idx on animal using gin (lower(coalesce(morph, %L)) %I.gin_trgm_ops)', '', trgm);
        end $$`);
  }

  override async down(): Promise<void> {
    // pg_trgm stays: products (and any other user in the database) may rely on it.
    this.addSql('drop index if exists animal_morph_trgm_idx');
    this.addSql('drop index if exists animal_search_text_trgm_idx');
    this.addSql('alter table animal drop column if exists search_text');
    this.addSql('drop function if exists animal_search_text(text, text, text[])');
  }
}
