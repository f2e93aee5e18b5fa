import type { OrganizationMemberResolvers } from '../generated/resolvers.js';

export const OrganizationMember: OrganizationMemberResolvers = {
  user: async (member, _, { loaders }) => {
    const user = await loaders.user.load(member.userId);
    // organization_member.user_id references user_account with on delete cascade.
    if (!user) throw new Error(`Member ${member.userId} of ${member.organizationId} has no account.`);
    return user;
  },
  joinedAt: (member) => member.createdAt,
};
