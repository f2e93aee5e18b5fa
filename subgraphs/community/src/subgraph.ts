import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { createResolvers } from './resolvers/index.js';
import { seed } from './seed/index.js';
import { ratingReports } from './services/rating-report.job.js';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

/**
 * Community: reviews and ratings of products and breeders, posts and comments, follows, reports
 * and the moderation queue. Extends Product, Organization and User.
 */
export async function createCommunitySubgraph(config: SubgraphConfig): Promise<Subgraph<Loaders>> {
  return createSubgraph({
    config,
    typeDefs,
    resolvers: createResolvers(),
    entities,
    migrations,
    createLoaders,
    seed,
    // Products' search read model: each product rating change's report, and a full sync at every
    // start (it fills the model for the demo seed and repairs reports lost to a dead letter).
    jobs: async ({ jobs, orm, services }) => {
      await ratingReports.work(jobs, () => orm.em.fork(), services);
      await ratingReports.enqueueFullSync(jobs, orm.em.fork());
    },
  });
}
