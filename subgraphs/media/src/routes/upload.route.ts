import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import { sendJson } from '@terrarium/platform/http';
import type { Logger } from '@terrarium/platform/logger';
import type { Orm } from '@terrarium/subgraph-kit/orm';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import { Upload } from '../entities/upload.entity.js';
import { ContentError, extensionOf, inspectFile } from '../services/content.js';
import type { MediaDeps } from '../services/media-deps.js';
import { checkUploadSignature } from '../services/signing.js';
import { readLimitedBody } from './read-body.js';
import { CORS_HEADERS, RouteError, sendPreflight, sendRouteError } from './respond.js';

const INVALID_URL = (): RouteError =>
  new RouteError(403, 'The upload URL is not valid.', 'INVALID_SIGNATURE');

/**
 * PUT /uploads/<uploadId>?expires=<unix s>&sig=<hmac>: the browser sends the file's raw bytes.
 * Checks, in order: signature (403), expiry (410), not already received (409), size (413),
 * type from the bytes (415), that an image decodes (422). Only then are the bytes stored, under
 * a staging key that completeUpload later moves to the asset's key; on any failure after that
 * the staged bytes are deleted again.
 */
export function createUploadRoute(deps: MediaDeps & { orm: Orm; logger: Logger }) {
  const { storage, settings, logger } = deps;

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const uploadId = url.pathname.slice('/uploads/'.length);
    const expires = Number(url.searchParams.get('expires'));
    const signature = url.searchParams.get('sig');
    if (!isUuid(uploadId) || !Number.isSafeInteger(expires) || !signature) throw INVALID_URL();

    const em = deps.orm.em.fork() as EntityManager;
    const upload = await em.findOne(Upload, uploadId);
    // An unknown id is answered like a bad signature: the URL tells an outsider nothing.
    if (!upload) throw INVALID_URL();
    const check = checkUploadSignature(
      settings.signingSecret,
      { uploadId, maxBytes: upload.maxBytes, contentType: upload.contentType, expires },
      signature,
    );
    if (check === 'invalid') throw INVALID_URL();
    if (check === 'expired')
      throw new RouteError(410, 'The upload URL has expired; create a new upload.', 'UPLOAD_EXPIRED');
    if (upload.status !== 'PENDING')
      throw new RouteError(
        409,
        'A file has already been received for this upload.',
        'UPLOAD_ALREADY_RECEIVED',
      );

    const bytes = await readLimitedBody(req, Math.min(upload.maxBytes, settings.maxBytes));
    const file = await inspectFile(bytes, upload.contentType);

    const stagedKey = `uploads/${uploadId}/${randomUUID()}.${extensionOf(file.contentType)}`;
    await storage.put(stagedKey, bytes, file.contentType);
    let updated: number;
    try {
      // Conditional on PENDING: of two concurrent PUTs only one is recorded.
      updated = await em.nativeUpdate(
        Upload,
        { id: uploadId, status: 'PENDING' },
        {
          status: 'RECEIVED',
          stagedKey,
          byteSize: file.byteSize,
          width: file.width,
          height: file.height,
          checksum: file.checksum,
        },
      );
    } catch (err) {
      await storage
        .delete(stagedKey)
        .catch((cleanupErr: unknown) =>
          logger.error({ err: cleanupErr, stagedKey }, 'could not remove staged upload'),
        );
      throw err;
    }
    if (updated === 0) {
      await storage.delete(stagedKey);
      throw new RouteError(
        409,
        'A file has already been received for this upload.',
        'UPLOAD_ALREADY_RECEIVED',
      );
    }
    sendJson(
      res,
      200,
      {
        uploadId,
        contentType: file.contentType,
        byteSize: file.byteSize,
        width: file.width,
        height: file.height,
        checksum: file.checksum,
      },
      { ...CORS_HEADERS },
    );
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'OPTIONS') return sendPreflight(res, 'PUT');
    try {
      if (req.method !== 'PUT')
        throw new RouteError(405, 'Uploads take PUT with the raw file as the body.', 'METHOD_NOT_ALLOWED');
      await receive(req, res);
    } catch (err) {
      if (err instanceof RouteError)
        return sendRouteError(req, res, err, err.status === 405 ? { allow: 'PUT, OPTIONS' } : {});
      if (err instanceof ContentError)
        return sendRouteError(req, res, new RouteError(err.status, err.message, err.code));
      logger.error({ err }, 'upload failed');
      sendRouteError(req, res, new RouteError(500, 'Internal server error', 'INTERNAL_SERVER_ERROR'));
    }
  };
}
