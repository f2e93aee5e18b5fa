import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const ORGANIZATION_ROLES = ['OWNER', 'ADMIN', 'MEMBER'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];

/**
 * A user's membership of an organization. Plain uuid columns rather than ORM relations: loaders
 * batch them by either side with one statement and nothing is lazily loaded behind their back.
 */
export const OrganizationMember = defineEntity({
  name: 'OrganizationMember',
  tableName: 'organization_member',
  properties: {
    organizationId: p.uuid().primary(),
    userId: p.uuid().primary(),
    role: p.enum([...ORGANIZATION_ROLES]),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type OrganizationMemberEntity = InferEntity<typeof OrganizationMember>;
