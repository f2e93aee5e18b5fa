import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { query } from '@terrarium/subgraph-kit/sql';
import { MediaAsset, type MediaAssetEntity, type OwnerType } from '../entities/media-asset.entity.js';
import type { MediaKind } from '../services/content.js';

export interface OwnerMediaKey {
  ownerType: OwnerType;
  ownerId: string;
  kind: MediaKind;
  /** How many, in display order; null for all. */
  first: number | null;
}

type Row = Record<string, unknown>;

/**
 * An owner's assets of one kind in display order (Product.images, Animal.photos, ...). One SQL
 * statement per batch whatever the mix of owners and `first`: a window function numbers each
 * owner's rows and the statement keeps the largest `first` asked for; each key takes its slice.
 */
export function createOwnerMediaLoader(
  em: EntityManager,
): DataLoader<OwnerMediaKey, MediaAssetEntity[], string> {
  return new DataLoader(
    async (keys) => {
      const owners = new Map<string, [OwnerType, string, MediaKind]>();
      for (const key of keys)
        owners.set(`${key.ownerType}:${key.ownerId}:${key.kind}`, [key.ownerType, key.ownerId, key.kind]);
      const limit = keys.some((key) => key.first === null)
        ? null
        : Math.max(...keys.map((key) => key.first ?? 0));
      const tuples = [...owners.values()];
      const rows = await query<Row>(
        em,
        `select * from (
           select a.*, row_number() over (partition by owner_type, owner_id, kind order by position, created_at, id) as rn
           from media_asset a
           where (owner_type, owner_id, kind) in (${tuples.map(() => '(?, ?::uuid, ?)').join(', ')})
         ) numbered
         ${limit === null ? '' : 'where rn <= ?'}
         order by owner_type, owner_id, kind, rn`,
        [...tuples.flat(), ...(limit === null ? [] : [limit])],
      );
      const grouped = new Map<string, MediaAssetEntity[]>();
      for (const { rn: _rn, ...row } of rows) {
        const asset = em.map(MediaAsset, row);
        const group = `${asset.ownerType}:${asset.ownerId}:${asset.kind}`;
        grouped.set(group, [...(grouped.get(group) ?? []), asset]);
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
export function createLogoLoader(em: EntityManager): DataLoader<string, MediaAssetEntity | null> {
  return new DataLoader(async (organizationIds) => {
    const rows = await query<Row>(
      em,
      `select distinct on (owner_id) * from media_asset
       where owner_type = 'ORGANIZATION' and kind = 'IMAGE' and owner_id in (${organizationIds.map(() => '?::uuid').join(', ')})
       order by owner_id, position desc, created_at desc, id desc`,
      [...organizationIds],
    );
    const byOwner = new Map(rows.map((row) => [String(row['owner_id']), em.map(MediaAsset, row)]));
    return organizationIds.map((id) => byOwner.get(id) ?? null);
  });
}
