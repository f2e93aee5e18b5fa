import type { OrganizationResolvers } from '../generated/resolvers.js';
import { listingsOfOrganization } from '../services/listing.service.js';

export const Organization: OrganizationResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  listings: (organization, args, ctx) => listingsOfOrganization(ctx, organization.id, args),
};
