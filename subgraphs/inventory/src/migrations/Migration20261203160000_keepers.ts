import { Migration } from '@mikro-orm/migrations';

/** Keepers (the user an animal was delivered to) and their animals' care schedules. */
export class Migration20261203160000_keepers extends Migration {
  override async up(): Promise<void> {
    // keeper_id is ops' User: no foreign key across subgraphs.
    this.addSql('alter table animal add column keeper_id uuid');
    this.addSql(
      'create index animal_keeper_idx on animal (keeper_id, created_at desc, id desc) where keeper_id is not null',
    );
    // reminded_for is the next_due_at a reminder already went out for: the reminder job sends one
    // per due time, however often it runs or however many workers run it.
    this.addSql(`
      create table care_schedule (
        id uuid primary key default gen_random_uuid(),
        animal_id uuid not null references animal (id),
        kind text not null check (kind in ('FEEDING', 'WEIGHT', 'SHED', 'NOTE')),
        every_days integer not null check (every_days between 1 and 365),
        next_due_at timestamptz(3) not null,
        reminded_for timestamptz(3),
        set_by uuid,
        updated_at timestamptz not null default now(),
        constraint care_schedule_one_per_kind unique (animal_id, kind)
      )`);
    this.addSql('create index care_schedule_due_idx on care_schedule (next_due_at)');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists care_schedule');
    this.addSql('alter table animal drop column if exists keeper_id');
  }
}
