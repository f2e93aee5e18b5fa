import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError, NotFoundError } from '@terrarium/platform/errors';
import type { Logger } from '@terrarium/platform/logger';
import type { EntityChanges } from '@terrarium/subgraph-kit/entity-changes';
import { enqueueAudit, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import { MediaAsset, ownerTypename } from '../entities/media-asset.entity.js';
import type { Storage } from './storage/index.js';
import { removableWithoutStaff, requireAssetRemoval } from './ownership.js';

/**
 * Deletes an asset: the row first (so that no URL serves it any more), then its original and
 * cached variants. A file that fails to delete is logged and left as an orphan, never a row
 * without its file.
 */
export async function deleteAsset(
  em: EntityManager,
  caller: Caller,
  id: string,
  storage: Storage,
  logger: Logger,
  changes: EntityChanges,
  jobs: JobQueue,
): Promise<boolean> {
  if (!isUuid(id)) throw new BadUserInputError(`"${id}" is not a valid id.`, 'id');
  const asset = await em.findOne(MediaAsset, id);
  if (!asset) throw new NotFoundError('Media asset');
  requireAssetRemoval(caller, asset);
  await em.transactional(async (tx) => {
    const deleted = await tx.nativeDelete(MediaAsset, { id });
    if (deleted === 0) throw new NotFoundError('Media asset');
    // Staff removing what they could not remove without the role: ops' audit log, in this transaction.
    if (isStaff(caller) && !removableWithoutStaff(caller, asset))
      await enqueueAudit(jobs, tx, {
        actor: caller.userId,
        action: 'deleteMediaAsset',
        subject: `MediaAsset:${id}`,
        diff: {
          owner: `${ownerTypename(asset.ownerType)}:${asset.ownerId}`,
          kind: asset.kind,
          contentType: asset.contentType,
          byteSize: asset.byteSize,
          createdBy: asset.createdBy ?? null,
        },
      });
  });
  em.getUnitOfWork().unsetIdentity(asset);
  changes.changed(ownerTypename(asset.ownerType), asset.ownerId);
  changes.changed('MediaAsset', id);
  const keys = await storage.list(`assets/${id}/`);
  const results = await Promise.allSettled(keys.map((key) => storage.delete(key)));
  const failed = keys.filter((_, i) => results[i]?.status === 'rejected');
  if (failed.length > 0) logger.warn({ assetId: id, keys: failed }, 'asset deleted but some files were not');
  return true;
}
