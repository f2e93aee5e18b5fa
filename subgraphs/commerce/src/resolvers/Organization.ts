import type { OrganizationResolvers } from '../generated/resolvers.js';
import { listingsOfOrganization } from '../services/listing.service.js';
import { shipmentsOfOrganization } from '../shipping/shipments.service.js';

export const Organization: OrganizationResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  listings: (organization, args, ctx) => listingsOfOrganization(ctx, organization.id, args),
  shipments: (organization, args, ctx) => shipmentsOfOrganization(ctx, organization.id, args),
};
