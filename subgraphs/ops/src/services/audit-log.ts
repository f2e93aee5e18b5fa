import { decodeKeyset, encodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { requireService, requireStaff } from '@terrarium/platform/caller';
import { BadUserInputError } from '@terrarium/platform/errors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import type { Context } from '../context.js';
import { AuditLog, type AuditLogEntity } from '../entities/audit-log.entity.js';
import { validId, validText } from './validation.js';

const CURSOR_TAG = 'AuditLog';

/** Staff only; newest first, (createdAt, id) as the cursor so that equal timestamps page stably. */
export async function listAuditLog(
  ctx: Context,
  first: number,
  after: string | null | undefined,
): Promise<Connection<AuditLogEntity>> {
  requireStaff(ctx.caller);
  const size = pageSize(first, 50);
  const from = decodeKeyset(CURSOR_TAG, after, 'date');
  const where = from ? olderThan('createdAt', from) : {};
  const [rows, total] = await Promise.all([
    ctx.em.find(AuditLog, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: size + 1 }),
    ctx.em.count(AuditLog, {}),
  ]);
  return toConnection(rows, size, total, (entry) => encodeKeyset(CURSOR_TAG, entry.createdAt, entry.id));
}

/** A diff is JSON of an object, at most this long. @default 10_000 characters */
const MAX_DIFF_LENGTH = 10_000;

function validDiff(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadUserInputError('The diff must be JSON.', 'diff');
  }
  if (
    raw.length > MAX_DIFF_LENGTH ||
    typeof parsed !== 'object' ||
    parsed === null ||
    Array.isArray(parsed)
  ) {
    throw new BadUserInputError(
      `The diff must be a JSON object of at most ${MAX_DIFF_LENGTH} characters.`,
      'diff',
    );
  }
  return raw;
}

export interface ExternalAudit {
  action: string;
  actorId?: string | null;
  subject: string;
  /** JSON object text. */
  diff?: string | null;
  /** The sender's idempotency key (its job id); the entry is recorded once per source and key. */
  key?: string | null;
}

/** Internal: another subgraph records a privileged action it performed (kit jobs/audit.ts). */
export async function recordExternalAudit(ctx: Context, input: ExternalAudit): Promise<boolean> {
  const source = requireService(ctx.caller);
  const action = validText(input.action, 'action', 'The action', 1, 100);
  const actorId = input.actorId == null ? null : validId(input.actorId, 'actorId');
  const subject = validText(input.subject, 'subject', 'The subject', 1, 500);
  const diff = validDiff(input.diff);
  const key = input.key == null ? null : `${source}:${validText(input.key, 'key', 'The key', 1, 200)}`;
  // A redelivered entry (same source and key) is already there: nothing to do, and still true.
  await ctx.em.execute(
    `insert into audit_log (action, actor_id, subject, source, diff, key) values (?, ?, ?, ?, ?::jsonb, ?) on conflict (key) do nothing`,
    [action, actorId, subject, source, diff, key],
  );
  return true;
}
