import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@terrarium/subgraph-kit/sql';
import {
  MEDIA_ASSET_COLUMNS,
  type MediaAssetRecord,
  type OwnerType,
} from '../entities/media-asset.entity.js';
import type { MediaKind } from '../services/content.js';

export interface OwnerMediaKey {
  ownerType: OwnerType;
  ownerId: string;
  kind: MediaKind;
  /** How many, in display order; null for all. */
  first: number | null;
}

/**
 * An owner's assets of one kind in display order (Product.images, Animal.photos, ...). One SQL
 * statement per batch whatever the mix of owners and `first`: a window function numbers each
 * owner's rows and the statement keeps the largest `first` asked for; each key takes its slice.
 */
export function createOwnerMediaLoader(
  em: EntityManager,
): DataLoader<OwnerMediaKey, MediaAssetRecord[], string> {
  return new DataLoader(
    async (keys) => {
      const owners = new Map<string, [OwnerType, string, MediaKind]>();
      for (const key of keys)
        owners.set(`${key.ownerType}:${key.ownerId}:${key.kind}`, [key.ownerType, key.ownerId, key.kind]);
      const limit = keys.some((key) => key.first === null)
        ? null
        : Math.max(...keys.map((key) => key.first ?? 0));
      const tuples = [...owners.values()];
      const rows = await query<MediaAssetRecord & { rn: number }>(
        em,
        `select * from (
           select ${MEDIA_ASSET_COLUMNS}, row_number() over (partition by owner_type, owner_id, kind order by position, created_at, id) as rn
           from media_asset a
           where (owner_type, owner_id, kind) in (${tuples.map(() => '(?, ?::uuid, ?)').join(', ')})
         ) numbered
         ${limit === null ? '' : 'where rn <= ?'}
         order by "ownerType", "ownerId", kind, rn`,
        [...tuples.flat(), ...(limit === null ? [] : [limit])],
      );
      const grouped = new Map<string, MediaAssetRecord[]>();
      for (const { rn: _rn, ...asset } of rows) {
        const group = `${asset.ownerType}:${asset.ownerId}:${asset.kind}`;
        const list = grouped.get(group);
        if (list) list.push(asset);
        else grouped.set(group, [asset]);
      }
      return keys.map((key) => {
        const list = grouped.get(`${key.ownerType}:${key.ownerId}:${key.kind}`) ?? [];
        return key.first === null ? list : list.slice(0, key.first);
      });
    },
    { cacheKeyFn: (key) => `${key.ownerType}:${key.ownerId}:${key.kind}:${key.first ?? 'all'}` },
  );
}

/**
 * Organization logos: the organization's most recently added image (highest position), so that
 * uploading a new logo replaces the old one. One SQL statement per batch.
 */
export function createLogoLoader(em: EntityManager): DataLoader<string, MediaAssetRecord | null> {
  return new DataLoader(async (organizationIds) => {
    const rows = await query<MediaAssetRecord>(
      em,
      `select distinct on (owner_id) ${MEDIA_ASSET_COLUMNS} from media_asset a
       where owner_type = 'ORGANIZATION' and kind = 'IMAGE' and owner_id in (${organizationIds.map(() => '?::uuid').join(', ')})
       order by owner_id, position desc, created_at desc, id desc`,
      [...organizationIds],
    );
    const byOwner = new Map(rows.map((asset) => [asset.ownerId, asset]));
    return organizationIds.map((id) => byOwner.get(id) ?? null);
  });
}
