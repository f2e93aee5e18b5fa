import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const Post = defineEntity({
  name: 'Post',
  tableName: 'post',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    authorId: p.uuid(),
    title: p.text(),
    body: p.text(),
    /** Set when staff removed the post; its comments disappear with it. */
    hiddenAt: p.datetime(3).nullable(),
    createdAt: p.datetime(3).defaultRaw('now()'),
    updatedAt: p.datetime(3).defaultRaw('now()'),
  },
});

export type PostEntity = InferEntity<typeof Post>;
