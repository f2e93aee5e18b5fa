import type { EntityManager } from '@mikro-orm/postgresql';
import { forkDeps, type CommerceJobDeps } from '../services/deps.js';
import { releaseForOrder } from './inventory.client.js';
import { redrivePayments, redriveRefunds } from '../payments/redrive.js';
import { settleReservation } from '../services/reservation-settlement.service.js';
import { voidOrder } from './void-order.service.js';
import { query } from '@terrarium/subgraph-kit/sql';

/** Rows handled per kind per sweep; the next sweep takes the rest. @default 50 */
const BATCH = 50;

export interface SweepReport {
  /** Stuck checkouts released in inventory and voided. */
  checkoutsUndone: number;
  /** Owed releases made: of cancelled orders, and of voided checkouts whose reserve had no answer. */
  releases: number;
  commits: number;
  /** Owed returns made: of paid orders cancelled or refunded before shipping. */
  returns: number;
  /** Payments still PROCESSING and refunds still PENDING whose jobs were enqueued again. */
  paymentsRedriven: number;
  refundsRedriven: number;
  anonymousCartsDeleted: number;
}

export interface SweepOptions {
  /** Age after which work counts as stuck. @default settings.staleAfterSeconds */
  olderThanSeconds?: number;
}

/**
 * Claims stale orders in `from` by moving them to `to` and touching updated_at, so that another
 * instance's sweeper (SKIP LOCKED, and the fresh timestamp) leaves them alone meanwhile.
 */
async function claimOrders(
  em: EntityManager,
  from: string[],
  to: string | null,
  ageSeconds: number,
): Promise<string[]> {
  const rows = await query<{ id: string }>(
    em,
    `update orders set reservation_state = coalesce(?, reservation_state), updated_at = now()
      where id in (select id from orders where reservation_state in (?) and updated_at < now() - make_interval(secs => ?)
                   order by updated_at for update skip locked limit ?)
      returning id`,
    [to, from, ageSeconds, BATCH],
  );
  return rows.map((row) => row.id);
}

/**
 * Finishes what a crash or an outage left half-done, so that it is never left so:
 * - a checkout still reserving after staleAfterSeconds (a crash between its steps): release in
 *   inventory (idempotent, a no-op when nothing was reserved), then void the order;
 * - a release, commit or return owed to inventory (RELEASING / COMMITTING / RETURNING,
 *   release_owed) whose call failed or whose outcome was uncertain: make it (again);
 * - a payment left PROCESSING or a refund left PENDING: enqueue its job again (payments/redrive.ts);
 * - anonymous carts nobody touched for anonymousCartTtlDays: delete.
 * Safe to run on every instance at once; it runs as the scheduled `commerce.sweep` job (subgraph.ts).
 */
export function createSweeper(deps: CommerceJobDeps) {
  const { logger, settings } = deps;
  let running: Promise<SweepReport> | null = null;

  async function run(options: SweepOptions): Promise<SweepReport> {
    const age = options.olderThanSeconds ?? settings.staleAfterSeconds;
    const context = () => forkDeps(deps);
    const report: SweepReport = {
      checkoutsUndone: 0,
      releases: 0,
      commits: 0,
      returns: 0,
      paymentsRedriven: 0,
      refundsRedriven: 0,
      anonymousCartsDeleted: 0,
    };

    for (const orderId of await claimOrders(context().em, ['PENDING', 'VOIDING'], 'VOIDING', age)) {
      try {
        await releaseForOrder(deps.services, orderId);
        if (await voidOrder(context(), orderId, ['VOIDING'])) report.checkoutsUndone += 1;
      } catch (err) {
        logger.warn({ err, orderId }, 'could not undo a stuck checkout yet; will retry');
      }
    }
    for (const orderId of await claimOrders(context().em, ['RELEASING'], null, age)) {
      if (await settleReservation(context(), orderId, 'RELEASING')) report.releases += 1;
    }
    const owed = await query<{ orderId: string }>(
      context().em,
      `update release_owed set updated_at = now()
        where order_id in (select order_id from release_owed where updated_at < now() - make_interval(secs => ?)
                           order by updated_at for update skip locked limit ?)
        returning order_id as "orderId"`,
      [age, BATCH],
    );
    for (const { orderId } of owed) {
      try {
        await releaseForOrder(deps.services, orderId);
        await query(context().em, 'delete from release_owed where order_id = ?', [orderId]);
        report.releases += 1;
      } catch (err) {
        logger.warn({ err, orderId }, 'could not make an owed release yet; will retry');
      }
    }
    for (const orderId of await claimOrders(context().em, ['COMMITTING'], null, age)) {
      if (await settleReservation(context(), orderId, 'COMMITTING')) report.commits += 1;
    }
    for (const orderId of await claimOrders(context().em, ['RETURNING'], null, age)) {
      if (await settleReservation(context(), orderId, 'RETURNING')) report.returns += 1;
    }
    report.paymentsRedriven = await redrivePayments(context().em, deps.jobs, age, BATCH);
    report.refundsRedriven = await redriveRefunds(context().em, deps.jobs, age, BATCH);
    const carts = await query(
      context().em,
      'delete from cart where user_id is null and checkout_order_id is null and updated_at < now() - make_interval(days => ?) returning id',
      [settings.anonymousCartTtlDays],
    );
    report.anonymousCartsDeleted = carts.length;
    if (Object.values(report).some((count) => count > 0))
      logger.info({ report }, 'sweeper finished work left over');
    return report;
  }

  /** One sweep; concurrent calls in one process share the sweep in flight. */
  function sweep(options: SweepOptions = {}): Promise<SweepReport> {
    running ??= run(options).finally(() => {
      running = null;
    });
    return running;
  }

  return {
    sweep,
    async stop(): Promise<void> {
      await running?.catch(() => undefined);
    },
  };
}
