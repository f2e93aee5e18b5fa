import { BadUserInputError } from '@terrarium/platform/errors';
import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Animal, type AnimalEntity } from '../entities/animal.entity.js';
import { query, type ReadOptions } from '@terrarium/subgraph-kit/sql';

/** Deepest pedigree a client may ask for (six generations is 126 ancestors). @default 6 */
export const MAX_PEDIGREE_DEPTH = 6;

export interface PedigreeEntry {
  animal: AnimalEntity;
  generation: number;
  /** Path from the animal, e.g. "dam.sire" (the dam's sire). */
  relation: string;
}

/**
 * Every ancestor up to `depth` generations, in one recursive CTE (never one query per ancestor).
 * The depth bound also ends the recursion should bad data ever form a cycle. Ordered by
 * generation, then sire line before dam line, as a pedigree chart reads.
 */
const PEDIGREE_SQL = `
  with recursive tree (animal_id, generation, relation, path) as (
    select parent.id, 1, parent.relation, array[parent.ord]
      from animal child
      cross join lateral (values (child.sire_id, 'sire', 0), (child.dam_id, 'dam', 1)) as parent (id, relation, ord)
     where child.id = ? and parent.id is not null
    union all
    select parent.id, tree.generation + 1, tree.relation || '.' || parent.relation, tree.path || parent.ord
      from tree
      join animal child on child.id = tree.animal_id
      cross join lateral (values (child.sire_id, 'sire', 0), (child.dam_id, 'dam', 1)) as parent (id, relation, ord)
     where parent.id is not null and tree.generation < ?
  )
  select tree.generation as pedigree_generation, tree.relation as pedigree_relation, a.*
    from tree join animal a on a.id = tree.animal_id
   order by tree.generation, tree.path`;

type PedigreeRow = Record<string, unknown> & { pedigree_generation: number; pedigree_relation: string };

export async function loadPedigree(
  em: EntityManager,
  animalLoader: DataLoader<string, AnimalEntity | null>,
  animalId: string,
  depth: number,
  reads: ReadOptions = {},
): Promise<PedigreeEntry[]> {
  if (!Number.isInteger(depth) || depth < 1 || depth > MAX_PEDIGREE_DEPTH) {
    throw new BadUserInputError(
      `"depth" must be between 1 and ${MAX_PEDIGREE_DEPTH}, got ${depth}.`,
      'depth',
    );
  }
  const found = await query<PedigreeRow>(em, PEDIGREE_SQL, [animalId, depth], reads);
  return found.map(({ pedigree_generation: generation, pedigree_relation: relation, ...row }) => {
    const animal = em.map(Animal, row);
    // Ancestors' own sire/dam fields then come from the loader without another query.
    animalLoader.prime(animal.id, animal);
    return { animal, generation, relation };
  });
}
