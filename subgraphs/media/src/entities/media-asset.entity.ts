import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const OWNER_TYPES = ['PRODUCT', 'ANIMAL', 'ORGANIZATION', 'POST'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

/** The graph's name of an owner's type (PRODUCT -> Product). */
export function ownerTypename(ownerType: OwnerType): string {
  return ownerType.charAt(0) + ownerType.slice(1).toLowerCase();
}

/**
 * A stored file attached to an owner in another subgraph (a product, animal, organization or
 * post, by id; never read from their tables). Immutable once created, so its URLs can be cached
 * forever.
 */
export const MediaAsset = defineEntity({
  name: 'MediaAsset',
  tableName: 'media_asset',
  properties: {
    id: p.uuid().primary(),
    ownerType: p.enum([...OWNER_TYPES]),
    ownerId: p.uuid(),
    /** Order among the owner's assets, from 0; ties break on createdAt then id. */
    position: p.integer(),
    kind: p.enum(['IMAGE', 'DOCUMENT'] as const),
    contentType: p.string(),
    /** Bytes of the original file. */
    byteSize: p.integer(),
    /** Pixels, after EXIF orientation; null for documents. */
    width: p.integer().nullable(),
    height: p.integer().nullable(),
    alt: p.text().nullable(),
    /** SHA-256 of the original, lower-case hex. */
    checksum: p.string(),
    /** Key of the original in storage. */
    storageKey: p.string(),
    /** The user who uploaded it; null for demo data. */
    createdBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type MediaAssetEntity = InferEntity<typeof MediaAsset>;
