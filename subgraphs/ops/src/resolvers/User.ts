import type { OrganizationEntity } from '../entities/organization.entity.js';
import type { UserResolvers } from '../generated/resolvers.js';
import { canSeeEmail } from '../services/email-visibility.js';

export const User: UserResolvers = {
  __resolveReference: (reference, { loaders }) => loaders.user.load(reference.id),
  email: (user, _, { caller }) => (canSeeEmail(user, caller) ? user.email : null),
  twoFactorEnabled: async (user, _, { caller, loaders }) =>
    canSeeEmail(user, caller) ? Boolean((await loaders.twoFactor.load(user.id))?.enabledAt) : null,
  organizations: async (user, _, { loaders }) => {
    const memberships = await loaders.membershipsOfUser.load(user.id);
    const organizations = await loaders.organization.loadMany(memberships.map((m) => m.organizationId));
    return organizations.filter((org): org is OrganizationEntity => org !== null && !(org instanceof Error));
  },
};
