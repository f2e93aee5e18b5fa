import { randomUUID } from 'node:crypto';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * An animal (table `animal`). Relations are plain id columns: the graph resolves species, sire,
 * dam and offspring through per-request DataLoaders, never through lazy ORM references.
 * `search_text` (generated from name, morph and genes) exists only in SQL: Postgres writes it and
 * animalSearch reads it, so it is not mapped here.
 */
export const Animal = defineEntity({
  name: 'Animal',
  tableName: 'animal',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    name: p.string(),
    speciesId: p.uuid(),
    /** ops' Organization (no foreign key across subgraphs). */
    organizationId: p.uuid(),
    sex: p.enum(['MALE', 'FEMALE', 'UNKNOWN']),
    /** YYYY-MM-DD. */
    hatchDate: p.date().nullable(),
    morph: p.string().nullable(),
    genes: p.array(),
    weightGrams: p.integer().nullable(),
    status: p.enum(['AVAILABLE', 'RESERVED', 'SOLD', 'HOLDBACK']),
    sireId: p.uuid().nullable(),
    damId: p.uuid().nullable(),
    /** The order holding (RESERVED) or that bought (SOLD) the animal. */
    reservedOrderId: p.uuid().nullable(),
    /** ops' User the animal was delivered to; null while its breeder holds it. */
    keeperId: p.uuid().nullable(),
    /** Millisecond precision (timestamptz(3)) so a keyset cursor round-trips through a JS Date. */
    createdAt: p.datetime(3).onCreate(() => new Date()),
    updatedAt: p
      .datetime(3)
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export type AnimalEntity = InferEntity<typeof Animal>;
export type Sex = AnimalEntity['sex'];
export type AnimalStatus = AnimalEntity['status'];
