import { isStaff } from '@terrarium/platform/caller';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueAudit } from '@terrarium/subgraph-kit/jobs';
import type { Context } from '../context.js';

/**
 * Owes ops an audit entry, in `tx` (the outbox), when staff use their privilege: changing content
 * someone else wrote. Authors (staff among them) acting on their own content are ordinary users
 * and are not audited, so the log holds the moderation a reader must be able to account for.
 */
export async function auditStaffAction(
  ctx: Context,
  tx: EntityManager,
  entry: { action: string; subject: string; authorId: string; diff?: Record<string, unknown> },
): Promise<void> {
  const actor = ctx.caller.userId;
  if (!actor || !isStaff(ctx.caller) || entry.authorId === actor) return;
  await enqueueAudit(ctx.jobs, tx, {
    actor,
    action: entry.action,
    subject: entry.subject,
    diff: { authorId: entry.authorId, ...entry.diff },
  });
}
