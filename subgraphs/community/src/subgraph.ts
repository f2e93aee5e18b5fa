import type { SubgraphConfig } from '@terrarium/subgraph-kit/config';
import { loadTypeDefs } from '@terrarium/subgraph-kit/schema-file';
import { createSubgraph, type Subgraph } from '@terrarium/subgraph-kit/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { Context } from './context.js';
import { entities } from './entities/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';
import { migrations } from './migrations/index.js';
import { resolvers } from './resolvers/index.js';
import { seed } from './seed/index.js';

export const typeDefs = loadTypeDefs(new URL('../schema.graphql', import.meta.url));

/** The resolver map as buildSubgraphSchema takes it (the generated types are stricter). */
export const resolverMap = resolvers as GraphQLResolverMap<Context>;

/**
 * Community: reviews and ratings of products and breeders, posts and comments, follows, reports
 * and the moderation queue. Extends Product, Organization and User.
 */
export async function createCommunitySubgraph(config: SubgraphConfig): Promise<Subgraph<Loaders>> {
  return createSubgraph({
    config,
    typeDefs,
    resolvers: resolverMap,
    entities,
    migrations,
    createLoaders,
    seed,
  });
}
