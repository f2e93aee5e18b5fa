import { DateScalar, DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { Animal } from './Animal.js';
import { Mutation } from './Mutation.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { Subscription } from './Subscription.js';
import { User } from './User.js';

/** One spelling in every subgraph; this one closes over nothing. */
export function createResolvers(): Resolvers {
  return {
    Date: DateScalar,
    DateTime: DateTimeScalar,
    Query,
    Mutation,
    Subscription,
    Animal,
    Product,
    User,
  };
}
