import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A reptile species (table `species`). */
export const Species = defineEntity({
  name: 'Species',
  tableName: 'species',
  properties: {
    id: p.uuid().primary(),
    /** Stable handle used by the seed (`seedId('species:<slug>')`). */
    slug: p.string().unique(),
    commonName: p.string(),
    scientificName: p.string(),
  },
});

export type SpeciesEntity = InferEntity<typeof Species>;
