import type { EntityManager } from '@mikro-orm/postgresql';
import { createByKeyLoader } from '@terrarium/subgraph-kit/loaders';
import { jsonList, query } from '@terrarium/subgraph-kit/sql';
import type DataLoader from 'dataloader';
import { MEDIA_ASSET_COLUMNS, type MediaAssetRecord } from '../entities/media-asset.entity.js';

/** Assets by id (MediaAsset references, Query.mediaAsset): one SQL statement per batch. */
export function createMediaAssetLoader(em: EntityManager): DataLoader<string, MediaAssetRecord | null> {
  return createByKeyLoader(
    (ids) =>
      query<MediaAssetRecord>(
        em,
        `select ${MEDIA_ASSET_COLUMNS} from media_asset a
          where a.id = any(select jsonb_array_elements_text(?::jsonb)::uuid)`,
        [jsonList(ids)],
      ),
    (asset) => asset.id,
  );
}
