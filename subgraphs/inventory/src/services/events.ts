import type { EntityManager } from '@mikro-orm/postgresql';
import { announceEntityChanges } from '@terrarium/subgraph-kit/entity-changes';
import { defineJob, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { JobDeps } from '@terrarium/subgraph-kit/subgraph';
import type { ProductRef } from '../types.js';
import { stockReports } from './stock-report.job.js';

export const stockChangedTopic = (productId: string): string => `stockChanged:${productId}`;

/**
 * Publishes `stockChanged` for products whose stock changed in a committed transaction, once per
 * job and product (keyed by the job's id): a rerun after a crash does not publish it again, so a
 * subscriber gets each change exactly once.
 */
// concurrency 1: events go out in commit order, as subscribers expect.
const stockChangedJob = defineJob<{ productIds: string[] }>('inventory.stock-changed', {
  retryLimit: 3,
  retryDelay: 1,
  concurrency: 1,
});

/**
 * Owes the `stockChanged` events of these products, and their stock reports to products' search
 * read model, in the transaction of `em` that changes their stock (the outbox): subscribers and
 * search hear of a change only once it committed, and always.
 */
export async function enqueueStockChanged(
  jobs: JobQueue,
  em: EntityManager,
  productIds: Iterable<string>,
): Promise<void> {
  const unique = [...new Set(productIds)];
  if (unique.length === 0) return;
  await jobs.enqueue(em, stockChangedJob, { productIds: unique });
  await stockReports.enqueue(jobs, em, unique);
}

/**
 * The handler: publish each product's event (a Redis failure fails the job, which retries), and
 * tell the gateways' entity caches that the products' stock changed, whoever changed it.
 */
export async function workStockEvents({ jobs, events, logger }: JobDeps): Promise<void> {
  await jobs.work(stockChangedJob, async ({ productIds }, run) => {
    await Promise.all(
      productIds.map((id) =>
        events.publish<ProductRef>(stockChangedTopic(id), { id }, { key: `${run.id}:${id}` }),
      ),
    );
    await announceEntityChanges(
      events,
      productIds.map((id) => ({ typename: 'Product', id })),
      logger,
    );
  });
}
