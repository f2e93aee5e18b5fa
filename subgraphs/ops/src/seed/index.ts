import type { EntityManager } from '@mikro-orm/postgresql';
import { raw } from '@mikro-orm/core';
import type { Role } from '@terrarium/platform/caller';
import { seedId } from '@terrarium/subgraph-kit/seed-id';
import { OrganizationMember, type OrganizationRole } from '../entities/organization-member.entity.js';
import { Organization } from '../entities/organization.entity.js';
import { User } from '../entities/user.entity.js';
import { hashPassword } from '../services/password.js';

/** Every demo account's password. */
export const DEMO_PASSWORD = 'terrarium-demo';

interface SeedUser {
  email: string;
  displayName: string;
  roles: Role[];
  /** Slug of the organization the user owns. */
  owns?: string;
}

const USERS: readonly SeedUser[] = [
  { email: 'admin@terrarium.test', displayName: 'Ada Admin', roles: ['STAFF'] },
  {
    email: 'breeder@terrarium.test',
    displayName: 'Bea Breeder',
    roles: ['BREEDER'],
    owns: 'sunset-reptiles',
  },
  { email: 'keeper@terrarium.test', displayName: 'Kai Keeper', roles: ['KEEPER'] },
  { email: 'desert@terrarium.test', displayName: 'Dez Morales', roles: ['BREEDER'], owns: 'desert-morphs' },
  { email: 'scales@terrarium.test', displayName: 'Sam Scales', roles: ['BREEDER'], owns: 'scales-and-tails' },
];

const ORGANIZATIONS = [
  {
    slug: 'sunset-reptiles',
    name: 'Sunset Reptiles',
    description:
      'Family-run breeder of captive-bred reptiles since 2012. Every animal leaves with its feeding and shed records and a 14-day health guarantee.',
  },
  {
    slug: 'scales-and-tails',
    name: 'Scales & Tails',
    description:
      'Small-batch breeder raising snakes and geckos in bioactive enclosures. Well-started juveniles and lifelong keeper support.',
  },
  {
    slug: 'desert-morphs',
    name: 'Desert Morphs',
    description:
      'Arid-species specialists breeding for health first and colour second. Local pickup or insured overnight shipping.',
  },
] as const;

const MEMBER_ROLE: OrganizationRole = 'OWNER';

/**
 * The demo canon (BRIEF.md): five users, three organizations, each breeder the owner of one.
 * Idempotent: it inserts only what is missing (by id, and by email or slug so that a real account
 * or organization with a demo address is left alone). The kit runs it under an advisory lock.
 */
export async function seed(em: EntityManager): Promise<void> {
  const userIds = USERS.map((u) => seedId(`user:${u.email}`));
  const orgIds = ORGANIZATIONS.map((o) => seedId(`org:${o.slug}`));
  const [users, orgs, members] = await Promise.all([
    em.find(User, {
      $or: [{ id: { $in: userIds } }, { [raw('lower(email)')]: { $in: USERS.map((u) => u.email) } }],
    }),
    em.find(Organization, {
      $or: [{ id: { $in: orgIds } }, { slug: { $in: ORGANIZATIONS.map((o) => o.slug) } }],
    }),
    em.find(OrganizationMember, { organizationId: { $in: orgIds } }),
  ]);
  const taken = new Set([...users.map((u) => u.id), ...users.map((u) => u.email.toLowerCase())]);
  const missingUsers = USERS.filter((u) => !taken.has(seedId(`user:${u.email}`)) && !taken.has(u.email));
  const hashes = await Promise.all(missingUsers.map(() => hashPassword(DEMO_PASSWORD)));
  missingUsers.forEach((u, i) => {
    em.create(User, {
      id: seedId(`user:${u.email}`),
      email: u.email,
      displayName: u.displayName,
      roles: u.roles,
      passwordHash: hashes[i]!,
    });
  });
  const takenOrgs = new Set([...orgs.map((o) => o.id), ...orgs.map((o) => o.slug)]);
  for (const org of ORGANIZATIONS) {
    const id = seedId(`org:${org.slug}`);
    if (!takenOrgs.has(id) && !takenOrgs.has(org.slug)) em.create(Organization, { id, ...org });
  }
  // Members reference both by plain columns: users and organizations must be inserted first.
  await em.flush();

  const [ownUsers, ownOrgs] = await Promise.all([
    em.find(User, { id: { $in: userIds } }),
    em.find(Organization, { id: { $in: orgIds } }),
  ]);
  const present = new Set([...ownUsers.map((u) => u.id), ...ownOrgs.map((o) => o.id)]);
  const memberOf = new Set(members.map((m) => `${m.organizationId}/${m.userId}`));
  for (const user of USERS) {
    if (!user.owns) continue;
    const userId = seedId(`user:${user.email}`);
    const organizationId = seedId(`org:${user.owns}`);
    if (present.has(userId) && present.has(organizationId) && !memberOf.has(`${organizationId}/${userId}`)) {
      em.create(OrganizationMember, { organizationId, userId, role: MEMBER_ROLE });
    }
  }
  await em.flush();
}
