import type { EntityManager } from '@mikro-orm/postgresql';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';
import { query } from '@terrarium/subgraph-kit/sql';

/** The one public topic of `marketplaceActivity`: every subscriber sees every event. */
export const MARKETPLACE_TOPIC = 'marketplaceActivity';

export type ActivityKind = 'LISTED' | 'SOLD';

/** What subscribers receive; the listing is read again when the event is resolved. */
export interface MarketplaceEvent {
  kind: ActivityKind;
  listingId: string;
  organizationId: string;
  /** ISO 8601: when the listing went on sale or was paid for. */
  at: string;
}

/**
 * Publishes one marketplace event whose cause committed (the outbox). Each event is published
 * once per job (`run.once`): a worker that dies after publishing and recording it does not
 * publish it again.
 */
const activityJob = defineJob<MarketplaceEvent>('commerce.marketplace-activity', {
  retryLimit: 3,
  retryDelay: 1,
  concurrency: 4,
});

/** LISTED: a listing went on sale (created ACTIVE, or published). In the write's transaction. */
export async function enqueueListed(
  jobs: JobQueue,
  tx: EntityManager,
  listing: { id: string; organizationId: string },
): Promise<void> {
  await jobs.enqueue(tx, activityJob, {
    kind: 'LISTED',
    listingId: listing.id,
    organizationId: listing.organizationId,
    at: new Date().toISOString(),
  });
}

/** SOLD: one event per listing of an order that became PAID, in the transaction that made it PAID. */
export async function enqueueSold(jobs: JobQueue, tx: EntityManager, orderId: string): Promise<void> {
  const listings = await query<{ id: string; organizationId: string }>(
    tx,
    `select l.id, l.organization_id as "organizationId" from order_line ol join listing l on l.id = ol.listing_id where ol.order_id = ? order by ol.position`,
    [orderId],
  );
  const at = new Date().toISOString();
  for (const listing of listings) {
    await jobs.enqueue(tx, activityJob, {
      kind: 'SOLD',
      listingId: listing.id,
      organizationId: listing.organizationId,
      at,
    });
  }
}

export async function workMarketplaceActivity(
  jobs: JobQueue,
  events: EventBus,
  em: EntityManager,
): Promise<void> {
  await jobs.work(activityJob, async (event, run) => {
    // The key also covers a worker that dies between publishing and recording the run.
    await run.once(em, () => events.publish(MARKETPLACE_TOPIC, event, { key: run.id }));
  });
}
