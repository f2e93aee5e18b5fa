import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaAsset, type MediaAssetEntity } from '../entities/media-asset.entity.js';

/** Assets by id (MediaAsset references, Query.mediaAsset): one SQL statement per batch. */
export function createMediaAssetLoader(em: EntityManager): DataLoader<string, MediaAssetEntity | null> {
  return new DataLoader(async (ids) => {
    const rows = await em.find(MediaAsset, { id: { $in: [...ids] } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
