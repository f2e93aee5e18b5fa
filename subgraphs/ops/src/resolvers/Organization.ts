import type { OrganizationResolvers } from '../generated/resolvers.js';

export const Organization: OrganizationResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.organization.load(reference.id),
  members: (organization, _, { loaders }) => loaders.membersOfOrganization.load(organization.id),
};
