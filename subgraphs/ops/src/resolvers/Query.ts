import type { QueryResolvers } from '../generated/resolvers.js';
import { findApiClientByKey, listApiClients } from '../services/api-clients.js';
import { listAuditLog } from '../services/audit-log.js';
import {
  evaluatedFeatureFlags,
  featureFlagDefinitions,
  listFeatureFlags,
} from '../services/feature-flags.js';
import { findOrganizationBySlug, listOrganizations } from '../services/organizations.js';
import { listTokenRevocations } from '../services/sessions.js';
import { validId } from '../services/validation.js';

export const Query: QueryResolvers = {
  me: (_, __, { caller, loaders }) => (caller.userId ? loaders.user.load(caller.userId) : null),
  user: (_, { id }, { loaders }) => loaders.user.load(validId(id, 'id')),
  organization: (_, { slug }, ctx) => findOrganizationBySlug(ctx, slug),
  organizations: (_, { first, after }, ctx) => listOrganizations(ctx, first, after),
  auditLog: (_, { first, after }, ctx) => listAuditLog(ctx, first, after),
  apiClients: (_, { first, after }, ctx) => listApiClients(ctx, first, after),
  apiClientByKey: (_, { key }, ctx) => findApiClientByKey(ctx, key),
  featureFlags: (_, __, ctx) => evaluatedFeatureFlags(ctx),
  featureFlagSettings: (_, __, ctx) => listFeatureFlags(ctx),
  featureFlagDefinitions: (_, __, ctx) => featureFlagDefinitions(ctx),
  tokenRevocations: (_, { since }, ctx) => listTokenRevocations(ctx, since == null ? null : new Date(since)),
};
