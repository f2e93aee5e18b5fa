import { requireStaff, requireUser } from '@terrarium/platform/caller';
import { ConflictError, NotFoundError } from '@terrarium/platform/errors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueAudit, type JobQueue } from '@terrarium/subgraph-kit/jobs';
import type { Context } from '../context.js';
import {
  Report,
  type ReportEntity,
  type ReportStatus,
  type ReportSubjectType,
} from '../entities/report.entity.js';
import type { Subject } from '../loaders/rating.loader.js';
import { decodeKeyset, newerThan } from '@terrarium/subgraph-kit/cursors';
import { CursorTag, encodeRowCursor } from './paging.js';
import { invalidateRating } from './rating.service.js';
import { hideReview } from './review.service.js';
import { requireText } from './validate.js';
import { visibleTo } from './visibility.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Longest report reason, in characters. @default 1_000 */
export const MAX_REPORT_REASON = 1_000;

export type ReportAction = 'DISMISS' | 'REMOVE_CONTENT';

export interface ReportInput {
  subjectType: ReportSubjectType;
  subjectId: string;
  reason: string;
}

const TABLE: Record<ReportSubjectType, string> = { REVIEW: 'review', POST: 'post', COMMENT: 'comment' };

/** Whether the caller can see the subject (a comment is visible only while its post is). */
async function subjectIsVisible(ctx: Context, type: ReportSubjectType, id: string): Promise<boolean> {
  switch (type) {
    case 'REVIEW':
      return visibleTo(ctx, await ctx.loaders.review.load(id)) !== null;
    case 'POST':
      return visibleTo(ctx, await ctx.loaders.post.load(id)) !== null;
    case 'COMMENT': {
      const comment = visibleTo(ctx, await ctx.loaders.comment.load(id));
      return comment !== null && visibleTo(ctx, await ctx.loaders.post.load(comment.postId)) !== null;
    }
  }
}

/** Signed-in users. Reporting the same content again while the first report is open returns it. */
export async function report(ctx: Context, input: ReportInput): Promise<ReportEntity> {
  const reporterId = requireUser(ctx.caller);
  const subjectId = requireUuid(input.subjectId, 'input.subjectId');
  const reason = requireText(input.reason, 'input.reason', MAX_REPORT_REASON);
  if (!(await subjectIsVisible(ctx, input.subjectType, subjectId)))
    throw new NotFoundError(input.subjectType.charAt(0) + input.subjectType.slice(1).toLowerCase());
  const [row] = await ctx.em.execute<Record<string, unknown>[]>(
    `with inserted as (
       insert into report (reporter_id, subject_type, subject_id, reason) values (?, ?, ?, ?)
       on conflict do nothing returning *
     )
     select * from inserted
     union all
     select * from report where reporter_id = ? and subject_type = ? and subject_id = ? and status = 'OPEN'
     limit 1`,
    [reporterId, input.subjectType, subjectId, reason, reporterId, input.subjectType, subjectId],
  );
  // Only when a concurrent first report of the same content is not yet visible to this statement.
  if (!row) throw new ConflictError('This content is being reported right now; try again.');
  return ctx.em.map(Report, row);
}

/** Staff only: reports with a status, oldest first. */
export async function moderationQueue(
  ctx: Context,
  first: number | null | undefined,
  after: string | null | undefined,
  status: ReportStatus,
): Promise<Connection<ReportEntity>> {
  requireStaff(ctx.caller);
  const size = pageSize(first, 20);
  const cursor = decodeKeyset(CursorTag.REPORTS, after, 'date');
  const rows = await ctx.em.find(
    Report,
    { status, ...(cursor ? newerThan('createdAt', cursor) : {}) },
    { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], limit: size + 1 },
  );
  const totalCount = await ctx.em.count(Report, { status });
  return toConnection(rows, size, totalCount, (row) => encodeRowCursor(CursorTag.REPORTS, row));
}

/** Hides the subject inside the transaction; returns the rating subject when a review left its aggregate. */
async function hideSubject(
  tx: EntityManager,
  jobs: JobQueue,
  type: ReportSubjectType,
  id: string,
): Promise<Subject | null> {
  if (type === 'REVIEW') return hideReview(tx, jobs, id);
  await tx.execute(
    `update ${TABLE[type]} set hidden_at = now() where id = ? and hidden_at is null`,
    [id],
    'run',
  );
  return null;
}

/**
 * Staff only. Locks the reported content before the report, in that order for every resolver, so
 * two staff resolving two reports of the same content queue up instead of deadlocking.
 */
export async function resolveReport(
  ctx: Context,
  rawId: string,
  action: ReportAction,
): Promise<ReportEntity> {
  requireStaff(ctx.caller);
  const staffId = ctx.caller.userId!;
  const id = requireUuid(rawId, 'id');
  const { row, ratingSubject } = await ctx.em.transactional(async (tx) => {
    const [target] = await tx.execute<{ subject_type: ReportSubjectType; subject_id: string }[]>(
      'select subject_type, subject_id from report where id = ?',
      [id],
    );
    if (!target) throw new NotFoundError('Report');
    const { subject_type: type, subject_id: subjectId } = target;
    await tx.execute(`select id from ${TABLE[type]} where id = ? for update`, [subjectId]);
    const [current] = await tx.execute<{ status: ReportStatus }[]>(
      'select status from report where id = ? for update',
      [id],
    );
    if (current?.status !== 'OPEN')
      throw new ConflictError(`This report is already resolved (${current?.status ?? 'gone'}).`);
    if (action === 'DISMISS') {
      const [dismissed] = await tx.execute<Record<string, unknown>[]>(
        `update report set status = 'DISMISSED', resolved_by_id = ?, resolved_at = now() where id = ? returning *`,
        [staffId, id],
      );
      await enqueueAudit(ctx.jobs, tx, {
        actor: staffId,
        action: 'resolveReport',
        subject: `Report:${id}`,
        diff: { action, subject: `${type}:${subjectId}`, status: 'DISMISSED' },
      });
      return { row: dismissed!, ratingSubject: null };
    }
    const ratingSubject = await hideSubject(tx, ctx.jobs, type, subjectId);
    if (type === 'REVIEW') ctx.entityChanges.changed('Review', subjectId);
    // The content is gone: every open report of it is answered, not only this one.
    const closed = await tx.execute<Record<string, unknown>[]>(
      `update report set status = 'REMOVED', resolved_by_id = ?, resolved_at = now()
       where subject_type = ? and subject_id = ? and status = 'OPEN' returning *`,
      [staffId, type, subjectId],
    );
    // A moderation decision is a privileged write: ops' audit log records it with the content removed.
    await enqueueAudit(ctx.jobs, tx, {
      actor: staffId,
      action: 'resolveReport',
      subject: `Report:${id}`,
      diff: { action, subject: `${type}:${subjectId}`, status: 'REMOVED', reportsClosed: closed.length },
    });
    return { row: closed.find((r) => r['id'] === id)!, ratingSubject };
  });
  if (ratingSubject) await invalidateRating(ctx, ratingSubject);
  return ctx.em.map(Report, row);
}
