import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A breeder business. */
export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organization',
  properties: {
    id: p.uuid().primary().defaultRaw('gen_random_uuid()'),
    name: p.text(),
    slug: p.text(),
    description: p.text().nullable(),
    createdAt: p.datetime(3).onCreate(() => new Date()),
  },
});

export type OrganizationEntity = InferEntity<typeof Organization>;
