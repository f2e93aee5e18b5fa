import { ConfigError } from '@terrarium/platform/env';

/** Commerce's own settings, beside the kit's SubgraphConfig; read once at start. */
export interface CommerceSettings {
  /**
   * A checkout still reserving stock after this long is undone by the sweeper, and owed
   * release/commit calls are retried after it. Keep it well above the service call timeout
   * (5 s) so that the sweeper never undoes a checkout that is still waiting for inventory.
   * @default 60 s
   */
  staleAfterSeconds: number;
  /**
   * How often the sweeper's scheduled job runs, rounded to whole minutes (pg-boss cron
   * resolution; under a minute means every minute); 0 turns it off (tests run it by hand).
   * @default 15_000 ms
   */
  sweepIntervalMs: number;
  /** Anonymous carts untouched this long are deleted by the sweeper. @default 30 days */
  anonymousCartTtlDays: number;
  /** Which PaymentProvider takes payments. Only `development` (no network) exists so far. */
  paymentProvider: 'development';
  /**
   * A shipment SHIPPED this long ago counts as delivered if its buyer did not confirm it (an
   * hourly job). DELIVERY_CONFIRM_DAYS, or COMMERCE_DELIVERY_CONFIRM_DAYS, which wins. @default 14 days
   */
  deliveryConfirmDays: number;
}

function integer(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, problems: string[]): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    problems.push(`${key} must be an integer >= ${min}, got "${raw}"`);
    return fallback;
  }
  return value;
}

export function loadCommerceSettings(env: NodeJS.ProcessEnv = process.env): CommerceSettings {
  const problems: string[] = [];
  const staleAfterSeconds = integer(env, 'COMMERCE_STALE_AFTER_SECONDS', 60, 10, problems);
  const sweepIntervalMs = integer(env, 'COMMERCE_SWEEP_INTERVAL_MS', 15_000, 0, problems);
  const anonymousCartTtlDays = integer(env, 'COMMERCE_ANONYMOUS_CART_TTL_DAYS', 30, 1, problems);
  const confirmDaysKey = env['COMMERCE_DELIVERY_CONFIRM_DAYS'] ? 'COMMERCE_DELIVERY_CONFIRM_DAYS' : 'DELIVERY_CONFIRM_DAYS';
  const deliveryConfirmDays = integer(env, confirmDaysKey, 14, 0, problems);
  const provider = env['COMMERCE_PAYMENT_PROVIDER'] ?? 'development';
  if (provider !== 'development') problems.push(`COMMERCE_PAYMENT_PROVIDER must be "development", got "${provider}"`);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ staleAfterSeconds, sweepIntervalMs, anonymousCartTtlDays, paymentProvider: 'development', deliveryConfirmDays });
}
