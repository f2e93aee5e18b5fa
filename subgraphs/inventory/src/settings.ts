import { createEnvReader, type Env } from '@terrarium/platform/env';

/** Inventory's own settings, beside the kit's SubgraphConfig; read once at start. */
export interface InventorySettings {
  /**
   * When keepers get the day's care digest by mail: a 5-field cron in UTC (pg-boss schedules,
   * minute resolution). INVENTORY_CARE_DIGEST_CRON. @default "0 7 * * *" (07:00 UTC daily)
   */
  careDigestCron: string;
}

/** Five fields of digits, `*`, `/`, `,` and `-`: what pg-boss's cron parser accepts, roughly. */
const CRON = /^(\S+\s+){4}\S+$/;

export function loadInventorySettings(env: Env = process.env): InventorySettings {
  const read = createEnvReader(env);
  const careDigestCron = read.string('INVENTORY_CARE_DIGEST_CRON') ?? '0 7 * * *';
  if (!CRON.test(careDigestCron.trim()) || /[^\d*/,\-\s]/.test(careDigestCron)) {
    read.problem(`INVENTORY_CARE_DIGEST_CRON must be a 5-field cron expression, got "${careDigestCron}"`);
  }
  read.done();
  return Object.freeze({ careDigestCron: careDigestCron.trim() });
}
