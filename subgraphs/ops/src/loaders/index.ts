import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import type DataLoader from 'dataloader';
import type { OrganizationMemberEntity } from '../entities/organization-member.entity.js';
import { Organization, type OrganizationEntity } from '../entities/organization.entity.js';
import { TwoFactor, type TwoFactorEntity } from '../entities/two-factor.entity.js';
import { User, type UserEntity } from '../entities/user.entity.js';
import {
  createByIdLoader,
  createByKeyLoader,
  createReadOnlyByIdLoader,
} from '@terrarium/subgraph-kit/loaders';
import { createMembershipLoader } from './membership.loader.js';

/** Per-request DataLoaders. */
export interface Loaders {
  /** Read-only (plain rows): every use shows a user, none writes one (writes find their own). */
  user: DataLoader<string, UserEntity | null>;
  organization: DataLoader<string, OrganizationEntity | null>;
  membershipsOfUser: DataLoader<string, OrganizationMemberEntity[]>;
  membersOfOrganization: DataLoader<string, OrganizationMemberEntity[]>;
  /** An account's second factor (pending or on) by user id. */
  twoFactor: DataLoader<string, TwoFactorEntity | null>;
}

export function createLoaders({ em }: LoaderDeps): Loaders {
  return {
    user: createReadOnlyByIdLoader(em, User),
    organization: createByIdLoader(em, Organization),
    membershipsOfUser: createMembershipLoader(em, 'userId'),
    membersOfOrganization: createMembershipLoader(em, 'organizationId'),
    twoFactor: createByKeyLoader(
      (ids) => em.find(TwoFactor, { userId: { $in: ids } }),
      (row) => row.userId,
    ),
  };
}
