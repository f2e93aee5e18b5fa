import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { createQuery } from './Query.js';
import type { SearchCounts } from '../search/search-counts.js';

/** One spelling in every subgraph; Query closes over the search counts (Redis or Postgres). */
export function createResolvers(deps: { searchCounts: SearchCounts }): Resolvers {
  return { DateTime: DateTimeScalar, Query: createQuery(deps), Mutation, Product, Category };
}
