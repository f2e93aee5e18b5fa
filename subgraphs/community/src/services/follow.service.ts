import { requireUser } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import type { Context } from '../context.js';
import type { FollowTargetType } from '../entities/follow.entity.js';
import { requireKnownSubject } from './subjects.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/**
 * Users and organizations live in ops; community does not read its tables. A new follow is
 * checked with ops first (requireKnownSubject); unfollowing is not, so that a follow of a user or
 * organization ops has since removed can still be dropped.
 */
function parseTarget(
  ctx: Context,
  targetType: FollowTargetType,
  rawTargetId: string,
): { followerId: string; targetId: string } {
  const followerId = requireUser(ctx.caller);
  const targetId = requireUuid(rawTargetId, 'targetId');
  if (targetType === 'USER' && targetId === followerId)
    throw new BadUserInputError('You cannot follow yourself.', 'targetId');
  return { followerId, targetId };
}

/** What a follow changes as the graph shows it: the follower's `following` and the target's `followers`. */
function announceFollow(ctx: Context, followerId: string, targetType: FollowTargetType, targetId: string) {
  ctx.entityChanges.changed('User', followerId);
  ctx.entityChanges.changed(targetType === 'USER' ? 'User' : 'Organization', targetId);
}

/** Idempotent: following twice keeps one follow. */
export async function follow(
  ctx: Context,
  targetType: FollowTargetType,
  rawTargetId: string,
): Promise<boolean> {
  const { followerId, targetId } = parseTarget(ctx, targetType, rawTargetId);
  await requireKnownSubject(ctx, targetType === 'USER' ? 'User' : 'Organization', targetId);
  await ctx.em.execute(
    'insert into follow (follower_id, target_type, target_id) values (?, ?, ?) on conflict do nothing',
    [followerId, targetType, targetId],
    'run',
  );
  announceFollow(ctx, followerId, targetType, targetId);
  return true;
}

/** True when a follow was removed. */
export async function unfollow(
  ctx: Context,
  targetType: FollowTargetType,
  rawTargetId: string,
): Promise<boolean> {
  const { followerId, targetId } = parseTarget(ctx, targetType, rawTargetId);
  const removed = await ctx.em.execute<{ follower_id: string }[]>(
    'delete from follow where follower_id = ? and target_type = ? and target_id = ? returning follower_id',
    [followerId, targetType, targetId],
  );
  if (removed.length > 0) announceFollow(ctx, followerId, targetType, targetId);
  return removed.length > 0;
}
