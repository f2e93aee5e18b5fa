import { isStaff } from '@terrarium/platform/caller';
import type { Context } from '../context.js';

/**
 * Content that staff removed stays in the database (the moderation record) but only staff see it;
 * for everyone else it does not exist.
 */
export function visibleTo<T extends { hiddenAt?: Date | null }>(
  ctx: Context,
  row: T | null | undefined,
): T | null {
  if (!row) return null;
  return row.hiddenAt == null || isStaff(ctx.caller) ? row : null;
}
