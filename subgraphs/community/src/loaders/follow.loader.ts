import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FollowTargetType } from '../entities/follow.entity.js';
import { manyByKey } from '@terrarium/subgraph-kit/loaders';
import { loadGrouped } from './batch.js';

export interface FollowKey {
  /** The followed target for `followers`, the follower for `following`. */
  id: string;
  targetType: FollowTargetType;
  size: number;
}

const followKey = (key: FollowKey) => `${key.targetType}:${key.id}:${key.size}`;

/** Most recent followers of many targets: one statement, a lateral LIMIT per target. */
export function createFollowersLoader(em: EntityManager): DataLoader<FollowKey, string[], string> {
  return new DataLoader<FollowKey, string[], string>(
    (keys) =>
      loadGrouped(
        keys,
        (key) => `${key.targetType}:${key.size}`,
        async (group) => {
          const { targetType, size } = group[0]!;
          const ids = group.map((key) => key.id);
          const rows = await em.execute<{ target_id: string; follower_id: string }[]>(
            `select p.target_id, f.follower_id
           from unnest(array[?]::uuid[]) as p(target_id)
           cross join lateral (
             select follower_id from follow
             where target_type = ? and target_id = p.target_id
             order by created_at desc, follower_id limit ?
           ) f`,
            [ids, targetType, size],
          );
          return manyByKey(ids, rows, (row) => row.target_id).map((list) =>
            list.map((row) => row.follower_id),
          );
        },
      ),
    { cacheKeyFn: followKey },
  );
}

/** Targets of one type that many users follow, most recent first. */
export function createFollowingLoader(em: EntityManager): DataLoader<FollowKey, string[], string> {
  return new DataLoader<FollowKey, string[], string>(
    (keys) =>
      loadGrouped(
        keys,
        (key) => `${key.targetType}:${key.size}`,
        async (group) => {
          const { targetType, size } = group[0]!;
          const ids = group.map((key) => key.id);
          const rows = await em.execute<{ follower_id: string; target_id: string }[]>(
            `select p.follower_id, f.target_id
           from unnest(array[?]::uuid[]) as p(follower_id)
           cross join lateral (
             select target_id from follow
             where follower_id = p.follower_id and target_type = ?
             order by created_at desc, target_id limit ?
           ) f`,
            [ids, targetType, size],
          );
          return manyByKey(ids, rows, (row) => row.follower_id).map((list) =>
            list.map((row) => row.target_id),
          );
        },
      ),
    { cacheKeyFn: followKey },
  );
}

export interface FollowerCountKey {
  targetType: FollowTargetType;
  id: string;
}

/** Follower counts of many targets, one grouped count per batch. */
export function createFollowerCountLoader(em: EntityManager): DataLoader<FollowerCountKey, number, string> {
  return new DataLoader<FollowerCountKey, number, string>(
    async (keys) => {
      const rows = await em.execute<{ target_type: string; target_id: string; followers: number }[]>(
        `select f.target_type, f.target_id, count(*)::int as followers
         from follow f
         join unnest(array[?]::text[], array[?]::uuid[]) as k(target_type, target_id) using (target_type, target_id)
         group by f.target_type, f.target_id`,
        [keys.map((key) => key.targetType), keys.map((key) => key.id)],
      );
      const counts = new Map(rows.map((row) => [`${row.target_type}:${row.target_id}`, row.followers]));
      return keys.map((key) => counts.get(`${key.targetType}:${key.id}`) ?? 0);
    },
    { cacheKeyFn: (key) => `${key.targetType}:${key.id}` },
  );
}
