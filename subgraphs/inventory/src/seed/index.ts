import { seedId } from '@terrarium/subgraph-kit/seed-id';
import type { EntityManager } from '@mikro-orm/postgresql';
import { execute, type SqlParam } from '@terrarium/subgraph-kit/sql';
import {
  ANIMALS,
  CARE_PATTERN,
  FEEDING_NOTES,
  ORGANIZATIONS,
  SPECIES,
  STOCK,
  type SeedAnimal,
} from './data.js';

/** The care log's "today" and the animals' registration time: fixed, so every start agrees. */
const CARE_LOG_DAY = Date.parse('2026-11-15T09:00:00Z');
const REGISTERED_AT = Date.parse('2026-10-01T08:00:00Z');
const DAY_MS = 86_400_000;

const values = (count: number, columns: number): string =>
  Array.from({ length: count }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(
    ', ',
  );

function animalRow(animal: SeedAnimal): SqlParam[] {
  return [
    seedId(`animal:${animal.n}`),
    animal.name,
    seedId(`species:${animal.species}`),
    seedId(`org:${ORGANIZATIONS[(animal.n - 1) % ORGANIZATIONS.length]}`),
    animal.sex,
    animal.hatchDate,
    animal.morph,
    `{${animal.genes.map((gene) => `"${gene}"`).join(',')}}`,
    animal.weightGrams,
    animal.sire ? 'AVAILABLE' : 'HOLDBACK',
    animal.sire ? seedId(`animal:${animal.sire}`) : null,
    animal.dam ? seedId(`animal:${animal.dam}`) : null,
    // Later numbers registered later, so the newest-first listing starts with the young stock.
    new Date(REGISTERED_AT + animal.n * 60_000),
  ];
}

/**
 * Demo species, animals with their care logs, and stock for the catalog. Idempotent: every row
 * has a deterministic id and `on conflict do nothing`, so a restart (or a concurrent instance,
 * behind the kit's advisory lock) changes nothing, and demo edits survive restarts.
 */
export async function seed(em: EntityManager): Promise<void> {
  await execute(
    em,
    `insert into species (id, slug, common_name, scientific_name) values ${values(SPECIES.length, 4)} on conflict do nothing`,
    SPECIES.flatMap((s) => [seedId(`species:${s.slug}`), s.slug, s.commonName, s.scientificName]),
  );

  // Parents first: their rows must exist before the offspring's foreign keys point at them.
  const adults = ANIMALS.filter((a) => !a.sire);
  const young = ANIMALS.filter((a) => a.sire);
  for (const batch of [adults, young]) {
    await execute(
      em,
      `insert into animal (id, name, species_id, organization_id, sex, hatch_date, morph, genes, weight_grams, status, sire_id, dam_id, created_at)
       values ${values(batch.length, 13)} on conflict do nothing`,
      batch.flatMap(animalRow),
    );
  }

  const care = ANIMALS.flatMap((animal) =>
    CARE_PATTERN.map((entry, i) => [
      seedId(`care:${animal.n}:${i}`),
      seedId(`animal:${animal.n}`),
      entry.kind,
      entry.notes ?? FEEDING_NOTES[animal.species],
      entry.kind === 'WEIGHT' ? animal.weightGrams : null,
      new Date(CARE_LOG_DAY - entry.daysAgo * DAY_MS),
    ]),
  );
  await execute(
    em,
    `insert into care_log (id, animal_id, kind, notes, weight_grams, recorded_at) values ${values(care.length, 6)} on conflict do nothing`,
    care.flat(),
  );

  await execute(
    em,
    `insert into stock (product_id, on_hand) values ${values(STOCK.length, 2)} on conflict do nothing`,
    STOCK.flatMap((s) => [seedId(`product:${s.sku}`), s.onHand]),
  );
  await execute(
    em,
    `insert into stock_adjustment (id, product_id, delta, reason, on_hand_after) values ${values(STOCK.length, 5)} on conflict do nothing`,
    STOCK.flatMap((s) => [
      seedId(`stock-adjustment:opening:${s.sku}`),
      seedId(`product:${s.sku}`),
      s.onHand,
      'Opening stock count',
      s.onHand,
    ]),
  );
}
