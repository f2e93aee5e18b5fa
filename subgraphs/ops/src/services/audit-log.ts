import { requireService, requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import { decodeCursor, encodeCursor, pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import { isUuid } from '@terrarium/subgraph-kit/seed-id';
import type { Context } from '../context.js';
import { AuditLog, type AuditLogEntity } from '../entities/audit-log.entity.js';
import { recordAudit } from './audit.js';
import { validId, validText } from './validation.js';

const CURSOR_TAG = 'AuditLog';

function cursorKeys(after: string | null | undefined): { createdAt: Date; id: string } | null {
  const keys = decodeCursor(CURSOR_TAG, after);
  if (!keys) return null;
  const [at, id] = keys;
  const createdAt = new Date(typeof at === 'string' ? at : Number.NaN);
  if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string' || !isUuid(id)) {
    throw new BadUserInputError(`Unknown cursor "${after}".`, 'after');
  }
  return { createdAt, id };
}

/** Staff only; newest first, (createdAt, id) as the cursor so that equal timestamps page stably. */
export async function listAuditLog(ctx: Context, first: number, after: string | null | undefined): Promise<Connection<AuditLogEntity>> {
  requireStaff(ctx.caller);
  const size = pageSize(first, 50);
  const from = cursorKeys(after);
  const where = from ? { $or: [{ createdAt: { $lt: from.createdAt } }, { createdAt: from.createdAt, id: { $lt: from.id } }] } : {};
  const [rows, total] = await Promise.all([
    ctx.em.find(AuditLog, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 }),
    ctx.em.count(AuditLog, {}),
  ]);
  return toConnection(rows, size, total, (entry) => encodeCursor(CURSOR_TAG, [entry.createdAt.toISOString(), entry.id]));
}

/** Internal: another subgraph records a staff action it performed. */
export async function recordExternalAudit(ctx: Context, action: string, actorId: string | null | undefined, subject: string): Promise<boolean> {
  const source = requireService(ctx.caller);
  recordAudit(ctx.em, {
    action: validText(action, 'action', 'The action', 1, 100),
    actorId: actorId == null ? null : validId(actorId, 'actorId'),
    subject: validText(subject, 'subject', 'The subject', 1, 500),
    source,
  });
  await ctx.em.flush();
  return true;
}
