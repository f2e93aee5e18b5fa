import type { OrganizationEntity } from '../entities/organization.entity.js';
import type { FeatureFlagResolvers } from '../generated/resolvers.js';

export const FeatureFlag: FeatureFlagResolvers = {
  organizations: async (flag, _, { loaders }) => {
    const organizations = await loaders.organization.loadMany(flag.organizationIds);
    // setFeatureFlag checks that they exist; one deleted since drops out of the list.
    return organizations.filter((org): org is OrganizationEntity => org !== null && !(org instanceof Error));
  },
};
