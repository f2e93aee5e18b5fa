import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { Comment } from './Comment.js';
import { Mutation } from './Mutation.js';
import { Organization } from './Organization.js';
import { Post } from './Post.js';
import { Product } from './Product.js';
import { Query } from './Query.js';
import { Report, ReportSubject } from './Report.js';
import { Review } from './Review.js';
import { Subscription } from './Subscription.js';
import { User } from './User.js';

/** One spelling in every subgraph; this one closes over nothing. */
export function createResolvers(): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation,
    Subscription,
    Review,
    Product,
    Organization,
    User,
    Post,
    Comment,
    Report,
    ReportSubject,
  };
}
