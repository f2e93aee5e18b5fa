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

/**
 * The products subgraph: catalog, category tree, full-text search and autocomplete.
 * Nothing listens until `listen()`.
 */
export async function createProductsSubgraph(config: SubgraphConfig): Promise<Subgraph<Loaders>> {
  const subgraph = await createSubgraph({
    config,
    typeDefs: loadTypeDefs(new URL('../schema.graphql', import.meta.url)),
    resolvers: createResolvers(),
    entities,
    migrations,
    createLoaders,
    seed,
    // Product writes are audited in ops, delivered by this queue.
    jobs: ({ jobs, services }) => workAudit(jobs, services),
  });
  // A start may follow migrations, a seed or edits made while no instance ran: lists cached
  // before it are not trusted.
  await bumpListVersion(subgraph.cache);
  return subgraph;
}
