import { Migration } from '@mikro-orm/migrations';

/**
 * animalSearch: the read model of listing prices (owned by commerce) and an index for each filter
 * and sort that is not served yet (species, breeder and newest have theirs).
 */
export class Migration20261215120000_search extends Migration {
  override async up(): Promise<void> {
    // Fed only by commerce's job (recordListingPrices); no foreign key, as commerce may report an
    // animal this schema does not have. A null amount: the animal has no open listing. `as_of` is
    // commerce's read time: an older report arriving late never overwrites a newer one.
    this.addSql(`
      create table listing_price (
        animal_id uuid primary key,
        amount integer check (amount >= 0),
        currency text check (currency ~ '^[A-Z]{3}$'),
        as_of timestamptz not null
      )`);
    this.addSql(
      'create index listing_price_amount_idx on listing_price (amount, animal_id) where amount is not null',
    );
    this.addSql('create index animal_sex_idx on animal (sex)');
    this.addSql('create index animal_status_idx on animal (status)');
    this.addSql('create index animal_hatch_date_idx on animal (hatch_date desc nulls last, id)');
    // A gene list matches by overlap (&&), lower-cased as searches are.
    this
      .addSql(`create or replace function animal_genes_lower(genes text[]) returns text[] language sql immutable parallel safe
      as $$ select coalesce(array_agg(lower(g)), '{}') from unnest(genes) as g $$`);
    this.addSql('create index animal_genes_lower_idx on animal using gin (animal_genes_lower(genes))');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists animal_genes_lower_idx');
    this.addSql('drop function if exists animal_genes_lower(text[])');
    this.addSql('drop index if exists animal_hatch_date_idx');
    this.addSql('drop index if exists animal_status_idx');
    this.addSql('drop index if exists animal_sex_idx');
    this.addSql('drop table if exists listing_price');
  }
}
