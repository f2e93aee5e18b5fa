import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { workAudit } from '@terrarium/subgraph-kit/jobs';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { seed } from './seed/index.js';
import { bumpListVersion } from './services/list-cache.js';
import { createSearchCounts } from './search/search-counts.js';
import { workSearchCountPruning } from './search/search-counts.job.js';
import { createLogger } from '@terrarium/platform/logger';

/**
 * The products subgraph: catalog, category tree, full-text search and autocomplete, productSearch
 * with its read model of stock and ratings (fed by inventory and community) and popular searches.
 * Nothing listens until `listen()`.
 */
export async function createProductsSubgraph(config: SubgraphConfig): Promise<Subgraph<Loaders>> {
  const searchCounts = createSearchCounts(
    config,
    createLogger(`${config.name}:search-counts`, config.logLevel),
  );
  let subgraph: Subgraph<Loaders>;
  try {
    subgraph = await createSubgraph({
      config,
      typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
      resolvers: createResolvers({ searchCounts }),
      entities,
      migrations,
      createLoaders,
      seed,
      // Product writes are audited in ops, delivered by this queue.
      jobs: async (deps) => {
        await workAudit(deps.jobs, deps.services);
        // Search counts (Postgres, without Redis) and results past their weight, deleted daily.
        await workSearchCountPruning(deps);
      },
    });
  } catch (err) {
    await searchCounts.close();
    throw err;
  }
  const stopSubgraph = subgraph.stop.bind(subgraph);
  Object.assign(subgraph, {
    stop: async () => {
      await stopSubgraph();
      await searchCounts.close();
    },
  });
  // A start may follow migrations, a seed or edits made while no instance ran: lists cached
  // before it are not trusted.
  await bumpListVersion(subgraph.cache);
  return subgraph;
}
