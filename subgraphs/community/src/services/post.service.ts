import { isStaff, requireUser } from '@terrarium/platform/caller';
import { ForbiddenError, NotFoundError } from '@terrarium/platform/errors';
import { pageSize, toConnection, type Connection } from '@terrarium/subgraph-kit/pagination';
import type { Context } from '../context.js';
import { Comment, type CommentEntity } from '../entities/comment.entity.js';
import { Post, type PostEntity } from '../entities/post.entity.js';
import { Topic, toCommentEvent } from './events.js';
import { decodeKeyset, olderThan } from '@terrarium/subgraph-kit/cursors';
import { CursorTag, encodeRowCursor } from './paging.js';
import { auditStaffAction } from './staff-audit.js';
import { requireText } from './validate.js';
import { visibleTo } from './visibility.js';
import { requireUuid } from '@terrarium/subgraph-kit/uuid';

/** Limits, in characters. */
export const MAX_POST_TITLE = 200;
export const MAX_POST_BODY = 20_000;
export const MAX_COMMENT_BODY = 5_000;

export interface PostInput {
  title: string;
  body: string;
}

export async function createPost(ctx: Context, input: PostInput): Promise<PostEntity> {
  const authorId = requireUser(ctx.caller);
  const title = requireText(input.title, 'input.title', MAX_POST_TITLE);
  const body = requireText(input.body, 'input.body', MAX_POST_BODY);
  const [row] = await ctx.em.execute<Record<string, unknown>[]>(
    'insert into post (author_id, title, body) values (?, ?, ?) returning *',
    [authorId, title, body],
  );
  return ctx.em.map(Post, row!);
}

/** Author or staff; the comments go with it (on delete cascade). */
export async function deletePost(ctx: Context, rawId: string): Promise<string> {
  const userId = requireUser(ctx.caller);
  const id = requireUuid(rawId, 'id');
  const post = visibleTo(ctx, await ctx.loaders.post.load(id));
  if (!post) throw new NotFoundError('Post');
  if (post.authorId !== userId && !isStaff(ctx.caller))
    throw new ForbiddenError('Only the author or staff may delete this post.');
  await ctx.em.transactional(async (tx) => {
    // The row deleted, not the one loaded: its author decides whether this was staff's privilege.
    const [deleted] = await tx.execute<{ author_id: string; title: string }[]>(
      'delete from post where id = ? returning author_id, title',
      [id],
    );
    if (!deleted) throw new NotFoundError('Post');
    await auditStaffAction(ctx, tx, {
      action: 'deletePost',
      subject: `Post:${id}`,
      authorId: deleted.author_id,
      diff: { title: deleted.title },
    });
  });
  ctx.loaders.post.clear(id);
  return id;
}

export async function addComment(ctx: Context, rawPostId: string, rawBody: string): Promise<CommentEntity> {
  const authorId = requireUser(ctx.caller);
  const postId = requireUuid(rawPostId, 'postId');
  const body = requireText(rawBody, 'body', MAX_COMMENT_BODY);
  if (!visibleTo(ctx, await ctx.loaders.post.load(postId))) throw new NotFoundError('Post');
  // Insert only while the post still exists and is visible: a concurrent delete or removal wins.
  const [row] = await ctx.em.execute<Record<string, unknown>[]>(
    `insert into comment (post_id, author_id, body)
     select id, ?, ? from post where id = ? and (hidden_at is null or ?)
     returning *`,
    [authorId, body, postId, isStaff(ctx.caller)],
  );
  if (!row) throw new NotFoundError('Post');
  const comment = ctx.em.map(Comment, row);
  await ctx.events
    .publish(Topic.commentAdded(postId), toCommentEvent(comment))
    .catch((err: unknown) => ctx.logger.warn({ err }, 'event publish failed'));
  return comment;
}

export async function deleteComment(ctx: Context, rawId: string): Promise<string> {
  const userId = requireUser(ctx.caller);
  const id = requireUuid(rawId, 'id');
  const comment = visibleTo(ctx, await ctx.loaders.comment.load(id));
  if (!comment) throw new NotFoundError('Comment');
  if (comment.authorId !== userId && !isStaff(ctx.caller))
    throw new ForbiddenError('Only the author or staff may delete this comment.');
  await ctx.em.transactional(async (tx) => {
    const [deleted] = await tx.execute<{ author_id: string; post_id: string }[]>(
      'delete from comment where id = ? returning author_id, post_id',
      [id],
    );
    if (!deleted) throw new NotFoundError('Comment');
    await auditStaffAction(ctx, tx, {
      action: 'deleteComment',
      subject: `Comment:${id}`,
      authorId: deleted.author_id,
      diff: { postId: deleted.post_id },
    });
  });
  ctx.loaders.comment.clear(id);
  return id;
}

/** The community feed: visible posts, newest first. */
export async function feed(
  ctx: Context,
  first: number | null | undefined,
  after: string | null | undefined,
): Promise<Connection<PostEntity>> {
  const size = pageSize(first, 20);
  const cursor = decodeKeyset(CursorTag.POSTS, after, 'date');
  const rows = await ctx.em.find(
    Post,
    { hiddenAt: null, ...(cursor ? olderThan('createdAt', cursor) : {}) },
    { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: size + 1 },
  );
  const totalCount = await ctx.em.count(Post, { hiddenAt: null });
  return toConnection(rows, size, totalCount, (row) => encodeRowCursor(CursorTag.POSTS, row));
}
