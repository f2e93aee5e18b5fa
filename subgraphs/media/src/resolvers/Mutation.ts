import { ownerTypename } from '../entities/media-asset.entity.js';
import type { MutationResolvers } from '../generated/resolvers.js';
import { deleteAsset } from '../services/assets.js';
import type { MediaDeps } from '../services/media-deps.js';
import { completeUpload, createUpload } from '../services/uploads.js';

export function createMutationResolvers(deps: MediaDeps): MutationResolvers {
  return {
    createUpload: (_, { input }, { em, caller, services }) => createUpload(em, caller, input, deps, services),
    completeUpload: async (_, { uploadId }, { em, caller, entityChanges }) => {
      const asset = await completeUpload(em, caller, uploadId, deps);
      entityChanges.changed(ownerTypename(asset.ownerType), asset.ownerId);
      return asset;
    },
    deleteMediaAsset: (_, { id }, { em, caller, logger, entityChanges, jobs }) =>
      deleteAsset(em, caller, id, deps.storage, logger, entityChanges, jobs),
  };
}
