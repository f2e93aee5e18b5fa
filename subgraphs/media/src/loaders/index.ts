import type { LoaderDeps } from '@terrarium/subgraph-kit/context';
import { createMediaAssetLoader } from './media-asset.loader.js';
import { createLogoLoader, createOwnerMediaLoader } from './owner-media.loader.js';

/** Built per request, so that batches and caches never outlive one operation. */
export function createLoaders({ em }: LoaderDeps) {
  return {
    mediaAsset: createMediaAssetLoader(em),
    ownerMedia: createOwnerMediaLoader(em),
    logo: createLogoLoader(em),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
