import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const Comment = defineEntity({
  name: 'Comment',
  tableName: 'comment',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    /** A plain column (on delete cascade in SQL): comments are always read by post id. */
    postId: p.uuid(),
    authorId: p.uuid(),
    body: p.text(),
    hiddenAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
  },
});

export type CommentEntity = InferEntity<typeof Comment>;
