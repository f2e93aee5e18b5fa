import type { EntityManager } from '@mikro-orm/postgresql';
import { createByIdLoader } from '@terrarium/subgraph-kit/loaders';
import type DataLoader from 'dataloader';
import { MediaAsset, type MediaAssetEntity } from '../entities/media-asset.entity.js';

/** Assets by id (MediaAsset references, Query.mediaAsset): one SQL statement per batch. */
export function createMediaAssetLoader(em: EntityManager): DataLoader<string, MediaAssetEntity | null> {
  return createByIdLoader(em, MediaAsset);
}
