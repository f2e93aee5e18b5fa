import { Migration } from '@mikro-orm/migrations';

/**
 * Audit entries from other subgraphs arrive through their job queues: `key` (`<source>:<job>`)
 * makes a redelivered entry a no-op; `diff` holds what changed, as JSON.
 */
export class Migration20261203142000_audit_key_diff extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table audit_log add column key text unique check (char_length(key) <= 300)');
    this.addSql('alter table audit_log add column diff jsonb');
  }

  override async down(): Promise<void> {
    this.addSql('alter table audit_log drop column if exists key, drop column if exists diff');
  }
}
