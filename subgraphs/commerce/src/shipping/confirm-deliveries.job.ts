import { cronEvery, defineJob } from '@terrarium/subgraph-kit/jobs';
import { query } from '@terrarium/subgraph-kit/sql';
import { forkDeps, type CommerceJobDeps } from '../services/deps.js';
import { deliverShipment } from './delivery.service.js';

/**
 * Confirms the deliveries buyers did not confirm: a scheduled job, one run per tick for the whole
 * cluster. `stately`: a tick that finds a run still going waits instead of starting a second.
 */
export const confirmDeliveriesJob = defineJob<Record<string, never>>('commerce.confirm-deliveries', {
  retryLimit: 0,
  expireInSeconds: 300,
  concurrency: 1,
  policy: 'stately',
});

/** Hourly: confirmation is counted in days, so an hour's delay is nothing. @default every 60 min */
const INTERVAL_MS = 60 * 60_000;
/** Shipments read per statement; a run goes on while batches come back full. @default 100 */
const BATCH = 100;

/**
 * Marks DELIVERED every shipment SHIPPED more than settings.deliveryConfirmDays days ago, as the
 * system (no actor), each through the same path as the buyer's confirmation (keepers, the order's
 * status). A shipment the buyer confirms at the same moment is confirmed once: the update is
 * conditional. Returns how many it confirmed; one that fails is logged and left for the next run.
 */
export async function confirmOverdueDeliveries(deps: CommerceJobDeps): Promise<number> {
  const days = deps.settings.deliveryConfirmDays;
  let confirmed = 0;
  for (;;) {
    const due = await query<{ id: string }>(
      forkDeps(deps).em,
      `select id from shipment where status = 'SHIPPED' and shipped_at <= now() - make_interval(days => ?) order by shipped_at limit ?`,
      [days, BATCH],
    );
    let failed = false;
    for (const { id } of due) {
      try {
        if (await deliverShipment(forkDeps(deps), id, null)) confirmed += 1;
      } catch (err) {
        failed = true;
        deps.logger.warn({ err, shipmentId: id }, 'could not confirm a delivery; the next run retries it');
      }
    }
    // A failing shipment would come back first in the next batch: leave it to the next run.
    if (due.length < BATCH || failed) break;
  }
  if (confirmed > 0) deps.logger.info({ confirmed, days }, 'confirmed deliveries nobody confirmed');
  return confirmed;
}

/** Works the job in this process and schedules it (pg-boss fires each tick once per cluster). */
export async function scheduleDeliveryConfirmations(deps: CommerceJobDeps): Promise<void> {
  await deps.jobs.work(confirmDeliveriesJob, async () => {
    await confirmOverdueDeliveries(deps);
  });
  await deps.jobs.schedule(confirmDeliveriesJob, cronEvery(INTERVAL_MS), {});
}
