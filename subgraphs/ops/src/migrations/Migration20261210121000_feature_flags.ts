import { Migration } from '@mikro-orm/migrations';

/** Feature flags: on/off, a percentage rollout and organization targeting (packages/platform feature-flags). */
export class Migration20261210121000_feature_flags extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table feature_flag (
        key text primary key check (key ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and char_length(key) between 2 and 60),
        enabled boolean not null,
        rollout_percent integer check (rollout_percent between 0 and 100),
        organization_ids uuid[] not null default '{}',
        updated_by uuid,
        updated_at timestamptz(3) not null default now()
      )`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists feature_flag');
  }
}
