import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '@terrarium/platform/logger';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import { MediaAsset, type MediaAssetEntity } from '../entities/media-asset.entity.js';
import { extensionOf } from '../services/content.js';
import type { MediaDeps } from '../services/media-deps.js';
import { VARIANT_WIDTHS, renderVariant, variantKey } from '../services/variants.js';
import { CORS_HEADERS, RouteError, sendRouteError } from './respond.js';

/** Files never change under a URL (a new upload is a new asset), so caches may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const FILE_PATH = /^\/files\/([^/]+)\/(original|w(\d{1,5}))\.([a-z]+)$/;

const notFound = (): RouteError => new RouteError(404, 'No such file.', 'NOT_FOUND');

interface Wanted {
  asset: MediaAssetEntity;
  /** The variant width, or null for the original. */
  width: number | null;
}

/**
 * GET|HEAD /files/<assetId>/original.<ext> and /files/<assetId>/w<W>.<ext>. A variant is made
 * with sharp on its first request and stored beside the original, so later requests (from any
 * instance) read it from storage. A width not smaller than the original serves the original:
 * images are never upscaled. Documents are served exactly as uploaded.
 */
export function createFileRoute(deps: MediaDeps & { orm: Orm; logger: Logger }) {
  const { storage, logger } = deps;
  /** Variants being made in this process, so that a burst of first requests renders once. */
  const rendering = new Map<string, Promise<Buffer>>();

  async function find(path: string): Promise<Wanted> {
    const match = FILE_PATH.exec(path);
    const [, id, name, widthText, ext] = match ?? [];
    if (!id || !name || !ext || !isUuid(id)) throw notFound();
    const em = deps.orm.em.fork() as EntityManager;
    const asset = await em.findOne(MediaAsset, id);
    if (!asset || extensionOf(asset.contentType) !== ext) throw notFound();
    if (name === 'original') return { asset, width: null };
    const width = Number(widthText);
    if (asset.kind !== 'IMAGE' || !VARIANT_WIDTHS.includes(width as (typeof VARIANT_WIDTHS)[number]))
      throw notFound();
    return { asset, width: asset.width && width < asset.width ? width : null };
  }

  async function variant(asset: MediaAssetEntity, width: number): Promise<Buffer> {
    const key = variantKey(asset, width);
    const stored = await storage.get(key);
    if (stored) return stored;
    let pending = rendering.get(key);
    if (!pending) {
      pending = (async () => {
        const original = await storage.get(asset.storageKey);
        if (!original) throw notFound();
        const bytes = await renderVariant(original, asset.contentType, width);
        await storage.put(key, bytes, asset.contentType);
        return bytes;
      })().finally(() => rendering.delete(key));
      rendering.set(key, pending);
    }
    return pending;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { asset, width } = await find((req.url ?? '/').split('?')[0] ?? '/');
    // The checksum names the original's bytes; a variant's bytes follow from it and the width.
    const etag = `"${asset.checksum}${width === null ? '' : `-w${width}`}"`;
    const headers: Record<string, string> = {
      ...CORS_HEADERS,
      'content-type': asset.contentType,
      'cache-control': IMMUTABLE,
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (asset.kind === 'DOCUMENT')
      headers['content-disposition'] = `inline; filename="${asset.id}.${extensionOf(asset.contentType)}"`;
    if (req.headers['if-none-match']?.split(',').some((tag) => tag.trim() === etag)) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const bytes = width === null ? await storage.get(asset.storageKey) : await variant(asset, width);
    if (!bytes) {
      logger.error({ assetId: asset.id, key: asset.storageKey }, 'asset has no stored file');
      throw notFound();
    }
    res.writeHead(200, { ...headers, 'content-length': String(bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new RouteError(405, 'Files take GET or HEAD.', 'METHOD_NOT_ALLOWED');
      await serve(req, res);
    } catch (err) {
      if (err instanceof RouteError)
        return sendRouteError(req, res, err, err.status === 405 ? { allow: 'GET, HEAD' } : {});
      logger.error({ err }, 'serving a file failed');
      sendRouteError(req, res, new RouteError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  };
}
