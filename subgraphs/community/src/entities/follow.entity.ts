import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const FOLLOW_TARGET_TYPES = ['USER', 'ORGANIZATION'] as const;
export type FollowTargetType = (typeof FOLLOW_TARGET_TYPES)[number];

/** A user following a user or an organization; at most one row per pair. */
export const Follow = defineEntity({
  name: 'Follow',
  tableName: 'follow',
  properties: {
    followerId: p.uuid().primary(),
    targetType: p.enum([...FOLLOW_TARGET_TYPES]).primary(),
    targetId: p.uuid().primary(),
    createdAt: p.datetime(3).defaultRaw('now()'),
  },
});

export type FollowEntity = InferEntity<typeof Follow>;
