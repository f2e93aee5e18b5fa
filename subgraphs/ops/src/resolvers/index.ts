import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import type { TokenIssuer } from '../services/tokens.js';
import { AuditLogEntry } from './AuditLogEntry.js';
import { createMutation } from './Mutation.js';
import { Organization } from './Organization.js';
import { OrganizationMember } from './OrganizationMember.js';
import { Query } from './Query.js';
import { User } from './User.js';

export interface ResolverDeps {
  tokens: TokenIssuer;
}

export function createResolvers({ tokens }: ResolverDeps): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: createMutation(tokens),
    User,
    Organization,
    OrganizationMember,
    AuditLogEntry,
  };
}
