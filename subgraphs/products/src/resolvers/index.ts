import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { Category } from './Category.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Product, Category };
