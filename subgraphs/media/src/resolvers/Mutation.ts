import type { MutationResolvers } from '../generated/resolvers.js';
import { deleteAsset } from '../services/assets.js';
import type { MediaDeps } from '../services/media-deps.js';
import { completeUpload, createUpload } from '../services/uploads.js';

export function createMutationResolvers(deps: MediaDeps): MutationResolvers {
  return {
    createUpload: (_, { input }, { em, caller, services }) => createUpload(em, caller, input, deps, services),
    completeUpload: (_, { uploadId }, { em, caller }) => completeUpload(em, caller, uploadId, deps),
    deleteMediaAsset: (_, { id }, { em, caller, logger }) =>
      deleteAsset(em, caller, id, deps.storage, logger),
  };
}
