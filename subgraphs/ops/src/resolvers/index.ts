import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import { AuditLogEntry } from './AuditLogEntry.js';
import { FeatureFlag } from './FeatureFlag.js';
import { createMutation, type MutationDeps } from './Mutation.js';
import { Organization } from './Organization.js';
import { OrganizationMember } from './OrganizationMember.js';
import { Query } from './Query.js';
import { User } from './User.js';

export type ResolverDeps = MutationDeps;

export function createResolvers(deps: ResolverDeps): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: createMutation(deps),
    User,
    Organization,
    OrganizationMember,
    AuditLogEntry,
    FeatureFlag,
  };
}
