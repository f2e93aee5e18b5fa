import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { MediaAsset, type MediaAssetEntity } from '../entities/media-asset.entity.js';
import type { Storage } from '../services/storage/index.js';
import { originalKey } from '../services/variants.js';
import { seedAssets, type SeedAsset } from './data.js';
import { renderPlaceholder } from './placeholder.js';

const CONTENT_TYPES = { webp: 'image/webp', jpeg: 'image/jpeg', png: 'image/png' } as const;

/**
 * Demo media per the seed canon, drawn with sharp and written through the storage interface.
 * Idempotent: an asset whose row and file both exist is left alone; a missing file (storage wiped,
 * database kept) is drawn again. Pictures are rendered concurrently (sharp uses libuv's pool).
 */
export async function seedMedia(em: EntityManager, storage: Storage): Promise<void> {
  const wanted = seedAssets();
  const existing = await em.find(MediaAsset, { id: { $in: wanted.map((asset) => asset.id) } });
  const rows = new Map(existing.map((row) => [row.id, row]));
  const present = await Promise.all(
    wanted.map(async (asset) => {
      const row = rows.get(asset.id);
      return row !== undefined && (await storage.exists(row.storageKey));
    }),
  );
  const missing = wanted.filter((_, i) => !present[i]);
  await Promise.all(missing.map((asset) => draw(em, storage, asset, rows.get(asset.id))));
  await em.flush();
}

async function draw(
  em: EntityManager,
  storage: Storage,
  asset: SeedAsset,
  row: MediaAssetEntity | undefined,
): Promise<void> {
  const bytes = await renderPlaceholder(asset.picture);
  const contentType = CONTENT_TYPES[asset.picture.format];
  const storageKey = originalKey({ id: asset.id, contentType });
  const checksum = createHash('sha256').update(bytes).digest('hex');
  await storage.put(storageKey, bytes, contentType);
  if (row) {
    // A redrawn file may differ by a byte from the first (another sharp build): keep the row true.
    Object.assign(row, { byteSize: bytes.length, checksum, storageKey });
    return;
  }
  em.create(MediaAsset, {
    id: asset.id,
    ownerType: asset.ownerType,
    ownerId: asset.ownerId,
    position: asset.position,
    kind: 'IMAGE',
    contentType,
    byteSize: bytes.length,
    width: asset.picture.width,
    height: asset.picture.height,
    alt: asset.alt,
    checksum,
    storageKey,
    createdBy: null,
  });
}
