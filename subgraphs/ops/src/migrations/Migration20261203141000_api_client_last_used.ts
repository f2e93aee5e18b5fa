import { Migration } from '@mikro-orm/migrations';

/** When a partner key was last verified by a gateway (updated at most once a minute per key). */
export class Migration20261203141000_api_client_last_used extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table api_client add column last_used_at timestamptz(3)');
  }

  override async down(): Promise<void> {
    this.addSql('alter table api_client drop column if exists last_used_at');
  }
}
