import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A recurring care task of an animal, one per kind (table `care_schedule`). */
export const CareSchedule = defineEntity({
  name: 'CareSchedule',
  tableName: 'care_schedule',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    animalId: p.uuid(),
    kind: p.enum(['FEEDING', 'WEIGHT', 'SHED', 'NOTE']),
    everyDays: p.integer(),
    /** The last care of this kind plus everyDays (or the time it was set plus everyDays). */
    nextDueAt: p.datetime(3),
    /** The nextDueAt a reminder went out for; null until the first. */
    remindedFor: p.datetime(3).nullable(),
    /** The user who set it. */
    setBy: p.uuid().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type CareScheduleEntity = InferEntity<typeof CareSchedule>;
