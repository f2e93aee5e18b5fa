import type { EntityManager } from '@mikro-orm/postgresql';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { EventBus } from '@terrarium/subgraph-kit/pubsub';

export const orderTopic = (orderId: string): string => `orderStatusChanged:${orderId}`;

/**
 * Publishes `orderStatusChanged` for an order whose status change committed. The event asks
 * subscribers to re-read the order, so a rerun after a crash publishing twice is harmless.
 */
const orderChangedJob = defineJob<{ orderId: string }>('commerce.order-changed', {
  retryLimit: 3,
  retryDelay: 1,
  concurrency: 1,
});

/** Owes the order's event, in the transaction that changes its status (the outbox). */
export async function enqueueOrderChanged(jobs: JobQueue, em: EntityManager, orderId: string): Promise<void> {
  await jobs.enqueue(em, orderChangedJob, { orderId });
}

export async function workOrderEvents(jobs: JobQueue, events: EventBus): Promise<void> {
  await jobs.work(orderChangedJob, async ({ orderId }, run) => {
    // Keyed by the job: a rerun after a crash does not publish the change twice.
    await events.publish(orderTopic(orderId), { id: orderId }, { key: run.id });
  });
}
