import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createServiceClient } from '@terrarium/subgraph-kit/service-client';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { entities } from './entities/index.js';
import { createLoaderFactory, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createDevelopmentPaymentProvider } from './payments/development.provider.js';
import type { PaymentProvider } from './payments/provider.js';
import { createResolvers } from './resolvers/index.js';
import { seedCommerce } from './seed.js';
import { createSweeper, type SweepOptions, type SweepReport } from './services/sweeper.js';
import { loadCommerceSettings, type CommerceSettings } from './settings.js';

export interface CommerceOptions {
  /** @default loadCommerceSettings(process.env) */
  settings?: CommerceSettings;
  /** @default the development provider */
  payments?: PaymentProvider;
}

export interface CommerceSubgraph extends Subgraph<Loaders> {
  /** Runs the sweeper once (it also runs at start and every settings.sweepIntervalMs). */
  sweep(options?: SweepOptions): Promise<SweepReport>;
}

/** Listings, carts, orders, coupons, wishlists and payments; checkout reserves stock with inventory. */
export async function createCommerceSubgraph(config: SubgraphConfig, options: CommerceOptions = {}): Promise<CommerceSubgraph> {
  const settings = options.settings ?? loadCommerceSettings();
  const payments = options.payments ?? createDevelopmentPaymentProvider();
  // The same client the kit puts in every context; loaders and the sweeper need it outside one.
  const services = createServiceClient(config.name, config.serviceUrls, config.internalSecret);
  const subgraph = await createSubgraph<Loaders>({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(payments),
    entities,
    migrations,
    createLoaders: createLoaderFactory(services),
    seed: seedCommerce,
  });
  if (config.production && payments.name === 'development') {
    subgraph.logger.warn('the development payment provider accepts every payment; configure a real provider for production');
  }
  const sweeper = createSweeper({ orm: subgraph.orm, services, events: subgraph.events, logger: subgraph.logger, payments, settings });
  if (settings.sweepIntervalMs > 0) sweeper.start(settings.sweepIntervalMs);
  return {
    ...subgraph,
    sweep: sweeper.sweep,
    async stop() {
      await sweeper.stop();
      await subgraph.stop();
    },
  };
}
