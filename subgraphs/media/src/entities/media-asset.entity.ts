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

/**
 * An asset as the graph reads it: a plain row, not a managed entity. Reads never change an asset,
 * so they skip the identity map and hydration (in a page of images that was the subgraph's largest
 * CPU cost); writes keep using MediaAsset through the EntityManager. The nullable fields are
 * optional so that an entity a mutation created and answers with fits too.
 */
export interface MediaAssetRecord {
  id: string;
  ownerType: OwnerType;
  ownerId: string;
  position: number;
  kind: 'IMAGE' | 'DOCUMENT';
  contentType: string;
  byteSize: number;
  width?: number | null;
  height?: number | null;
  alt?: string | null;
  checksum: string;
  storageKey: string;
  createdBy?: string | null;
  createdAt: Date;
}

/** MediaAssetRecord's columns; `a` is the media_asset table's alias. */
export const MEDIA_ASSET_COLUMNS = `
  a.id, a.owner_type as "ownerType", a.owner_id as "ownerId", a.position, a.kind,
  a.content_type as "contentType", a.byte_size as "byteSize", a.width, a.height, a.alt,
  a.checksum, a.storage_key as "storageKey", a.created_by as "createdBy", a.created_at as "createdAt"`;
