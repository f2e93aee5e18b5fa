import type { OrganizationResolvers } from '../generated/resolvers.js';
import { ownerReference } from '../services/owner-reference.js';

export const Organization: OrganizationResolvers = {
  __resolveReference: ownerReference,
  logo: ({ id }, _, { loaders }) => loaders.logo.load(id),
};
