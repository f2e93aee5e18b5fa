import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';

/** One spelling in every subgraph; this one closes over nothing. */
export function createResolvers(): Resolvers {
  return { DateTime: DateTimeScalar, Query, Mutation, Product, Category };
}
