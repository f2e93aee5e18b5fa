import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { seed } from './seed/index.js';
import { workAudit, workMailRequests } from '@terrarium/subgraph-kit/jobs';
import { workStockEvents } from './services/events.js';
import { stockReports } from './services/stock-report.job.js';
import { workCareReminders } from './services/care-reminders.job.js';
import { loadInventorySettings, type InventorySettings } from './settings.js';

/** The inventory subgraph: animals and their keepers and care, species, product stock and checkout reservations. */
export async function createInventorySubgraph(
  config: SubgraphConfig,
  settings: InventorySettings = loadInventorySettings(),
): Promise<Subgraph<Loaders>> {
  return createSubgraph({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(),
    entities,
    migrations,
    createLoaders,
    seed,
    jobs: async (deps) => {
      await workStockEvents(deps);
      // Products' search read model: each stock change's report, and a full sync at every start
      // (it fills the model for the demo seed and repairs reports lost to a dead letter).
      await stockReports.work(deps.jobs, () => deps.orm.em.fork(), deps.services);
      await stockReports.enqueueFullSync(deps.jobs, deps.orm.em.fork());
      // Stock adjustments are audited in ops, delivered by this queue.
      await workAudit(deps.jobs, deps.services);
      // Keepers' care digests are sent by ops, asked for by this queue.
      await workMailRequests(deps.jobs, deps.services);
      // Care reminders every minute and the keepers' daily digest, once per cluster.
      await workCareReminders(deps, settings.careDigestCron);
    },
  });
}
