import { DateTimeScalar } from '@terrarium/subgraph-kit/scalars';
import type { Resolvers } from '../generated/resolvers.js';
import type { LoginLimits } from '../services/login-limits.js';
import type { TokenIssuer } from '../services/tokens.js';
import { AuditLogEntry } from './AuditLogEntry.js';
import { createMutation } from './Mutation.js';
import { Organization } from './Organization.js';
import { OrganizationMember } from './OrganizationMember.js';
import { Query } from './Query.js';
import { User } from './User.js';

export interface ResolverDeps {
  tokens: TokenIssuer;
  loginLimits: LoginLimits;
}

export function createResolvers({ tokens, loginLimits }: ResolverDeps): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: createMutation(tokens, loginLimits),
    User,
    Organization,
    OrganizationMember,
    AuditLogEntry,
  };
}
