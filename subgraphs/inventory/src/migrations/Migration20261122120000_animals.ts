import { Migration } from '@mikro-orm/migrations';

/** Species, animals (with sire/dam) and their care log. */
export class Migration20261122120000_animals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table species (
        id uuid primary key default gen_random_uuid(),
        slug text not null unique,
        common_name text not null,
        scientific_name text not null
      )`);
    // organization_id is ops' Organization: no foreign key across subgraphs.
    // created_at has millisecond precision so that keyset cursors round-trip through JS Dates.
    this.addSql(`
      create table animal (
        id uuid primary key default gen_random_uuid(),
        name text not null check (length(name) between 1 and 100),
        species_id uuid not null references species (id),
        organization_id uuid not null,
        sex text not null default 'UNKNOWN' check (sex in ('MALE', 'FEMALE', 'UNKNOWN')),
        hatch_date date,
        morph text,
        genes text[] not null default '{}',
        weight_grams integer check (weight_grams > 0),
        status text not null default 'AVAILABLE' check (status in ('AVAILABLE', 'RESERVED', 'SOLD', 'HOLDBACK')),
        sire_id uuid references animal (id),
        dam_id uuid references animal (id),
        reserved_order_id uuid,
        created_at timestamptz(3) not null default now(),
        updated_at timestamptz(3) not null default now(),
        constraint animal_not_own_parent check (sire_id <> id and dam_id <> id)
      )`);
    // The listing's keyset order, alone and under the two common filters.
    this.addSql('create index animal_listing_idx on animal (created_at desc, id desc)');
    this.addSql('create index animal_species_listing_idx on animal (species_id, created_at desc, id desc)');
    this.addSql(
      'create index animal_organization_listing_idx on animal (organization_id, created_at desc, id desc)',
    );
    this.addSql('create index animal_sire_idx on animal (sire_id) where sire_id is not null');
    this.addSql('create index animal_dam_idx on animal (dam_id) where dam_id is not null');
    this.addSql(
      'create index animal_reserved_order_idx on animal (reserved_order_id) where reserved_order_id is not null',
    );

    this.addSql(`
      create table care_log (
        id uuid primary key default gen_random_uuid(),
        animal_id uuid not null references animal (id) on delete cascade,
        kind text not null check (kind in ('FEEDING', 'WEIGHT', 'SHED', 'NOTE')),
        notes text check (length(notes) <= 2000),
        weight_grams integer check (weight_grams > 0),
        recorded_at timestamptz not null default now(),
        recorded_by uuid,
        created_at timestamptz not null default now(),
        constraint care_log_weight_has_grams check (kind <> 'WEIGHT' or weight_grams is not null)
      )`);
    this.addSql('create index care_log_animal_idx on care_log (animal_id, recorded_at desc, id desc)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists care_log');
    this.addSql('drop table if exists animal');
    this.addSql('drop table if exists species');
  }
}
