import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createServiceClient } from '@terrarium/subgraph-kit/service-client';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { cronEvery, defineJob, workAudit, workMailRequests } from '@terrarium/subgraph-kit/jobs';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createDevelopmentPaymentProvider } from './payments/development.provider.js';
import type { PaymentProvider } from './payments/provider.js';
import { createResolvers } from './resolvers/index.js';
import { seedCommerce } from './seed/index.js';
import { workOrderEvents } from './services/order-events.job.js';
import { listingPriceReports } from './services/listing-price-report.job.js';
import { createSweeper, type SweepOptions, type SweepReport } from './checkout/sweeper.job.js';
import { loadCommerceSettings, type CommerceSettings } from './settings.js';

/**
 * The sweeper as a scheduled job: one run per tick for the whole cluster, not one per process.
 * `stately`: a tick that finds a sweep still running waits instead of starting a second.
 */
const sweepJob = defineJob<Record<string, never>>('commerce.sweep', { retryLimit: 0, expireInSeconds: 300, concurrency: 1, policy: 'stately' });

export interface CommerceOptions {
  /** @default loadCommerceSettings(process.env) */
  settings?: CommerceSettings;
  /** @default the development provider */
  payments?: PaymentProvider;
}

export interface CommerceSubgraph extends Subgraph<Loaders> {
  /**
   * Runs the sweeper once, in this process. In production it runs as the `commerce.sweep` job:
   * once at start and on a schedule of settings.sweepIntervalMs (rounded to whole minutes).
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
}

/** Listings, carts, orders, coupons, wishlists and payments; checkout reserves stock with inventory. */
export async function createCommerceSubgraph(config: SubgraphConfig, options: CommerceOptions = {}): Promise<CommerceSubgraph> {
  const settings = options.settings ?? loadCommerceSettings();
  const payments = options.payments ?? createDevelopmentPaymentProvider();
  // The same client the kit puts in every context; the sweeper runs outside one and needs its own.
  const services = createServiceClient(config.name, config.serviceUrls, config.internalSecret);
  const subgraph = await createSubgraph<Loaders>({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers({ payments }),
    entities,
    migrations,
    createLoaders,
    seed: seedCommerce,
  });
  if (config.production && payments.name === 'development') {
    subgraph.logger.warn('the development payment provider accepts every payment; configure a real provider for production');
  }
  await workOrderEvents(subgraph.jobs, subgraph.events);
  // Order status changes are audited in ops, delivered by this queue.
  await workAudit(subgraph.jobs, services);
  // Buyers' mails (order placed, payment failed, shipped, refunded) are sent by ops, asked for by this queue.
  await workMailRequests(subgraph.jobs, services);
  // Animals' listing prices for inventory's search: each change's report, a full sync at start.
  await listingPriceReports.work(subgraph.jobs, () => subgraph.orm.em.fork(), services);
  await listingPriceReports.enqueueFullSync(subgraph.jobs, subgraph.orm.em.fork());
  const sweeper = createSweeper({ orm: subgraph.orm, services, events: subgraph.events, jobs: subgraph.jobs, logger: subgraph.logger, payments, settings });
  if (settings.sweepIntervalMs > 0) {
    await subgraph.jobs.work(sweepJob, async () => {
      await sweeper.sweep();
    });
    await subgraph.jobs.schedule(sweepJob, cronEvery(settings.sweepIntervalMs), {});
    // What a crash left is swept at start too; instances starting together share one sweep.
    await subgraph.jobs.enqueue(subgraph.orm.em.fork(), sweepJob, {}, { singletonKey: 'start', singletonSeconds: 60 });
  }
  return {
    ...subgraph,
    sweep: sweeper.sweep,
    async stop() {
      // A sweep in flight (scheduled or called by hand) ends first; the queue's stop (in
      // subgraph.stop) waits for any job still running before the pool closes.
      await sweeper.stop();
      await subgraph.stop();
    },
  };
}
