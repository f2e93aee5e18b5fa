import { BadUserInputError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { MediaAssetResolvers } from '../generated/resolvers.js';
import type { MediaDeps } from '../services/media-deps.js';
import { fileUrl } from '../services/variants.js';

export function createMediaAssetResolvers(deps: MediaDeps): MediaAssetResolvers {
  return {
    __resolveReference: ({ id }, { loaders }) => {
      if (!isUuid(id)) throw new BadUserInputError(`"${id}" is not a valid id.`, 'id');
      return loaders.mediaAsset.load(id);
    },
    url: (asset, { width }) => fileUrl(deps.publicUrl(), asset, width),
  };
}
