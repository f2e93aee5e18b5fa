import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { OWNER_TYPES } from './media-asset.entity.js';

/**
 * PENDING: URL handed out, no bytes yet. RECEIVED: bytes checked and staged in storage.
 * COMPLETED: turned into a MediaAsset (assetId).
 */
export const UPLOAD_STATUSES = ['PENDING', 'RECEIVED', 'COMPLETED'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

/** One signed upload: what may be sent, by whom, until when, and what arrived. */
export const Upload = defineEntity({
  name: 'Upload',
  tableName: 'upload',
  properties: {
    id: p.uuid().primary(),
    ownerType: p.enum([...OWNER_TYPES]),
    ownerId: p.uuid(),
    /** The type the client declared; the bytes must match it. */
    contentType: p.string(),
    /** The byteSize declared in createUpload: the PUT may send at most this many bytes. */
    maxBytes: p.integer(),
    alt: p.text().nullable(),
    createdBy: p.uuid(),
    expiresAt: p.datetime(),
    status: p.enum([...UPLOAD_STATUSES]),
    /** Where the checked bytes wait for completeUpload. */
    stagedKey: p.string().nullable(),
    byteSize: p.integer().nullable(),
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    checksum: p.string().nullable(),
    assetId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type UploadEntity = InferEntity<typeof Upload>;
