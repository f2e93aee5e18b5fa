import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireUser, type Caller } from '@terrarium/platform/caller';
import { BadUserInputError, ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { ServiceClient } from '@terrarium/subgraph-kit/service-client';
import { MediaAsset, type MediaAssetEntity, type OwnerType } from '../entities/media-asset.entity.js';
import { Upload, type UploadEntity } from '../entities/upload.entity.js';
import { isAllowedType, kindOf, type AllowedType } from './content.js';
import type { MediaDeps } from './media-deps.js';
import { requireMediaOwnerAccess } from './ownership.js';
import { uploadUrl } from './signing.js';
import { originalKey } from './variants.js';

/** Longest alt text accepted, in characters. @default 1_000 */
const MAX_ALT_LENGTH = 1_000;

export interface CreateUploadInput {
  ownerType: OwnerType;
  ownerId: string;
  contentType: string;
  byteSize: number;
  alt?: string | null;
}

export interface UploadTicket {
  uploadId: string;
  uploadUrl: string;
  expiresAt: Date;
  headers: { name: string; value: string }[];
  maxBytes: number;
}

function validContentType(input: CreateUploadInput): AllowedType {
  const contentType = input.contentType.trim().toLowerCase();
  if (!isAllowedType(contentType)) {
    throw new BadUserInputError(
      `Unsupported content type "${input.contentType}": use image/jpeg, image/png, image/webp or application/pdf.`,
      'contentType',
    );
  }
  if (kindOf(contentType) === 'DOCUMENT' && input.ownerType !== 'PRODUCT') {
    throw new BadUserInputError(
      'Documents (application/pdf) can be attached to products only.',
      'contentType',
    );
  }
  return contentType;
}

/**
 * Checks the declared file and the caller (asking inventory or community who owns an animal or a
 * post), records a PENDING upload and signs its URL.
 */
export async function createUpload(
  em: EntityManager,
  caller: Caller,
  input: CreateUploadInput,
  deps: MediaDeps,
  services: ServiceClient,
): Promise<UploadTicket> {
  requireUser(caller);
  if (!isUuid(input.ownerId)) throw new BadUserInputError(`"${input.ownerId}" is not a valid id.`, 'ownerId');
  const contentType = validContentType(input);
  const { maxBytes: limit, uploadTtlSeconds, signingSecret } = deps.settings;
  if (!Number.isInteger(input.byteSize) || input.byteSize < 1 || input.byteSize > limit) {
    throw new BadUserInputError(
      `"byteSize" must be from 1 to ${limit} bytes, got ${input.byteSize}.`,
      'byteSize',
    );
  }
  const alt = input.alt?.trim() || null;
  if (alt !== null && alt.length > MAX_ALT_LENGTH)
    throw new BadUserInputError(`"alt" must be at most ${MAX_ALT_LENGTH} characters.`, 'alt');
  const userId = await requireMediaOwnerAccess(caller, input.ownerType, input.ownerId, services);

  const expires = Math.floor(Date.now() / 1000) + uploadTtlSeconds;
  const upload = em.create(Upload, {
    id: randomUUID(),
    ownerType: input.ownerType,
    ownerId: input.ownerId,
    contentType,
    maxBytes: input.byteSize,
    alt,
    createdBy: userId,
    expiresAt: new Date(expires * 1000),
    status: 'PENDING',
  });
  await em.flush();
  return {
    uploadId: upload.id,
    uploadUrl: uploadUrl(deps.publicUrl(), signingSecret, {
      uploadId: upload.id,
      maxBytes: upload.maxBytes,
      contentType,
      expires,
    }),
    expiresAt: upload.expiresAt,
    headers: [{ name: 'Content-Type', value: contentType }],
    maxBytes: upload.maxBytes,
  };
}

function notReceived(upload: UploadEntity): BadUserInputError {
  return upload.expiresAt.getTime() <= Date.now()
    ? new BadUserInputError('The upload expired before a file was received; create a new upload.', 'uploadId')
    : new BadUserInputError(
        'No file has been received for this upload yet: PUT the file to its uploadUrl first.',
        'uploadId',
      );
}

/**
 * Turns a RECEIVED upload into an asset: moves the checked bytes from their staging key to the
 * asset's key and records the asset, under a lock on the upload row so that a retried call gets
 * the same asset. If recording fails (or the commit does) the bytes go back to staging, so that
 * storage holds no file without its row and a retry can still succeed.
 */
export async function completeUpload(
  em: EntityManager,
  caller: Caller,
  uploadId: string,
  deps: MediaDeps,
): Promise<MediaAssetEntity> {
  const userId = requireUser(caller);
  if (!isUuid(uploadId)) throw new BadUserInputError(`"${uploadId}" is not a valid upload id.`, 'uploadId');
  let moved: { from: string; to: string } | null = null;
  try {
    return await em.transactional(async (tx) => {
      const upload = await tx.findOne(Upload, uploadId, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!upload) throw new NotFoundError('Upload');
      if (upload.createdBy !== userId)
        throw new ForbiddenError('Only the user who created an upload may complete it.');
      if (upload.status === 'COMPLETED') {
        const existing = upload.assetId ? await tx.findOne(MediaAsset, upload.assetId) : null;
        if (existing) return existing;
        throw new BadUserInputError('The asset of this upload has been deleted.', 'uploadId');
      }
      const { stagedKey, contentType } = upload;
      if (upload.status !== 'RECEIVED' || !stagedKey || !isAllowedType(contentType))
        throw notReceived(upload);
      if (!(await deps.storage.exists(stagedKey))) {
        throw new BadUserInputError(
          'The uploaded file is no longer available; create a new upload.',
          'uploadId',
        );
      }

      const position = await nextPosition(tx, upload.ownerType, upload.ownerId);
      const id = randomUUID();
      const key = originalKey({ id, contentType });
      await deps.storage.move(stagedKey, key);
      moved = { from: key, to: stagedKey };
      const asset = tx.create(MediaAsset, {
        id,
        ownerType: upload.ownerType,
        ownerId: upload.ownerId,
        position,
        kind: kindOf(contentType),
        contentType,
        byteSize: upload.byteSize ?? 0,
        width: upload.width ?? null,
        height: upload.height ?? null,
        alt: upload.alt ?? null,
        checksum: upload.checksum ?? '',
        storageKey: key,
        createdBy: userId,
      });
      upload.status = 'COMPLETED';
      upload.assetId = id;
      upload.stagedKey = null;
      await tx.flush();
      return asset;
    });
  } catch (err) {
    const undo = moved as { from: string; to: string } | null;
    if (undo) await deps.storage.move(undo.from, undo.to).catch(() => undefined);
    throw err;
  }
}

/**
 * The owner's next free position. Concurrent completions for one owner queue on an advisory
 * lock (held until the transaction ends) so that they do not take the same position.
 */
async function nextPosition(tx: EntityManager, ownerType: OwnerType, ownerId: string): Promise<number> {
  const connection = tx.getConnection();
  const ctx = tx.getTransactionContext();
  await connection.execute(
    'select pg_advisory_xact_lock(hashtext(?))',
    [`media-owner:${ownerType}:${ownerId}`],
    'all',
    ctx,
  );
  const [row] = await connection.execute<{ position: number }[]>(
    'select coalesce(max(position) + 1, 0)::int as position from media_asset where owner_type = ? and owner_id = ?',
    [ownerType, ownerId],
    'all',
    ctx,
  );
  return row?.position ?? 0;
}
