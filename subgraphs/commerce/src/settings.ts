import { createEnvReader, type Env, type EnvReader } from '@terrarium/platform/env';

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
  /**
   * How long a buyer has to pay a placed order (`Order.paymentDueBy` = placedAt + this); unpaid
   * past it, the expiry job cancels it. `ORDER_PAYMENT_TIMEOUT` in minutes, or with a unit
   * (`90s`, `1500ms`, `45m`). @default 1_800_000 ms (30 minutes)
   */
  paymentTimeoutMs: number;
  /** Which PaymentProvider takes payments. Only `development` (simulated, no network) exists so far. */
  paymentProvider: 'development';
  /**
   * A shipment SHIPPED this long ago counts as delivered if its buyer did not confirm it (an
   * hourly job). `DELIVERY_CONFIRM_DAYS`. @default 14 days
   */
  deliveryConfirmDays: number;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000 } as const;

/** A duration: a whole number of minutes, or one with a unit (`ms`, `s`, `m`); at least 1 s. */
function duration(read: EnvReader, key: string, fallbackMs: number): number {
  const raw = read.string(key)?.trim();
  if (raw === undefined || raw === '') return fallbackMs;
  const match = /^(\d{1,9})(ms|s|m)?$/.exec(raw);
  const ms = match ? Number(match[1]) * UNIT_MS[(match[2] ?? 'm') as keyof typeof UNIT_MS] : Number.NaN;
  if (ms >= 1_000) return ms;
  read.problem(
    `${key} must be minutes (30) or a duration with a unit (90s, 1500ms, 45m) of at least 1 s, got "${raw}"`,
  );
  return fallbackMs;
}

export function loadCommerceSettings(env: Env = process.env): CommerceSettings {
  const read = createEnvReader(env);
  const settings: CommerceSettings = {
    staleAfterSeconds: read.integer('COMMERCE_STALE_AFTER_SECONDS', 60, 10),
    sweepIntervalMs: read.integer('COMMERCE_SWEEP_INTERVAL_MS', 15_000, 0),
    anonymousCartTtlDays: read.integer('COMMERCE_ANONYMOUS_CART_TTL_DAYS', 30, 1),
    paymentTimeoutMs: duration(read, 'ORDER_PAYMENT_TIMEOUT', 30 * 60_000),
    paymentProvider: read.oneOf('COMMERCE_PAYMENT_PROVIDER', ['development'], 'development'),
    deliveryConfirmDays: read.integer('DELIVERY_CONFIRM_DAYS', 14, 0),
  };
  read.done();
  return Object.freeze(settings);
}
