import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import {
  ORGANIZATION_ROLES,
  OrganizationMember,
  type OrganizationMemberEntity,
} from '../entities/organization-member.entity.js';

type Side = 'userId' | 'organizationId';

function groupBy(rows: OrganizationMemberEntity[], side: Side): Map<string, OrganizationMemberEntity[]> {
  const groups = new Map<string, OrganizationMemberEntity[]>();
  for (const row of rows) {
    const group = groups.get(row[side]);
    if (group) group.push(row);
    else groups.set(row[side], [row]);
  }
  return groups;
}

/** Owners first, then admins, then members; within a role, by joining time (then id, for stability). */
function byStanding(a: OrganizationMemberEntity, b: OrganizationMemberEntity): number {
  return (
    ORGANIZATION_ROLES.indexOf(a.role) - ORGANIZATION_ROLES.indexOf(b.role) ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    a.userId.localeCompare(b.userId) ||
    a.organizationId.localeCompare(b.organizationId)
  );
}

/** Memberships by user id or by organization id (ids already validated): one statement a batch. */
export function createMembershipLoader(
  em: EntityManager,
  side: Side,
): DataLoader<string, OrganizationMemberEntity[]> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(OrganizationMember, { [side]: { $in: [...ids] } });
    const groups = groupBy(rows.sort(byStanding), side);
    return ids.map((id) => groups.get(id) ?? []);
  });
}
