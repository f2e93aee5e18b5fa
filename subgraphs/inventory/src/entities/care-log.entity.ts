import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** One care record of an animal (table `care_log`). */
export const CareLog = defineEntity({
  name: 'CareLog',
  tableName: 'care_log',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    animalId: p.uuid(),
    kind: p.enum(['FEEDING', 'WEIGHT', 'SHED', 'NOTE']),
    notes: p.text().nullable(),
    /** Grams. */
    weightGrams: p.integer().nullable(),
    recordedAt: p.datetime(),
    /** The user who wrote the entry (null for seeded history). */
    recordedBy: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type CareLogEntity = InferEntity<typeof CareLog>;
export type CareKind = CareLogEntity['kind'];
