import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError, ConflictError } from '@terrarium/platform/errors';
import {
  decodeCursor,
  encodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '@terrarium/subgraph-kit/pagination';
import type { Context } from '../context.js';
import { OrganizationMember } from '../entities/organization-member.entity.js';
import { Organization, type OrganizationEntity } from '../entities/organization.entity.js';
import { User } from '../entities/user.entity.js';
import type { CreateOrganizationInput } from '../generated/resolvers.js';
import { recordAudit } from './audit.js';
import { canonicalRoles } from './roles.js';
import { validId, validSlug, validText } from './validation.js';

const CURSOR_TAG = 'Organization';

export async function findOrganizationBySlug(ctx: Context, slug: string): Promise<OrganizationEntity | null> {
  return ctx.em.findOne(Organization, { slug: slug.trim().toLowerCase() });
}

/** Organizations by slug (unique, so it alone is a stable cursor). */
export async function listOrganizations(
  ctx: Context,
  first: number,
  after: string | null | undefined,
): Promise<Connection<OrganizationEntity>> {
  const size = pageSize(first);
  const [afterSlug] = decodeCursor(CURSOR_TAG, after) ?? [];
  const where = typeof afterSlug === 'string' ? { slug: { $gt: afterSlug } } : {};
  const [rows, total] = await Promise.all([
    ctx.em.find(Organization, where, { orderBy: { slug: 'asc' }, limit: size + 1 }),
    ctx.em.count(Organization, {}),
  ]);
  return toConnection(rows, size, total, (org) => encodeCursor(CURSOR_TAG, [org.slug]));
}

/**
 * Staff only: onboarding a breeder is a vetted step (they will sell live animals), not
 * self-service. With `ownerId`, that user becomes the OWNER member and gains the BREEDER role.
 */
export async function createOrganization(
  ctx: Context,
  input: CreateOrganizationInput,
): Promise<OrganizationEntity> {
  requireStaff(ctx.caller);
  const name = validText(input.name, 'name', 'The name', 1, 120);
  const slug = validSlug(input.slug);
  const description =
    input.description == null
      ? null
      : validText(input.description, 'description', 'The description', 0, 2000) || null;
  const ownerId = input.ownerId == null ? null : validId(input.ownerId, 'ownerId');
  try {
    return await ctx.em.transactional(async (tx) => {
      const owner = ownerId ? await tx.findOne(User, ownerId) : null;
      if (ownerId && !owner) throw new BadUserInputError(`No user with id "${ownerId}".`, 'ownerId');
      const organization = tx.create(Organization, { name, slug, description });
      // Members reference the organization by a plain column: insert the organization first.
      await tx.flush();
      if (owner) {
        tx.create(OrganizationMember, { organizationId: organization.id, userId: owner.id, role: 'OWNER' });
        owner.roles = canonicalRoles([...owner.roles, 'BREEDER']);
        // Their roles and organizations, as gateways cache them, change with it.
        ctx.entityChanges.changed('User', owner.id);
      }
      recordAudit(tx, {
        action: 'createOrganization',
        actorId: ctx.caller.userId,
        subject: `Organization:${organization.id} ${slug}`,
        source: 'ops',
      });
      return organization;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException)
      throw new ConflictError(`The slug "${slug}" is taken.`);
    throw err;
  }
}
