import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createServiceClient } from '@terrarium/subgraph-kit/service-client';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { cronEvery, defineJob, workAudit, workMailRequests } from '@terrarium/subgraph-kit/jobs';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import {
  createDevelopmentPaymentProvider,
  type PaymentProviderDeps,
} from './payments/development.provider.js';
import { expireOrdersJob, expireOverdueOrders } from './payments/order-expiry.job.js';
import type { PaymentProvider } from './payments/provider.js';
import { workRefunds } from './payments/refund.job.js';
import { workSettlement } from './payments/settle-payment.job.js';
import { createResolvers } from './resolvers/index.js';
import { seedCommerce } from './seed/index.js';
import { forkDeps, type CommerceJobDeps } from './services/deps.js';
import { workOrderEvents } from './services/order-events.job.js';
import { listingPriceReports } from './services/listing-price-report.job.js';
import { workMarketplaceActivity } from './marketplace/activity.job.js';
import { scheduleDeliveryConfirmations } from './shipping/confirm-deliveries.job.js';
import { workKeeperAssignments } from './shipping/keeper.job.js';
import { createSweeper, type SweepOptions, type SweepReport } from './checkout/sweeper.job.js';
import { loadCommerceSettings, type CommerceSettings } from './settings.js';

/**
 * The sweeper as a scheduled job: one run per tick for the whole cluster, not one per process.
 * `stately`: a tick that finds a sweep still running waits instead of starting a second.
 */
const sweepJob = defineJob<Record<string, never>>('commerce.sweep', {
  retryLimit: 0,
  expireInSeconds: 300,
  concurrency: 1,
  policy: 'stately',
});

/**
 * Every minute, pg-boss cron's resolution: the backstop. Each checkout also queues a run for its
 * own deadline (checkout.service.ts), so an unpaid order expires within seconds of paymentDueBy.
 */
const EXPIRE_CRON = '* * * * *';

export interface CommerceOptions {
  /** @default loadCommerceSettings(process.env) */
  settings?: CommerceSettings;
  /** Builds the payment provider once the subgraph's ORM exists. @default the development (simulated) provider */
  payments?: (deps: PaymentProviderDeps) => PaymentProvider;
}

export interface CommerceSubgraph extends Subgraph<Loaders> {
  /**
   * Runs the sweeper once, in this process. In production it runs as the `commerce.sweep` job:
   * once at start and on a schedule of settings.sweepIntervalMs (rounded to whole minutes).
   */
  sweep(options?: SweepOptions): Promise<SweepReport>;
  /** Expires overdue unpaid orders once, in this process (what the `commerce.expire-orders` job does every minute); how many. */
  expireOrders(): Promise<number>;
}

/** Listings, carts, orders, coupons, wishlists and payments; checkout reserves stock with inventory. */
export async function createCommerceSubgraph(
  config: SubgraphConfig,
  options: CommerceOptions = {},
): Promise<CommerceSubgraph> {
  const settings = options.settings ?? loadCommerceSettings();
  // The same client the kit puts in every context; the jobs run outside one and need their own.
  const services = createServiceClient(config.name, config.serviceUrls, config.internalSecret);
  const subgraph = await createSubgraph<Loaders>({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers({ settings }),
    entities,
    migrations,
    createLoaders,
    seed: seedCommerce,
  });
  const payments = (options.payments ?? createDevelopmentPaymentProvider)({
    orm: subgraph.orm,
    logger: subgraph.logger,
  });
  if (config.production && payments.name === 'development') {
    subgraph.logger.warn(
      'the development payment provider is simulated: it moves no money; configure a real provider for production',
    );
  }
  const deps: CommerceJobDeps = {
    orm: subgraph.orm,
    services,
    events: subgraph.events,
    jobs: subgraph.jobs,
    logger: subgraph.logger,
    payments,
    settings,
  };
  await workOrderEvents(subgraph.jobs, subgraph.events);
  // Order status changes are audited in ops, delivered by this queue.
  await workAudit(subgraph.jobs, services);
  // Buyers' mails (payment failed, order expired, shipped, refunded, ...) are sent by ops, asked for by this queue.
  await workMailRequests(subgraph.jobs, services);
  // Payments settle and refunds are made off the request path, retried while the provider is down.
  await workSettlement(deps);
  await workRefunds(deps);
  await subgraph.jobs.work(expireOrdersJob, async () => {
    await expireOverdueOrders(deps);
  });
  await subgraph.jobs.schedule(expireOrdersJob, EXPIRE_CRON, {});
  await workMarketplaceActivity(subgraph.jobs, subgraph.events, forkDeps(deps).em);
  // Delivered animals get their buyer as keeper in inventory, asked for by this queue.
  await workKeeperAssignments(subgraph.jobs, services);
  await scheduleDeliveryConfirmations(deps);
  // Animals' listing prices for inventory's search: each change's report, a full sync at start.
  await listingPriceReports.work(subgraph.jobs, () => subgraph.orm.em.fork(), services);
  await listingPriceReports.enqueueFullSync(subgraph.jobs, subgraph.orm.em.fork());
  const sweeper = createSweeper(deps);
  if (settings.sweepIntervalMs > 0) {
    await subgraph.jobs.work(sweepJob, async () => {
      await sweeper.sweep();
    });
    await subgraph.jobs.schedule(sweepJob, cronEvery(settings.sweepIntervalMs), {});
    // What a crash left is swept at start too; instances starting together share one sweep.
    await subgraph.jobs.enqueue(
      subgraph.orm.em.fork(),
      sweepJob,
      {},
      { singletonKey: 'start', singletonSeconds: 60 },
    );
  }
  return {
    ...subgraph,
    sweep: sweeper.sweep,
    expireOrders: () => expireOverdueOrders(deps),
    async stop() {
      // A sweep in flight (scheduled or called by hand) ends first; the queue's stop (in
      // subgraph.stop) waits for any job still running before the pool closes.
      await sweeper.stop();
      await subgraph.stop();
    },
  };
}
