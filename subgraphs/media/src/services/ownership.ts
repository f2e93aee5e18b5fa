import {
  isStaff,
  requireOrganizationMember,
  requireStaff,
  requireUser,
  type Caller,
} from '@terrarium/platform/caller';
import { ForbiddenError, NotFoundError, ServiceUnavailableError } from '@terrarium/platform/errors';
import type { ServiceClient, ServiceResult } from '@terrarium/subgraph-kit/service-client';
import type { OwnerType } from '../entities/media-asset.entity.js';

const ANIMAL_BREEDER = 'query($id: ID!) { animal(id: $id) { breeder { id } } }';
const POST_AUTHOR = 'query($id: ID!) { post(id: $id) { author { id } } }';

/**
 * The owner's answer, or SERVICE_UNAVAILABLE when it answered with errors instead: media cannot
 * tell then whether the caller may upload, and refusing is safer than guessing. (Transport
 * failures already throw SERVICE_UNAVAILABLE in the kit.)
 */
function answer<T>(subgraph: string, result: ServiceResult<T>): T {
  if (result.errors.length > 0 || result.data === null) {
    throw new ServiceUnavailableError(
      `The ${subgraph} service could not check the owner: ${result.errors[0]?.message ?? 'no data'}.`,
    );
  }
  return result.data;
}

/** The organization an animal belongs to, asked of inventory (which owns animals). */
async function breederOfAnimal(services: ServiceClient, animalId: string): Promise<string> {
  const data = answer(
    'inventory',
    await services.call<{ animal: { breeder: { id: string } } | null }>('inventory', ANIMAL_BREEDER, {
      id: animalId,
    }),
  );
  if (!data.animal) throw new NotFoundError('Animal');
  return data.animal.breeder.id;
}

/** A post's author, asked of community (which owns posts; a post hidden by moderation is unknown there). */
async function authorOfPost(services: ServiceClient, postId: string): Promise<string> {
  const data = answer(
    'community',
    await services.call<{ post: { author: { id: string } } | null }>('community', POST_AUTHOR, {
      id: postId,
    }),
  );
  if (!data.post) throw new NotFoundError('Post');
  return data.post.author.id;
}

/**
 * Who may add media to an owner. Media keeps no copy of other subgraphs' data, so for animals and
 * posts it asks their owning subgraph through the kit's service client (INVENTORY_URL,
 * COMMUNITY_URL), signed as media:
 * - PRODUCT: staff (the catalog is staff-managed).
 * - ORGANIZATION: staff or a member of that organization.
 * - ANIMAL: staff or a member of the organization (breeder) inventory says the animal belongs to.
 * - POST: staff or the post's author, as community says.
 * An animal or post its owner does not know is NOT_FOUND (also for staff: nothing to attach to);
 * an owner that cannot be reached or fails is SERVICE_UNAVAILABLE and nothing is recorded.
 * Returns the caller's user id.
 */
export async function requireMediaOwnerAccess(
  caller: Caller,
  ownerType: OwnerType,
  ownerId: string,
  services: ServiceClient,
): Promise<string> {
  const userId = requireUser(caller);
  switch (ownerType) {
    case 'PRODUCT':
      requireStaff(caller);
      break;
    case 'ORGANIZATION':
      requireOrganizationMember(caller, ownerId);
      break;
    case 'ANIMAL':
      // Members of no organization can never pass: refuse them without a call to inventory.
      if (!isStaff(caller) && caller.organizationIds.length === 0)
        throw new ForbiddenError('Only staff and the breeder of this animal may add its photos.');
      requireOrganizationMember(caller, await breederOfAnimal(services, ownerId));
      break;
    case 'POST':
      if ((await authorOfPost(services, ownerId)) !== userId && !isStaff(caller))
        throw new ForbiddenError('Only staff and the author of this post may add its images.');
      break;
  }
  return userId;
}

/**
 * Who may remove an asset: staff; for an organization's asset its members; otherwise the user
 * who uploaded it (animal photos and post images: createUpload already checked that they were
 * the animal's breeder or the post's author when they added it).
 */
export function requireAssetRemoval(
  caller: Caller,
  asset: { ownerType: OwnerType; ownerId: string; createdBy?: string | null },
): void {
  requireUser(caller);
  if (isStaff(caller) || removableWithoutStaff(caller, asset)) return;
  throw new ForbiddenError('You may not remove this asset.');
}

/**
 * Whether the caller may remove the asset as its organization's member or its uploader, without
 * the staff role. A staff removal that needed the role is privileged, and audited.
 */
export function removableWithoutStaff(
  caller: Caller,
  asset: { ownerType: OwnerType; ownerId: string; createdBy?: string | null },
): boolean {
  if (asset.ownerType === 'ORGANIZATION' && caller.organizationIds.includes(asset.ownerId)) return true;
  return asset.ownerType !== 'PRODUCT' && caller.userId !== null && asset.createdBy === caller.userId;
}
